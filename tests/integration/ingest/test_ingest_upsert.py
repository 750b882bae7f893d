"""Equality-delete upserts: rows replaced by key without a target scan, one commit, nothing left on failure."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from glueforge.errors import ConcurrentRunError, InputError
from glueforge.lakehouse import TableName
from tests.integration.ingest.conftest import make_events
from transforms.incremental_jdbc_ingest.state import snapshot_summary
from transforms.incremental_jdbc_ingest.upsert import unsuitable_reason, upsert
from transforms.incremental_jdbc_ingest.writer import TABLE_PROPERTIES

# the ingest's table properties, as a CREATE TABLE statement's TBLPROPERTIES
TABLE_PROPERTIES_SQL = ", ".join(f"'{key}'='{value}'" for key, value in TABLE_PROPERTIES.items())
SCHEMA = "id bigint, amount decimal(10,2), note string, ts timestamp, day date, flag boolean"


def make_table(spark: Any, name: str, rows: int, properties: str = TABLE_PROPERTIES_SQL, extra: str = "") -> TableName:
    spark.sql("CREATE NAMESPACE IF NOT EXISTS bronze")
    spark.sql(f"CREATE TABLE {name} ({SCHEMA}) USING iceberg {extra} TBLPROPERTIES ({properties})")
    spark.sql(
        f"INSERT INTO {name} SELECT id, CAST(id * 1.25 AS decimal(10,2)), concat('n', id), "
        f"timestamp_micros(1767225600000000 + id), date_add(DATE '2026-01-01', CAST(id AS int)), id % 2 = 0 "
        f"FROM range(1, {rows + 1})"
    )
    return TableName.parse(name)


def batch(spark: Any, rows: list[tuple[Any, ...]]) -> Any:
    return spark.createDataFrame(rows, SCHEMA)


def table_rows(spark: Any, name: str) -> dict[int, tuple[Any, ...]]:
    return {r[0]: tuple(r) for r in spark.table(name).collect()}


def staged_dirs(spark: Any, name: str) -> list[Path]:
    location = spark.sql(f"DESCRIBE TABLE EXTENDED {name}").where("col_name = 'Location'").first()[1]
    return sorted((Path(location.removeprefix("file:")) / "data").glob("gf-upsert-*"))


def test_upsert_replaces_the_rows_of_the_batch_keys_and_keeps_every_type(lakehouse: Any) -> None:
    spark = lakehouse.spark
    table = make_table(spark, "bronze.upsert_types", 100)
    before = table_rows(spark, str(table))
    start = int(spark.sql(f"SELECT snapshot_id FROM {table}.snapshots").first()[0])
    new_ts = datetime(2027, 3, 4, 5, 6, 7, 891011, tzinfo=UTC)
    changed = [(i, Decimal("-1.50"), f"changed {i}", new_ts, date(2030, 1, i % 28 + 1), i == 3) for i in (3, 50, 100)]
    fresh = [(i, Decimal("99999999.99"), "new ✓", None, None, None) for i in (101, 102)]
    result = upsert(spark, table, batch(spark, changed + fresh), ("id",), {"glueforge.watermark": "w1"}, start)

    after = table_rows(spark, str(table))
    expected = dict(before)
    for row in changed + fresh:
        expected[row[0]] = row
    assert len(after) == spark.table(str(table)).count() == 102  # one row per key
    # timestamps come back in the session time zone: compare instants
    assert {k: (*v[:3], v[3] and v[3].astimezone(UTC), *v[4:]) for k, v in after.items()} == {
        k: (*v[:3], v[3] and v[3].astimezone(UTC), *v[4:]) for k, v in expected.items()
    }
    summary = snapshot_summary(spark, table)
    assert summary["glueforge.watermark"] == "w1"
    assert (summary["added-records"], summary["added-equality-deletes"]) == ("5", "5")
    assert str(result.data_files) == summary["added-data-files"]
    assert str(result.delete_files) == summary["added-delete-files"] == summary["added-equality-delete-files"]
    newest = spark.sql(f"SELECT snapshot_id FROM {table}.snapshots ORDER BY committed_at DESC LIMIT 1").first()[0]
    assert result.snapshot_id == newest
    # only the Parquet files Iceberg references remain in the staging directory
    (staging,) = staged_dirs(spark, str(table))
    left = sorted(p.name for p in staging.rglob("*") if p.is_file())
    referenced = {
        Path(r[0].removeprefix("file:")).name
        for r in spark.sql(f"SELECT file_path FROM {table}.all_files").collect()
        + spark.sql(f"SELECT file_path FROM {table}.all_delete_files").collect()
    }
    assert left and set(left) <= referenced
    # every file carries the target's field ids (Iceberg reads Parquet columns by id, not by name)
    import pyarrow.parquet as pq

    ids = {f.name: str(f.id) for f in _iceberg_fields(spark, table)}
    for file in staging.rglob("*.parquet"):
        footer = pq.read_schema(file)
        assert {n: footer.field(n).metadata[b"PARQUET:field_id"].decode() for n in footer.names} == {
            n: ids[n] for n in footer.names
        }


def _iceberg_fields(spark: Any, table: TableName) -> list[Any]:
    from dataclasses import dataclass

    from transforms.incremental_jdbc_ingest.state import iceberg_table

    @dataclass
    class Field:
        name: str
        id: int

    return [Field(str(f.name()), int(f.fieldId())) for f in iceberg_table(spark, table).schema().columns()]


def test_a_second_upsert_of_the_same_keys_supersedes_the_first(lakehouse: Any) -> None:
    spark = lakehouse.spark
    table = make_table(spark, "bronze.upsert_twice", 10)
    for round_ in (1, 2):
        rows = [(i, Decimal(round_), f"round {round_}", None, None, None) for i in (2, 4, 11)]
        upsert(spark, table, batch(spark, rows), ("id",), {"glueforge.watermark": str(round_)}, None)
    after = table_rows(spark, str(table))
    assert len(after) == 11 and spark.table(str(table)).count() == 11
    assert {k: v[2] for k, v in after.items() if k in (2, 4, 11)} == dict.fromkeys((2, 4, 11), "round 2")


def test_upsert_with_a_composite_key(lakehouse: Any) -> None:
    spark = lakehouse.spark
    table = make_table(spark, "bronze.upsert_composite", 6)
    # (id, flag) is the key: (2, true) exists and is replaced, (2, false) is a new key next to it
    rows = [(2, Decimal(7), "replaced", None, None, True), (2, Decimal(8), "added", None, None, False)]
    upsert(spark, table, batch(spark, rows), ("id", "flag"), {}, None)
    kept = sorted((r.id, r.flag, r.note) for r in spark.table(str(table)).where("id = 2").collect())
    assert kept == [(2, False, "added"), (2, True, "replaced")]
    assert spark.table(str(table)).count() == 7


def test_a_concurrent_commit_fails_the_upsert_and_leaves_nothing_behind(lakehouse: Any) -> None:
    spark = lakehouse.spark
    table = make_table(spark, "bronze.upsert_race", 5)
    start = int(spark.sql(f"SELECT snapshot_id FROM {table}.snapshots").first()[0])
    spark.sql(f"INSERT INTO {table} SELECT 6, 1, 'someone else', NULL, NULL, NULL")  # commits meanwhile
    before = table_rows(spark, str(table))
    with pytest.raises(ConcurrentRunError, match="nothing was committed"):
        upsert(spark, table, batch(spark, [(1, Decimal(1), "mine", None, None, None)]), ("id",), {}, start)
    assert table_rows(spark, str(table)) == before
    assert staged_dirs(spark, str(table)) == []


@pytest.mark.parametrize(
    ("properties", "extra", "key", "reason"),
    [
        (TABLE_PROPERTIES_SQL, "", "id", None),
        (TABLE_PROPERTIES_SQL, "PARTITIONED BY (flag)", "id", "partitioned"),
        ("'format-version'='2'", "", "id", "write.merge.mode=copy-on-write"),
        ("'format-version'='1'", "", "id", "format-version 1"),
        (TABLE_PROPERTIES_SQL, "", "nope", "not in the target"),
    ],
)
def test_which_targets_take_an_equality_delete_upsert(
    lakehouse: Any, properties: str, extra: str, key: str, reason: str | None
) -> None:
    table = make_table(lakehouse.spark, "bronze.upsert_kinds", 1, properties, extra)
    found = unsuitable_reason(lakehouse.spark, table, (key,))
    assert found is None if reason is None else reason in (found or "")


def test_ingest_into_a_partitioned_target_falls_back_to_merge_or_refuses_when_asked(
    pg_source: Any, postgres_db: Any, run_ingest: Callable[..., Any], same_rows: Callable[..., None], lakehouse: Any
) -> None:
    spark = lakehouse.spark
    table = postgres_db.unique_table("events")
    target = "bronze.upsert_partitioned"
    make_events(pg_source, table, 20)
    spark.sql("CREATE NAMESPACE IF NOT EXISTS bronze")
    spark.sql(
        f"CREATE TABLE {target} (id bigint, amount decimal(10,2), note string, updated_at timestamp) USING iceberg "
        f"PARTITIONED BY (bucket(4, id)) TBLPROPERTIES ({TABLE_PROPERTIES_SQL})"
    )
    params = {"table": table, "cursor_column": "updated_at", "primary_keys": "id", "target_table": target}
    run_ingest(postgres_db, **params)
    pg_source.run(f"UPDATE {table} SET note = 'x', updated_at = TIMESTAMPTZ '2026-05-01 00:00:00+00' WHERE id < 4")
    snapshots = spark.sql(f"SELECT count(*) FROM {target}.snapshots").first()[0]
    with pytest.raises(InputError, match="equality_delete cannot be used: partitioned"):
        run_ingest(postgres_db, upsert_strategy="equality_delete", **params)
    assert spark.sql(f"SELECT count(*) FROM {target}.snapshots").first()[0] == snapshots
    merged = run_ingest(postgres_db, **params).summary
    assert (merged.write_plan, merged.inserted, merged.updated) == ("merge_matched", 0, 3)
    same_rows(
        pg_source, f"SELECT id, amount, note, updated_at FROM {table}", target, ["id", "amount", "note", "updated_at"]
    )


def test_a_failure_between_writing_the_files_and_the_commit_changes_nothing(
    lakehouse: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from transforms.incremental_jdbc_ingest import upsert as upsert_module

    spark = lakehouse.spark
    table = make_table(spark, "bronze.upsert_crash", 5)
    before = table_rows(spark, str(table))
    snapshots = spark.sql(f"SELECT count(*) FROM {table}.snapshots").first()[0]

    def crash(self: Any, directory: str) -> list[str]:
        raise RuntimeError("killed after the files were written")

    monkeypatch.setattr(upsert_module._Files, "parquet", crash)
    rows = batch(spark, [(1, Decimal(1), "mine", None, None, None)])
    with pytest.raises(RuntimeError, match="killed"):
        upsert(spark, table, rows, ("id",), {}, None)
    assert table_rows(spark, str(table)) == before
    assert spark.sql(f"SELECT count(*) FROM {table}.snapshots").first()[0] == snapshots
    assert staged_dirs(spark, str(table)) == []  # the written files went with the failed run


def test_a_source_that_stopped_sending_a_column_is_merged_so_the_target_keeps_its_values(lakehouse: Any) -> None:
    table = make_table(lakehouse.spark, "bronze.upsert_dropped", 1)
    every = ["id", "amount", "note", "ts", "day", "flag"]
    assert unsuitable_reason(lakehouse.spark, table, ("id",), every) is None
    reason = unsuitable_reason(lakehouse.spark, table, ("id",), ["id", "amount", "NOTE", "ts"])
    assert reason == "the source no longer sends target column(s) day, flag"
