"""`glueforge ingest compact`: delete files folded into data files; data and watermark unchanged."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from click.testing import CliRunner

from glueforge.cli.ingest import ingest as ingest_command
from tests.integration.ingest.conftest import make_events

COLUMNS = ["id", "amount", "note", "updated_at"]


def delete_files(spark: Any, target: str) -> int:
    return int(spark.sql(f"SELECT count(*) FROM {target}.delete_files").first()[0])


def test_compaction_removes_delete_files_and_keeps_rows_and_watermark(
    pg_source: Any, postgres_db: Any, run_ingest: Callable[..., Any], same_rows: Callable[..., None], lakehouse: Any
) -> None:
    table = postgres_db.unique_table("events")
    target = "bronze.pg_events_compact"
    make_events(pg_source, table, 60)
    params = {"table": table, "cursor_column": "updated_at", "primary_keys": "id", "target_table": target}
    run_ingest(postgres_db, **params)
    # a MERGE leaves position deletes, an equality-delete upsert equality deletes: compaction folds both
    for month, strategy in ((2, "merge"), (3, "equality_delete")):
        pg_source.run(
            f"UPDATE {table} SET note = 'm{month}', updated_at = TIMESTAMPTZ '2026-0{month}-01 00:00:00+00' "
            f"+ id * interval '1 second' WHERE id % 4 = {month}"
        )
        summary = run_ingest(postgres_db, upsert_strategy=strategy, **params).summary
        assert (summary.upserted, summary.write_plan) == (15, "merge_matched" if strategy == "merge" else strategy)
    spark = lakehouse.spark
    assert delete_files(spark, target) > 0
    watermark = json.loads(
        CliRunner()
        .invoke(ingest_command, ["state", "show", "--target", target, "--warehouse", str(lakehouse.warehouse)])
        .output.strip()
        .splitlines()[-1]
    )["watermark"]

    result = CliRunner().invoke(
        ingest_command, ["compact", "--target", target, "--warehouse", str(lakehouse.warehouse)]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.output.strip().splitlines()[-1])
    assert report["delete_files_before"] > 0 and report["delete_files_after"] == 0
    assert report["rewritten_data_files"] >= 1 and report["records"] == 60
    assert delete_files(spark, target) == 0
    same_rows(pg_source, f"SELECT {', '.join(COLUMNS)} FROM {table}", target, COLUMNS)

    # The next run starts from the same watermark: nothing new, nothing re-read.
    after = run_ingest(postgres_db, **params).summary
    assert after.watermark_before == watermark and after.status == "no_change"


def test_compacting_a_missing_target_is_a_clear_error(lakehouse: Any) -> None:
    result = CliRunner().invoke(
        ingest_command, ["compact", "--target", "bronze.nope", "--warehouse", str(lakehouse.warehouse)]
    )
    assert result.exit_code != 0
    assert "bronze.nope does not exist" in str(result.exception)


def test_a_run_compacts_after_itself_once_the_delete_files_reach_the_threshold(
    pg_source: Any, postgres_db: Any, run_ingest: Callable[..., Any], same_rows: Callable[..., None], lakehouse: Any
) -> None:
    table = postgres_db.unique_table("events")
    target = "bronze.pg_events_autocompact"
    make_events(pg_source, table, 40)
    params = {
        "table": table,
        "cursor_column": "updated_at",
        "primary_keys": "id",
        "target_table": target,
        "compact_after_delete_files": 2,
    }
    run_ingest(postgres_db, **params)
    spark = lakehouse.spark
    outcomes = []
    for month in (2, 3):
        pg_source.run(
            f"UPDATE {table} SET note = 'm{month}', updated_at = TIMESTAMPTZ '2026-0{month}-01 00:00:00+00' "
            f"+ id * interval '1 second' WHERE id % 4 = {month}"
        )
        outcomes.append(run_ingest(postgres_db, **params).summary)
        if month == 2:  # one equality-delete file: below the threshold, nothing compacted
            assert outcomes[0].compaction is None and delete_files(spark, target) == 1
    second = outcomes[1]
    assert second.compaction is not None and second.compaction["delete_files_after"] == 0
    assert "compact" in second.stage_seconds and delete_files(spark, target) == 0
    same_rows(pg_source, f"SELECT {', '.join(COLUMNS)} FROM {table}", target, COLUMNS)
    after = run_ingest(postgres_db, **params).summary  # the watermark survived the compaction
    assert after.watermark_before == second.watermark_after and after.status == "no_change"
