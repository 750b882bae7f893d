"""A PostgreSQL first load streamed from ``COPY`` into Parquet files (``direct_load``), against a real database:
many blocks and rolled files give the source's rows; a value it cannot convert part-way hands the load to Spark
with nothing left behind, and so does a broken export; a failure while writing or a crash at any stage commits
nothing and leaves no file or empty target; a re-run then loads exactly the source."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
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


@dataclass
class Load:
    """A fresh 3,000-row PostgreSQL table, its target, and what the tests ask of them."""

    table: str
    target: str
    run_ingest: Callable[..., Any]
    db: Any
    source: Any
    lakehouse: Any
    same_rows: Callable[..., None]

    def run(self, **extra: Any) -> Any:
        params = {"table": self.table, "cursor_column": "updated_at", "primary_keys": "id"}
        return self.run_ingest(self.db, target_table=self.target, **params, **extra).summary

    def target_is_the_source(self) -> None:
        self.same_rows(self.source, f"SELECT {', '.join(COLUMNS)} FROM {self.table}", self.target, COLUMNS)

    def data_files(self, streamed_only: bool = False) -> list[Path]:
        namespace, name = self.target.split(".")
        files = sorted((self.lakehouse.warehouse / namespace / name / "data").glob("*.parquet"))
        return [f for f in files if f.name.startswith("gf-load-")] if streamed_only else files

    def target_exists(self) -> bool:
        return bool(self.lakehouse.spark.catalog.tableExists(self.target))


@pytest.fixture
def load(
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
    pg_source: Any,
    postgres_db: Any,
    run_ingest: Callable[..., Any],
    same_rows: Callable[..., None],
    lakehouse: Any,
) -> Load:
    # blocks of a few hundred rows and files of a few blocks: the table takes every path of the stream
    monkeypatch.setattr(direct_load, "CHUNK_BYTES", 4096)
    monkeypatch.setattr(direct_load, "BLOCK_BYTES", 16384)
    monkeypatch.setattr(direct_load, "DEFAULT_TARGET_FILE_BYTES", 20000)
    table = postgres_db.unique_table("stream")
    make_events(pg_source, table, ROWS)
    target = f"bronze.{request.node.name.split('[')[0].removeprefix('test_')[:40]}"
    return Load(table, target, run_ingest, postgres_db, pg_source, lakehouse, same_rows)


def test_streamed_first_load_rolls_files_and_gives_the_source_rows(load: Load) -> None:
    summary = load.run()
    assert (summary.reader, summary.write_plan, summary.rows_read, summary.inserted) == (
        "postgresql_copy",
        "append",
        ROWS,
        ROWS,
    )
    load.target_is_the_source()
    files = load.lakehouse.spark.sql(f"SELECT file_path, record_count FROM {load.target}.files").collect()
    assert len(files) > 1 and sum(f.record_count for f in files) == ROWS
    assert len(load.data_files()) == len(files)  # no file the snapshot does not reference
    properties = dict(load.lakehouse.spark.sql(f"SHOW TBLPROPERTIES {load.target}").collect())
    assert properties[MAX_KEY] == f"{summary.snapshot_id}:id={ROWS}"  # the next run's new-keys check
    # an incremental run on top of the streamed load
    load.source.run(
        f"UPDATE {load.table} SET note = 'late', updated_at = updated_at + interval '1 year' WHERE id % 7 = 0"
    )
    assert load.run().upserted == ROWS // 7
    load.target_is_the_source()


def test_a_value_it_cannot_convert_part_way_hands_the_load_to_spark(
    load: Load, monkeypatch: pytest.MonkeyPatch
) -> None:
    converted = direct_load.as_target_rows
    calls = []

    def third_block_fails(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 3:  # files are written by now
            raise direct.DirectReadUnavailable("a value does not convert: test")
        return converted(*args, **kwargs)

    monkeypatch.setattr(direct_load, "as_target_rows", third_block_fails)
    summary = load.run()
    assert len(calls) == 3
    assert summary.reader == "spark_jdbc"
    assert summary.direct_read_skipped == "first load: a value does not convert: test"
    load.target_is_the_source()
    assert not load.data_files(streamed_only=True)


def test_a_broken_export_leaves_nothing_and_spark_loads_the_table(load: Load, monkeypatch: pytest.MonkeyPatch) -> None:
    handed = direct_load._Pipe._put
    files_at_commit = []

    def connection_lost(self: Any, chunk: bytes | None) -> bool:
        if chunk is not None and getattr(self, "_sent", 0) >= 5:  # the sixth chunk never arrives
            raise ConnectionResetError("server closed the connection unexpectedly")
        self._sent = getattr(self, "_sent", 0) + 1
        return handed(self, chunk)

    def before_commit(at: str) -> None:
        if at == "before_commit":
            files_at_commit.append(load.data_files())

    monkeypatch.setattr(direct_load._Pipe, "_put", connection_lost)
    summary = load.run(hook=before_commit)
    assert summary.reader == "spark_jdbc"
    assert "psycopg could not read the window (ConnectionResetError" in (summary.direct_read_skipped or "")
    assert files_at_commit == [[]]  # the Spark load's commit came next, with no streamed file left behind
    load.target_is_the_source()
    assert not load.data_files(streamed_only=True)


def test_a_failure_while_writing_commits_nothing_and_leaves_nothing(
    load: Load, monkeypatch: pytest.MonkeyPatch
) -> None:
    write = direct_load._DataFile.write
    blocks = []

    def disk_full(self: Any, block: Any) -> None:
        blocks.append(1)
        if len(blocks) == 4:
            raise OSError(28, "No space left on device")
        write(self, block)

    monkeypatch.setattr(direct_load._DataFile, "write", disk_full)
    with pytest.raises(GlueforgeError, match="No space left on device"):
        load.run()
    assert not load.target_exists() and not load.data_files()  # no empty target, no file
    monkeypatch.undo()
    assert load.run().rows_read == ROWS
    load.target_is_the_source()


@pytest.mark.parametrize("stage", STAGES)
def test_a_crash_at_any_stage_then_a_rerun_gives_the_source(load: Load, stage: str) -> None:
    class Crash(Exception):
        pass

    def crash(at: str) -> None:
        if at == stage:
            raise Crash(stage)

    with pytest.raises(Crash):
        load.run(hook=crash)
    committed = stage == "after_commit"
    assert load.target_exists() is committed
    if not committed:
        assert not load.data_files()
    assert load.run().status == ("no_change" if committed else "committed")
    load.target_is_the_source()


def test_a_kill_before_the_commit_leaves_an_empty_target_that_the_rerun_fills(
    load: Load, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A killed process cleans nothing up: here no clean-up runs (as after SIGKILL) between the written files and
    the commit; the empty target and the unreferenced files stay, and the re-run still gives exactly the source."""
    # the module, not the package's ``ingest`` function of the same name
    ingest_module = importlib.import_module("transforms.incremental_jdbc_ingest.ingest")

    class Killed(BaseException):
        pass

    def kill(at: str) -> None:
        if at == "before_commit":
            raise Killed

    with monkeypatch.context() as killed:
        killed.setattr(ingest_module, "_drop_if_empty", lambda spark, target: None)
        killed.setattr(direct, "deleter", lambda file_io, written: lambda: None)
        with pytest.raises(Killed):
            load.run(hook=kill)
    assert load.target_exists() and load.data_files(streamed_only=True)  # what a killed run leaves
    assert load.lakehouse.spark.table(load.target).count() == 0
    rerun = load.run()
    assert rerun.rows_read == ROWS
    load.target_is_the_source()
