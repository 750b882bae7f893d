"""How an incremental batch reaches the target: plain append for new keys only, merge-on-read MERGE with counts
taken from the commit, the comparison restricted to rows at or below the committed watermark, and the bound
query on a plain JDBC connection (with the Spark read as fallback)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from tests.integration.ingest.conftest import make_events
from transforms.incremental_jdbc_ingest import reader as reader_module
from transforms.incremental_jdbc_ingest.state import MAX_KEY, snapshot_summary

COLUMNS = ["id", "amount", "note", "updated_at"]


def last_operation(spark: Any, target: str) -> str:
    return str(spark.sql(f"SELECT operation FROM {target}.snapshots ORDER BY committed_at DESC LIMIT 1").first()[0])


def test_new_keys_above_the_target_append_and_updates_merge_with_counts_from_the_commit(
    pg_source: Any, postgres_db: Any, run_ingest: Callable[..., Any], same_rows: Callable[..., None], lakehouse: Any
) -> None:
    table = postgres_db.unique_table("events")
    target = "bronze.pg_events_paths"
    make_events(pg_source, table, 50)
    params = {
        "table": table,
        "cursor_column": "updated_at",
        "primary_keys": "id",
        "target_table": target,
        "upsert_strategy": "merge",  # the MERGE plans and their counts (equality deletes: test_ingest_upsert)
    }
    compare_sql = f"SELECT {', '.join(COLUMNS)} FROM {table}"
    first = run_ingest(postgres_db, **params).summary
    assert (first.rows_read, first.inserted) == (50, 50)

    # Only new, larger ids: an append (no MERGE, no target scan). The row tied at the watermark is read
    # again every run (the window's lower end is inclusive) and counted unchanged.
    pg_source.run(
        f"INSERT INTO {table} SELECT g, g, 'new', TIMESTAMPTZ '2026-02-01 00:00:00+00' + g * interval '1 second' "
        f"FROM generate_series(51, 60) g"
    )
    appended = run_ingest(postgres_db, **params).summary
    assert (appended.rows_read, appended.inserted, appended.updated, appended.unchanged) == (11, 10, 0, 1)
    assert last_operation(lakehouse.spark, target) == "append"
    same_rows(pg_source, compare_sql, target, COLUMNS)
    # the commit notes the target's largest key for the next run (no scan planning over the manifests)
    assert snapshot_summary(lakehouse.spark, target)[MAX_KEY] == "id=60"

    # Updates spread over the key range: a MERGE; counts come from its snapshot summary.
    pg_source.run(
        f"UPDATE {table} SET note = 'changed', updated_at = TIMESTAMPTZ '2026-03-01 00:00:00+00' + id * interval "
        f"'1 second' WHERE id % 5 = 0"
    )
    merged = run_ingest(postgres_db, **params).summary
    assert (merged.rows_read, merged.inserted, merged.updated, merged.unchanged) == (
        12,
        0,
        12,
        0,
    )  # id 60, tied at the watermark, is one of them
    assert last_operation(lakehouse.spark, target) == "overwrite"
    same_rows(pg_source, compare_sql, target, COLUMNS)

    # Updating the same rows again: the net position deletes of the commit still count each row once.
    pg_source.run(
        f"UPDATE {table} SET note = 'again', updated_at = TIMESTAMPTZ '2026-04-01 00:00:00+00' + id * interval "
        f"'1 second' WHERE id % 5 = 0",
        f"INSERT INTO {table} VALUES (0, 0, 'below the smallest key', TIMESTAMPTZ '2026-04-02 00:00:00+00')",
    )
    mixed = run_ingest(postgres_db, **params).summary
    assert (mixed.rows_read, mixed.inserted, mixed.updated, mixed.unchanged) == (13, 1, 12, 0)
    assert snapshot_summary(lakehouse.spark, target)[MAX_KEY] == "id=60"  # a MERGE commit carries it too
    same_rows(pg_source, compare_sql, target, COLUMNS)

    # A new key below the target's largest: the key-only scan finds none of the batch keys, so an append.
    pg_source.run(f"INSERT INTO {table} VALUES (-1, 1, 'gap', TIMESTAMPTZ '2026-05-01 00:00:00+00')")
    gap = run_ingest(postgres_db, **params).summary
    assert (gap.rows_read, gap.inserted, gap.updated, gap.unchanged) == (2, 1, 0, 1)  # + the tie at the watermark
    assert last_operation(lakehouse.spark, target) == "append"
    same_rows(pg_source, compare_sql, target, COLUMNS)


def test_only_rows_at_or_below_the_watermark_are_compared_with_the_target(
    pg_source: Any, postgres_db: Any, run_ingest: Callable[..., Any], same_rows: Callable[..., None], lakehouse: Any
) -> None:
    table = postgres_db.unique_table("events")
    target = "bronze.pg_events_lookback"
    make_events(pg_source, table, 20)
    params = {
        "table": table,
        "cursor_column": "updated_at",
        "primary_keys": "id",
        "target_table": target,
        "lookback_seconds": 600,  # the last 10 rows come back every run
    }
    run_ingest(postgres_db, **params)
    pg_source.run(f"UPDATE {table} SET note = 'x', updated_at = TIMESTAMPTZ '2026-05-01 00:00:00+00' WHERE id = 3")
    second = run_ingest(postgres_db, **params).summary
    # The 11 rows re-read inside the lookback (ids 10-20) are unchanged and not rewritten; only id 3 is.
    assert (second.rows_read, second.upserted, second.unchanged) == (12, 1, 11)
    assert second.write_plan == "equality_delete"
    same_rows(pg_source, f"SELECT {', '.join(COLUMNS)} FROM {table}", target, COLUMNS)


def test_bound_query_falls_back_to_a_spark_read_without_a_driver_manager_driver(
    pg_source: Any,
    postgres_db: Any,
    run_ingest: Callable[..., Any],
    same_rows: Callable[..., None],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    table = postgres_db.unique_table("events")
    target = "bronze.pg_events_fallback"
    make_events(pg_source, table, 30)
    params = {"table": table, "cursor_column": "updated_at", "primary_keys": "id", "target_table": target}
    direct = run_ingest(postgres_db, **params).summary

    def no_driver(self: Any) -> Any:
        raise reader_module._NoDriver

    monkeypatch.setattr(reader_module.JdbcReader, "_connection", no_driver)
    pg_source.run(
        f"UPDATE {table} SET note = 'y', updated_at = TIMESTAMPTZ '2026-06-01 00:00:00.123456+00' WHERE id = 7"
    )
    fallback = run_ingest(postgres_db, **params).summary
    assert fallback.watermark_before == direct.watermark_after
    assert fallback.watermark_after == "2026-06-01T00:00:00.123456+00:00"
    assert (fallback.rows_read, fallback.upserted, fallback.unchanged) == (2, 1, 1)  # + the row tied at the watermark
    same_rows(pg_source, f"SELECT {', '.join(COLUMNS)} FROM {table}", target, COLUMNS)


def test_merge_scans_only_target_files_that_can_hold_the_batch_keys(lakehouse: Any) -> None:
    from glueforge.lakehouse import TableName
    from transforms.incremental_jdbc_ingest.writer import IcebergWriter, create_target

    spark = lakehouse.spark
    target = TableName.parse("bronze.key_range_pruning")
    rows = spark.range(0, 3000).selectExpr("id", "CAST(id AS timestamp) AS updated_at", "'v1' AS note")
    create_target(spark, target, rows.schema)
    for low in (0, 1000, 2000):  # three files with disjoint key ranges
        rows.where(f"id >= {low} AND id < {low + 1000}").coalesce(1).writeTo(target.sql).append()
    writer = IcebergWriter(spark, target)
    assert writer.key_upper_bound("id") == 2999

    spark.range(2100, 2200).selectExpr(
        "id", "CAST(id + 100000 AS timestamp) AS updated_at", "'v2' AS note"
    ).createOrReplaceTempView("gf_test_batch")
    columns = ["id", "updated_at", "note"]

    def target_scan(statement: str) -> str:
        plan = "\n".join(r[0] for r in spark.sql(f"EXPLAIN EXTENDED {statement}").collect())
        physical = plan.split("== Physical Plan ==")[1]
        scans = [line for line in physical.splitlines() if "BatchScan" in line and "key_range_pruning" in line]
        assert scans, physical
        return "\n".join(scans)

    pruned = writer.merge_statement("gf_test_batch", columns, ("id",), "updated_at", None, True, (2100, 2199))
    unpruned = writer.merge_statement("gf_test_batch", columns, ("id",), "updated_at", None, True, None)

    def literal(value: int, scan: str) -> bool:  # not a digit run of an expression id such as #52100
        return re.search(rf"(?<![#\d]){value}(?!\d)", scan) is not None

    assert literal(2100, target_scan(pruned)) and literal(2199, target_scan(pruned))  # pushed into the scan
    assert not literal(2100, target_scan(unpruned))

    spark.sql(pruned)
    assert sorted(r[0] for r in spark.table(target.sql).where("note = 'v2'").select("id").collect()) == list(
        range(2100, 2200)
    )
    assert spark.table(target.sql).count() == 3000


def test_after_a_rewind_rows_the_target_already_has_are_unchanged_not_rewritten(
    pg_source: Any, postgres_db: Any, run_ingest: Callable[..., Any], same_rows: Callable[..., None], lakehouse: Any
) -> None:
    from glueforge.lakehouse import TableName
    from transforms.incremental_jdbc_ingest.state import reset_iceberg

    table = postgres_db.unique_table("events")
    target = "bronze.pg_events_rewind"
    make_events(pg_source, table, 10)
    params = {"table": table, "cursor_column": "updated_at", "primary_keys": "id", "target_table": target}
    first = run_ingest(postgres_db, **params).summary
    reset_iceberg(lakehouse.spark, TableName.parse(target), "2026-01-01T00:05:00+00:00", target)  # rewind to id 5
    again = run_ingest(postgres_db, **params).summary
    # Rows above a rewound watermark may already be in the target: they are compared, found identical, kept.
    assert again.watermark_before == "2026-01-01T00:05:00.000000+00:00"
    assert (again.rows_read, again.inserted, again.updated, again.unchanged) == (6, 0, 0, 6)
    assert again.status == "watermark_only" and again.watermark_after == first.watermark_after
    same_rows(pg_source, f"SELECT {', '.join(COLUMNS)} FROM {table}", target, COLUMNS)


def test_a_key_the_target_holds_twice_does_not_hide_a_new_key(
    pg_source: Any, postgres_db: Any, run_ingest: Callable[..., Any], lakehouse: Any
) -> None:
    table = postgres_db.unique_table("events")
    target = "bronze.pg_events_dupkey"
    make_events(pg_source, table, 5)
    params = {"table": table, "cursor_column": "updated_at", "primary_keys": "id", "target_table": target}
    run_ingest(postgres_db, **params)
    spark = lakehouse.spark
    spark.table(target).where("id = 1").writeTo(target).append()  # written by someone else: id 1 twice
    pg_source.run(
        f"UPDATE {table} SET note = 'x', updated_at = TIMESTAMPTZ '2026-02-01 00:00:00+00' WHERE id = 1",
        f"INSERT INTO {table} VALUES (99, 1, 'new', TIMESTAMPTZ '2026-02-01 00:00:01+00')",
    )
    run_ingest(postgres_db, **params)
    assert spark.table(target).where("id = 99").count() == 1
    assert {r[0] for r in spark.table(target).where("id = 1").select("note").collect()} == {"x"}


def test_with_soft_deletes_a_key_the_target_holds_twice_does_not_hide_a_new_key(
    pg_source: Any, postgres_db: Any, run_ingest: Callable[..., Any], lakehouse: Any
) -> None:
    table = postgres_db.unique_table("events")
    target = "bronze.pg_events_dupkey_soft"
    make_events(pg_source, table, 5)
    pg_source.run(f"ALTER TABLE {table} ADD COLUMN deleted boolean DEFAULT false")
    params = {
        "table": table,
        "cursor_column": "updated_at",
        "primary_keys": "id",
        "target_table": target,
        "delete_handling": "soft_delete",
        "soft_delete_column": "deleted",
    }
    run_ingest(postgres_db, **params)
    spark = lakehouse.spark
    spark.table(target).where("id = 1").writeTo(target).append()  # written by someone else: id 1 twice
    pg_source.run(
        f"UPDATE {table} SET note = 'x', updated_at = TIMESTAMPTZ '2026-02-01 00:00:00+00' WHERE id = 1",
        f"INSERT INTO {table} VALUES (99, 1, 'new', TIMESTAMPTZ '2026-02-01 00:00:01+00', false)",
    )
    summary = run_ingest(postgres_db, **params).summary
    assert (summary.inserted, summary.updated) == (1, 1)
    assert spark.table(target).where("id = 99").count() == 1
    assert {r[0] for r in spark.table(target).where("id = 1").select("note").collect()} == {"x"}
