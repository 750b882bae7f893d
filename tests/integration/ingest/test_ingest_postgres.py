"""Incremental ingest against a real PostgreSQL: ties, late commits, time zones, drift, crashes, concurrency."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest

from glueforge.errors import ConcurrentRunError, EnvironmentProblem, InputError, NotFoundError
from transforms.incremental_jdbc_ingest.ingest import STAGES

COLUMNS = ["id", "amount", "note", "updated_at"]


def make_orders(source: Any, table: str, count: int = 12) -> None:
    source.run(f"CREATE TABLE {table} (id int PRIMARY KEY, amount numeric(10,2), note text, updated_at timestamptz)")
    # Written with a +02:00 offset: the ingest must compare instants, not wall-clock text.
    for i in range(1, count + 1):
        source.run(
            f"INSERT INTO {table} VALUES (:id, :amount, :note, "
            f"TIMESTAMPTZ '2026-01-01 12:00:00+02' + make_interval(mins => :m))",
            id=i,
            amount=i * 1.5,
            note=f"n{i}",
            m=min(i, count - 1),  # the last two rows tie on the max
        )


@pytest.mark.parametrize("strategy", ["auto", "merge"])
def test_postgres_incremental_runs_keep_source_and_target_equal(
    strategy: str,
    pg_source: Any,
    postgres_db: Any,
    run_ingest: Callable[..., Any],
    same_rows: Callable[..., None],
    lakehouse: Any,
) -> None:
    table = postgres_db.unique_table("orders")
    target = f"bronze.pg_orders_{strategy}"
    make_orders(pg_source, table)
    params = {
        "table": table,
        "cursor_column": "updated_at",
        "primary_keys": "id",
        "target_table": target,
        "lookback_seconds": 120,
        "partitions": 3,
        "upsert_strategy": strategy,
    }
    compare_sql = f"SELECT {', '.join(COLUMNS)} FROM {table}"

    first = run_ingest(postgres_db, **params).summary
    assert (first.rows_read, first.inserted, first.watermark_before) == (12, 12, None)
    assert first.watermark_after == "2026-01-01T10:11:00.000000+00:00"  # 12:11 at +02:00, in UTC
    assert first.partitions == 3
    same_rows(pg_source, compare_sql, target, COLUMNS)

    # A late commit that ties the watermark, one inside the lookback, one update and one new row.
    pg_source.run(
        f"INSERT INTO {table} VALUES (100, 1, 'tie', TIMESTAMPTZ '2026-01-01 10:11:00+00')",
        f"INSERT INTO {table} VALUES (101, 2, 'late', TIMESTAMPTZ '2026-01-01 10:10:30+00')",
        f"UPDATE {table} SET note = 'changed', updated_at = TIMESTAMPTZ '2026-01-01 11:00:00+00' WHERE id = 1",
        f"INSERT INTO {table} VALUES (102, 3, 'new', TIMESTAMPTZ '2026-01-01 11:00:00+00')",
    )
    second = run_ingest(postgres_db, **params).summary
    assert second.watermark_before == first.watermark_after
    assert second.watermark_after == "2026-01-01T11:00:00.000000+00:00"
    if strategy == "merge":  # a MERGE tells inserts from updates
        assert (second.write_plan, second.inserted, second.updated, second.upserted) == ("merge", 3, 1, 4)
    else:  # an equality-delete upsert never scans the target's keys, so it cannot
        assert (second.write_plan, second.inserted, second.updated, second.upserted) == (
            "equality_delete",
            None,
            None,
            4,
        )
    assert second.unchanged == second.rows_read - 4  # boundary rows re-read but not rewritten
    same_rows(pg_source, compare_sql, target, COLUMNS)

    third = run_ingest(postgres_db, **params).summary
    assert third.status == "no_change" and third.watermark_after == second.watermark_after
    assert third.snapshot_id is None

    # Schema drift: a new source column reaches the target; old rows keep NULL there.
    pg_source.run(
        f"ALTER TABLE {table} ADD COLUMN channel text",
        f"UPDATE {table} SET channel = 'web', updated_at = TIMESTAMPTZ '2026-01-01 12:00:00+00' WHERE id = 2",
    )
    drift = run_ingest(postgres_db, **params).summary
    assert drift.added_columns == ["channel"] and drift.upserted == 1
    same_rows(pg_source, f"SELECT {', '.join(COLUMNS)}, channel FROM {table}", target, [*COLUMNS, "channel"])

    # A type change the target cannot absorb is refused before anything is committed.
    before = lakehouse.spark.sql(f"SELECT count(*) FROM {target}.snapshots").first()[0]
    pg_source.run(
        f"ALTER TABLE {table} ALTER COLUMN note TYPE int USING length(note)",
        f"UPDATE {table} SET updated_at = TIMESTAMPTZ '2026-01-02 00:00:00+00' WHERE id = 3",
    )
    with pytest.raises(InputError, match=r"incompatible type change.*note"):
        run_ingest(postgres_db, **params)
    assert lakehouse.spark.sql(f"SELECT count(*) FROM {target}.snapshots").first()[0] == before


@pytest.mark.parametrize("direct_read_max_rows", [0, 100], ids=["spark_read", "direct_read"])
def test_postgres_no_change_shortcut_still_sees_a_late_tie_at_the_watermark(
    pg_source: Any,
    postgres_db: Any,
    run_ingest: Callable[..., Any],
    same_rows: Callable[..., None],
    direct_read_max_rows: int,
) -> None:
    # Without lookback, "nothing new" is decided from the bound query alone (rows tied at the watermark vs
    # the count committed with it); a row that commits late with exactly the watermark value must still come.
    table = postgres_db.unique_table("ties")
    target = f"bronze.pg_ties_{direct_read_max_rows}"
    make_orders(pg_source, table, 4)
    params = {
        "table": table,
        "cursor_column": "updated_at",
        "primary_keys": "id",
        "target_table": target,
        "direct_read_max_rows": direct_read_max_rows,
    }
    compare_sql = f"SELECT {', '.join(COLUMNS)} FROM {table}"
    first = run_ingest(postgres_db, **params).summary
    assert (first.inserted, first.watermark_after) == (4, "2026-01-01T10:03:00.000000+00:00")
    idle_result = run_ingest(postgres_db, **params)
    idle = idle_result.summary
    assert (idle.status, idle.rows_read, idle.snapshot_id) == ("no_change", 0, None)
    assert idle_result.batch.count() == 0 and idle_result.batch.columns == COLUMNS  # built on demand

    pg_source.run(f"INSERT INTO {table} VALUES (200, 9, 'late tie', TIMESTAMPTZ '2026-01-01 10:03:00+00')")
    tie = run_ingest(postgres_db, **params).summary
    assert (tie.status, tie.rows_read, tie.watermark_after) == ("committed", 3, first.watermark_after)
    if direct_read_max_rows:
        # the source now holds 3 rows at the watermark where 2 were committed: which one is new cannot be told
        # without reading the target, so the direct path rewrites all 3 (the Spark path compares them)
        assert (tie.reader, tie.write_plan, tie.upserted, tie.unchanged) == ("postgresql_copy", "equality_delete", 3, 0)
    else:
        assert (tie.reader, tie.inserted, tie.unchanged) == ("spark_jdbc", 1, 2)
    same_rows(pg_source, compare_sql, target, COLUMNS)
    assert run_ingest(postgres_db, **params).summary.status == "no_change"


def test_postgres_custom_sql_template(
    pg_source: Any, postgres_db: Any, run_ingest: Callable[..., Any], same_rows: Callable[..., None], lakehouse: Any
) -> None:
    table = postgres_db.unique_table("tpl")
    make_orders(pg_source, table, 6)
    target = "bronze.pg_tpl"
    query = f"SELECT id, note, updated_at FROM {table} WHERE updated_at >= '{{lastmdfdtmst}}' AND id > 0"
    params = {"query": query, "cursor_column": "updated_at", "primary_keys": "id", "target_table": target}
    assert run_ingest(postgres_db, **params).summary.inserted == 6
    pg_source.run(f"UPDATE {table} SET note = 'x', updated_at = updated_at + interval '1 day' WHERE id = 4")
    summary = run_ingest(postgres_db, **params).summary
    assert summary.upserted == 1 and summary.source == "query"
    same_rows(pg_source, f"SELECT id, note, updated_at FROM {table}", target, ["id", "note", "updated_at"])


def test_postgres_null_cursor_policies(
    pg_source: Any, postgres_db: Any, run_ingest: Callable[..., Any], same_rows: Callable[..., None], lakehouse: Any
) -> None:
    table = postgres_db.unique_table("nulls")
    make_orders(pg_source, table, 4)
    pg_source.run(f"INSERT INTO {table} VALUES (50, 1, 'no cursor', NULL)")
    params = {"table": table, "cursor_column": "updated_at", "primary_keys": "id"}
    with pytest.raises(InputError, match="1 source rows have a NULL updated_at"):
        run_ingest(postgres_db, target_table="bronze.pg_nulls_raise", **params)
    assert not lakehouse.spark.catalog.tableExists("bronze.pg_nulls_raise")
    excluded = run_ingest(postgres_db, target_table="bronze.pg_nulls_ex", null_cursor="exclude", **params).summary
    assert excluded.rows_read == 4
    included = run_ingest(postgres_db, target_table="bronze.pg_nulls_in", null_cursor="include", **params).summary
    assert included.rows_read == 5
    pg_source.run(f"UPDATE {table} SET note = 'still no cursor' WHERE id = 50")
    again = run_ingest(postgres_db, target_table="bronze.pg_nulls_in", null_cursor="include", **params).summary
    assert again.upserted == 1  # NULL-cursor rows are re-read every run
    same_rows(
        pg_source, f"SELECT id, note, updated_at FROM {table}", "bronze.pg_nulls_in", ["id", "note", "updated_at"]
    )


def test_postgres_bad_inputs_fail_clearly_and_write_nothing(
    pg_source: Any, postgres_db: Any, run_ingest: Callable[..., Any], same_rows: Callable[..., None], lakehouse: Any
) -> None:
    table = postgres_db.unique_table("bad")
    make_orders(pg_source, table, 2)
    target = "bronze.pg_bad"
    ok = {"table": table, "cursor_column": "updated_at", "primary_keys": "id", "target_table": target}
    cases: list[tuple[dict[str, Any], type[Exception], str]] = [
        ({"table": "no_such_table_xyz"}, NotFoundError, "unknown table"),
        ({"cursor_column": "no_such_col"}, NotFoundError, "cursor_column 'no_such_col' is not a source column"),
        ({"cursor_column": "note"}, InputError, "has type string"),
        ({"primary_keys": "id,missing_pk"}, NotFoundError, "primary_keys 'missing_pk'"),
        ({"url": "jdbc:postgresql://127.0.0.1:1/test"}, EnvironmentProblem, "unreachable"),
        ({"table": None, "query": "SELECT * FROM x WHERE u > {lastmdfdtmst"}, InputError, "malformed template"),
        ({"table": None, "query": "SELECT * FROM x WHERE u > {watermark}"}, InputError, "unknown placeholder"),
        ({"table": f'{table}"; DROP TABLE {table}; --'}, InputError, "not a valid table"),
        ({"cursor_column": "updated_at; DROP TABLE x"}, InputError, "not a valid column"),
        ({"table": None, "query": f"SELECT * FROM {table}; DROP TABLE {table}"}, InputError, "one statement"),
    ]
    for change, error, message in cases:
        params = {k: v for k, v in {**ok, **change}.items() if v is not None}
        with pytest.raises(error, match=message):
            run_ingest(postgres_db, **params)
    assert not lakehouse.spark.catalog.tableExists(target)
    assert len(pg_source.rows(f"SELECT id FROM {table}")) == 2  # the injection attempts changed nothing


def test_postgres_crash_at_every_stage_then_rerun_is_exact(
    pg_source: Any, postgres_db: Any, run_ingest: Callable[..., Any], same_rows: Callable[..., None], lakehouse: Any
) -> None:
    table = postgres_db.unique_table("crash")
    make_orders(pg_source, table, 5)
    target = "bronze.pg_crash"
    params = {
        "table": table,
        "cursor_column": "updated_at",
        "primary_keys": "id",
        "target_table": target,
        "lookback_seconds": 60,
    }
    compare_sql = f"SELECT {', '.join(COLUMNS)} FROM {table}"

    class Crash(Exception):
        pass

    base = "TIMESTAMPTZ '2026-02-01 00:00:00+00'"
    for number, stage in enumerate(STAGES):
        pg_source.run(
            f"INSERT INTO {table} VALUES (:id, 1, 'crash', {base} + make_interval(hours => :n))",
            f"UPDATE {table} SET note = :note, updated_at = {base} + make_interval(hours => :n, mins => 30) "
            "WHERE id = 1",
            id=200 + number,
            n=number,
            note=f"v{number}",
        )

        def crash(at: str, stage: str = stage) -> None:
            if at == stage:
                raise Crash(stage)

        with pytest.raises(Crash):
            run_ingest(postgres_db, hook=crash, **params)
        run_ingest(postgres_db, **params)
        same_rows(pg_source, compare_sql, target, COLUMNS)
    ids = [row[0] for row in lakehouse.spark.sql(f"SELECT id FROM {target}").collect()]
    assert len(ids) == len(set(ids))


def test_postgres_concurrent_runs_on_one_target(
    pg_source: Any, postgres_db: Any, run_ingest: Callable[..., Any], same_rows: Callable[..., None], lakehouse: Any
) -> None:
    table = postgres_db.unique_table("conc")
    make_orders(pg_source, table, 5)
    target = "bronze.pg_conc"
    params = {"table": table, "cursor_column": "updated_at", "primary_keys": "id", "target_table": target}
    run_ingest(postgres_db, **params)
    pg_source.run(f"UPDATE {table} SET note = 'c', updated_at = updated_at + interval '1 day' WHERE id = 2")

    # 1) Two runs at once: the second finds the target busy and stops before reading.
    started, release = threading.Event(), threading.Event()
    outcomes: list[Any] = []

    def hold(stage: str) -> None:
        if stage == "after_read":
            started.set()
            release.wait(60)

    def first() -> None:
        outcomes.append(run_ingest(postgres_db, hook=hold, **params).summary.status)

    worker = threading.Thread(target=first)
    worker.start()
    assert started.wait(120)
    with pytest.raises(ConcurrentRunError, match="another ingest run"):
        run_ingest(postgres_db, **params)
    release.set()
    worker.join(120)
    assert outcomes == ["committed"]

    # 2) Another writer commits to the target between our read and our commit: nothing of ours is committed.
    pg_source.run(f"UPDATE {table} SET note = 'd', updated_at = updated_at + interval '2 day' WHERE id = 3")
    snapshots_before = lakehouse.spark.sql(f"SELECT count(*) FROM {target}.snapshots").first()[0]

    def foreign_commit(stage: str) -> None:
        if stage == "after_read":
            lakehouse.spark.sql(f"UPDATE {target} SET note = 'foreign' WHERE id = 4")

    with pytest.raises(ConcurrentRunError, match="committed to the target"):
        run_ingest(postgres_db, hook=foreign_commit, **params)
    assert lakehouse.spark.sql(f"SELECT count(*) FROM {target}.snapshots").first()[0] == snapshots_before + 1
    pg_source.run(f"UPDATE {table} SET updated_at = updated_at + interval '3 day' WHERE id = 4")
    run_ingest(postgres_db, **params)
    same_rows(pg_source, f"SELECT {', '.join(COLUMNS)} FROM {table}", target, COLUMNS)
