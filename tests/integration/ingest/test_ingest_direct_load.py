"""A PostgreSQL first load streamed from ``COPY`` into Parquet files (``direct_load``), against a real database:
many blocks and rolled files give the source's rows; a value it cannot convert part-way hands the load to Spark
with nothing left behind, and so does a broken export; a failure while writing or a crash at any stage commits
nothing and leaves no file or empty target; a re-run then loads exactly the source."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from glueforge.errors import GlueforgeError
from tests.integration.ingest.conftest import make_events
from transforms.incremental_jdbc_ingest import direct, direct_load
from transforms.incremental_jdbc_ingest.ingest import STAGES
from transforms.incremental_jdbc_ingest.state import MAX_KEY

COLUMNS = ["id", "amount", "note", "updated_at"]
ROWS = 3000


def _params(table: str, target: str, **extra: Any) -> dict[str, Any]:
    return {"table": table, "cursor_column": "updated_at", "primary_keys": "id", "target_table": target, **extra}


def _files(lakehouse: Any, target: str) -> list[Path]:
    namespace, name = target.split(".")
    return sorted((lakehouse.warehouse / namespace / name / "data").glob("*.parquet"))


@pytest.fixture
def small_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Blocks of a few hundred rows and files of a few blocks: the 3,000-row table takes every path."""
    monkeypatch.setattr(direct_load, "CHUNK_BYTES", 4096)
    monkeypatch.setattr(direct_load, "BLOCK_BYTES", 16384)
    monkeypatch.setattr(direct_load, "DEFAULT_TARGET_FILE_BYTES", 20000)


def test_streamed_first_load_rolls_files_and_gives_the_source_rows(
    small_blocks: None,
    pg_source: Any,
    postgres_db: Any,
    run_ingest: Callable[..., Any],
    same_rows: Callable[..., None],
    lakehouse: Any,
) -> None:
    table, target = postgres_db.unique_table("stream"), "bronze.streamed"
    make_events(pg_source, table, ROWS)
    summary = run_ingest(postgres_db, **_params(table, target)).summary
    assert (summary.reader, summary.write_plan, summary.rows_read, summary.inserted) == (
        "postgresql_copy",
        "append",
        ROWS,
        ROWS,
    )
    same_rows(pg_source, f"SELECT {', '.join(COLUMNS)} FROM {table}", target, COLUMNS)
    files = lakehouse.spark.sql(f"SELECT file_path, record_count FROM {target}.files").collect()
    assert len(files) > 1 and sum(f.record_count for f in files) == ROWS
    assert len(_files(lakehouse, target)) == len(files)  # no file the snapshot does not reference
    properties = dict(lakehouse.spark.sql(f"SHOW TBLPROPERTIES {target}").collect())
    assert properties[MAX_KEY] == f"{summary.snapshot_id}:id={ROWS}"  # the next run's new-keys check
    # an incremental run on top of the streamed load
    pg_source.run(f"UPDATE {table} SET note = 'late', updated_at = updated_at + interval '1 year' WHERE id % 7 = 0")
    again = run_ingest(postgres_db, **_params(table, target)).summary
    assert again.upserted == ROWS // 7
    same_rows(pg_source, f"SELECT {', '.join(COLUMNS)} FROM {table}", target, COLUMNS)


def test_a_value_it_cannot_convert_part_way_hands_the_load_to_spark(
    small_blocks: None,
    pg_source: Any,
    postgres_db: Any,
    run_ingest: Callable[..., Any],
    same_rows: Callable[..., None],
    lakehouse: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    table, target = postgres_db.unique_table("aside"), "bronze.stream_aside"
    make_events(pg_source, table, ROWS)
    converted = direct_load.as_target_rows
    calls = []

    def third_block_fails(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 3:  # files are written by now
            raise direct.DirectReadUnavailable("a value does not convert: test")
        return converted(*args, **kwargs)

    monkeypatch.setattr(direct_load, "as_target_rows", third_block_fails)
    summary = run_ingest(postgres_db, **_params(table, target)).summary
    assert len(calls) == 3
    assert summary.reader == "spark_jdbc"
    assert summary.direct_read_skipped == "first load: a value does not convert: test"
    same_rows(pg_source, f"SELECT {', '.join(COLUMNS)} FROM {table}", target, COLUMNS)
    assert not [f for f in _files(lakehouse, target) if f.name.startswith("gf-load-")]  # the streamed ones: gone


def test_a_broken_export_leaves_nothing_and_spark_loads_the_table(
    small_blocks: None,
    pg_source: Any,
    postgres_db: Any,
    run_ingest: Callable[..., Any],
    same_rows: Callable[..., None],
    lakehouse: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    table, target = postgres_db.unique_table("broken"), "bronze.stream_broken"
    make_events(pg_source, table, ROWS)
    handed = direct_load._Pipe._put
    commits = []

    def connection_lost(self: Any, chunk: bytes | None) -> bool:
        if chunk is not None and getattr(self, "_sent", 0) >= 5:  # the sixth chunk never arrives
            raise ConnectionResetError("server closed the connection unexpectedly")
        self._sent = getattr(self, "_sent", 0) + 1
        return handed(self, chunk)

    def count_commits(at: str) -> None:
        if at == "before_commit":
            commits.append(_files(lakehouse, target))

    monkeypatch.setattr(direct_load._Pipe, "_put", connection_lost)
    summary = run_ingest(postgres_db, hook=count_commits, **_params(table, target)).summary
    assert summary.reader == "spark_jdbc"
    assert "psycopg could not read the window (ConnectionResetError" in (summary.direct_read_skipped or "")
    assert len(commits) == 1 and not commits[0]  # the Spark load began with no streamed file left behind
    same_rows(pg_source, f"SELECT {', '.join(COLUMNS)} FROM {table}", target, COLUMNS)
    assert not [f for f in _files(lakehouse, target) if f.name.startswith("gf-load-")]


def test_a_failure_while_writing_commits_nothing_and_leaves_nothing(
    small_blocks: None,
    pg_source: Any,
    postgres_db: Any,
    run_ingest: Callable[..., Any],
    same_rows: Callable[..., None],
    lakehouse: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    table, target = postgres_db.unique_table("full_disk"), "bronze.stream_full_disk"
    make_events(pg_source, table, ROWS)
    write = direct_load._DataFile.write
    blocks = []

    def disk_full(self: Any, block: Any) -> None:
        blocks.append(1)
        if len(blocks) == 4:
            raise OSError(28, "No space left on device")
        write(self, block)

    monkeypatch.setattr(direct_load._DataFile, "write", disk_full)
    with pytest.raises(GlueforgeError, match="No space left on device"):
        run_ingest(postgres_db, **_params(table, target))
    assert not lakehouse.spark.catalog.tableExists(target)  # no empty target
    assert not _files(lakehouse, target)
    monkeypatch.undo()
    assert run_ingest(postgres_db, **_params(table, target)).summary.rows_read == ROWS
    same_rows(pg_source, f"SELECT {', '.join(COLUMNS)} FROM {table}", target, COLUMNS)


@pytest.mark.parametrize("stage", STAGES)
def test_a_crash_at_any_stage_of_a_streamed_first_load_then_a_rerun_gives_the_source(
    stage: str,
    pg_source: Any,
    postgres_db: Any,
    run_ingest: Callable[..., Any],
    same_rows: Callable[..., None],
    lakehouse: Any,
) -> None:
    table, target = postgres_db.unique_table("crash"), f"bronze.stream_crash_{stage}"
    make_events(pg_source, table, 200)

    class Crash(Exception):
        pass

    def crash(at: str) -> None:
        if at == stage:
            raise Crash(stage)

    with pytest.raises(Crash):
        run_ingest(postgres_db, hook=crash, **_params(table, target))
    committed = stage == "after_commit"
    assert lakehouse.spark.catalog.tableExists(target) is committed
    if not committed:
        assert not _files(lakehouse, target)
    rerun = run_ingest(postgres_db, **_params(table, target)).summary
    assert rerun.status == ("no_change" if committed else "committed")
    same_rows(pg_source, f"SELECT {', '.join(COLUMNS)} FROM {table}", target, COLUMNS)
