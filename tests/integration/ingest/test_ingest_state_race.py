"""A run reads the target's state before it takes the target's lock (so that the catalog's first use overlaps
the source probe); another run that commits in between must not be missed: the state is read again under the
lock, and the run goes on from the other run's watermark instead of failing or reading the window twice."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pytest

from .test_ingest_postgres import COLUMNS, make_orders

# the module, not the package's ``ingest`` function of the same name
ingest_module = importlib.import_module("transforms.incremental_jdbc_ingest.ingest")
native_module = importlib.import_module("transforms.incremental_jdbc_ingest.native")


@pytest.fixture
def other_run_before_lock(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Callable[[], Any]]]:
    """Queue a callable here: the next run calls it after reading its state, just before taking the lock."""
    real_lock = ingest_module.target_lock
    queued: list[Callable[[], Any]] = []

    def lock_after_other_run(spark: Any, table: Any) -> AbstractContextManager[None]:
        if queued:
            queued.pop()()  # runs another ingest, which takes (and releases) the real lock
        return real_lock(spark, table)

    monkeypatch.setattr(ingest_module, "target_lock", lock_after_other_run)
    real_warehouse_lock = native_module.warehouse_lock

    def warehouse_lock_after_other_run(warehouse: Any, table: Any) -> AbstractContextManager[None]:
        if queued:
            queued.pop()()
        return real_warehouse_lock(warehouse, table)

    # a run without the JVM reads its state under the lock: the other run commits before it reads
    monkeypatch.setattr(native_module, "warehouse_lock", warehouse_lock_after_other_run)
    yield queued


@pytest.mark.parametrize(
    ("target_exists", "state_store"),
    [(False, "iceberg"), (True, "iceberg"), (True, "file")],
    ids=["first_load", "incremental", "file_store"],
)
def test_a_run_committed_between_the_state_read_and_the_lock_is_not_missed(
    target_exists: bool,
    state_store: str,
    tmp_path: Path,
    other_run_before_lock: list[Callable[[], Any]],
    pg_source: Any,
    postgres_db: Any,
    run_ingest: Callable[..., Any],
    same_rows: Callable[..., None],
    lakehouse: Any,
) -> None:
    table = postgres_db.unique_table("race")
    make_orders(pg_source, table, 6)
    target = f"bronze.pg_race_{int(target_exists)}_{state_store}"
    params = {"table": table, "cursor_column": "updated_at", "primary_keys": "id", "target_table": target}
    if state_store == "file":
        params |= {"state_store": "file", "state_location": str(tmp_path / "state.json")}
    if target_exists:
        run_ingest(postgres_db, **params)
        pg_source.run(f"UPDATE {table} SET note = 'x', updated_at = updated_at + interval '1 day' WHERE id = 2")
    other: list[Any] = []

    def other_run() -> None:
        other.append(run_ingest(postgres_db, **params).summary)
        # a change after the other run's commit: the only row left for the first run
        pg_source.run(f"UPDATE {table} SET note = 'y', updated_at = updated_at + interval '2 day' WHERE id = 3")

    other_run_before_lock.append(other_run)
    summary = run_ingest(postgres_db, **params).summary

    assert other[0].status == "committed"
    assert summary.status == "committed"
    assert summary.watermark_before == other[0].watermark_after
    assert summary.upserted == 1 and summary.rows_read < 6  # the window starts at the other run's watermark
    same_rows(pg_source, f"SELECT {', '.join(COLUMNS)} FROM {table}", target, COLUMNS)
    ids = [row[0] for row in lakehouse.spark.sql(f"SELECT id FROM {target}").collect()]
    assert sorted(ids) == [1, 2, 3, 4, 5, 6]
