"""A first load without a Spark job: the source's bulk export streamed into the target's Parquet files.

Spark's JDBC read decodes every value row by row in the JVM: a 2M-row first load took 6.6-6.9 s here, 5-6 s of it
Spark task CPU. PostgreSQL exports the same rows with ``COPY (window) TO STDOUT (FORMAT csv)`` at 1.2-1.5M rows/s,
and pyarrow's C++ CSV parser and Parquet writer keep up with it on the driver. So a PostgreSQL first load
(``CLIENTS``' streaming readers) streams the export: a thread receives it in 1 MiB chunks into a bounded queue,
pyarrow parses it in 16 MiB blocks, and each block is converted to the target's types (the direct read's
whitelist and lossless casts, so the rows are those Spark's read gives) and written as a row group of a data file
rolled at the table's ``write.target-file-size-bytes``. Memory stays bounded whatever the table's size; the
files are committed in one snapshot (``upsert.commit_files``) and removed when anything fails before it.
"""

from __future__ import annotations

import contextlib
import io
import os
import queue
import tempfile
import threading
import uuid
from collections.abc import Generator, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from transforms.incremental_jdbc_ingest.direct import (
    DirectReadUnavailable,
    PostgresClient,
    TargetColumn,
    as_target_rows,
    check_same_columns,
    client_for,
    copy_csv_options,
    copy_into_file_io,
    is_local,
    parquet_codec,
    postgres_connect_args,
    unreadable,
)
from transforms.incremental_jdbc_ingest.file_metrics import MetricsOfBlocks, column_modes, java_metrics

if TYPE_CHECKING:
    import pyarrow as pa
    from pyspark.sql import SparkSession
    from pyspark.sql.types import StructType

    from transforms.incremental_jdbc_ingest.connection import JdbcSource

T = TypeVar("T")
CHUNK_BYTES = 1 << 20  # what the export thread hands over at a time
QUEUE_CHUNKS = 32  # at most this many chunks wait for the parser
BLOCK_BYTES = 16 << 20  # one CSV block parsed at a time: one row group (~140k rows of a 10-column table)
DEFAULT_TARGET_FILE_BYTES = 512 << 20
DICTIONARY_SAMPLE_ROWS = 10_000  # Iceberg's write.target-file-size-bytes default


@dataclass
class LoadedFiles:
    rows: int = 0
    largest: int | None = None  # the largest value of ``largest_of``
    described: dict[str, tuple[int, Any]] = field(default_factory=dict)  # path -> size, Iceberg Metrics


def streaming_client(dialect: str) -> PostgresClient:
    """The client that streams a whole table (PostgreSQL's ``COPY``), or ``DirectReadUnavailable``."""
    client = client_for(dialect)  # known dialect, client installed
    if not isinstance(client, PostgresClient):  # MySQL's text protocol has no bulk export of this kind
        raise DirectReadUnavailable(f"no streaming export for {dialect}")
    return client


def stream_window(
    client: PostgresClient,
    source: JdbcSource,
    window_sql: str,
    columns: list[TargetColumn],
    spark_schema: StructType,
    *,
    pad_chars: bool = True,
) -> Iterator[pa.Table]:
    """The window in blocks, each converted to the target's Arrow types; ``DirectReadUnavailable`` when a type
    or a value cannot be read this way, or the client cannot connect or read (before the first block or
    part-way: the caller discards what it wrote, and Spark's JDBC read, which reports a real problem properly,
    loads the table instead)."""
    import psycopg

    check_same_columns(columns, spark_schema)
    args = postgres_connect_args(source.url, source.user, source.password)
    try:
        connection = psycopg.connect(**args, autocommit=True, connect_timeout=30, application_name="glueforge")
    except Exception as exc:
        raise unreadable(client, exc) from None
    with connection:
        try:
            copy_sql, parse_types = client.copy_plan(connection, source, window_sql, columns, spark_schema)
            names = [c.name for c in columns]
            for batch in _exported_batches(connection, copy_sql, names, parse_types):
                yield as_target_rows(_table_of(batch), columns, spark_schema, pad_chars=pad_chars)
        except DirectReadUnavailable:
            raise
        except Exception as exc:
            raise unreadable(client, exc) from None


def _table_of(batch: pa.RecordBatch) -> pa.Table:
    import pyarrow as pa

    return pa.Table.from_batches([batch])


def _exported_batches(
    connection: Any, copy_sql: str, names: list[str], parse_types: dict[str, pa.DataType]
) -> Iterator[pa.RecordBatch]:
    """``COPY ... TO STDOUT`` parsed block by block while a thread keeps receiving the export."""
    import pyarrow as pa
    from pyarrow import csv

    pipe = _Pipe()
    exporter = threading.Thread(target=pipe.export, args=(connection, copy_sql), name="gf-copy-export", daemon=True)
    exporter.start()
    try:
        if not pipe.has_data():  # an empty window: pyarrow refuses an empty CSV stream
            pipe.raise_error()
            return
        options = copy_csv_options(names, parse_types)
        options["read_options"].block_size = BLOCK_BYTES
        try:
            yield from csv.open_csv(io.BufferedReader(pipe, CHUNK_BYTES), **options)
        except pa.ArrowException as exc:
            pipe.raise_error()  # a broken export explains a parse error
            raise DirectReadUnavailable(f"a value does not convert: {str(exc).splitlines()[0][:200]}") from None
        pipe.raise_error()  # the export failed part-way: what was parsed is not the whole window
    finally:
        pipe.stop()
        exporter.join()


def _offer(into: queue.Queue[Any], item: Any, stopped: threading.Event) -> bool:
    """Put ``item`` into the bounded queue ``into``, waiting for room unless its reader has ``stopped`` (False)."""
    while not stopped.is_set():
        with contextlib.suppress(queue.Full):
            into.put(item, timeout=0.1)
            return True
    return False


class _Pipe(io.RawIOBase):
    """The export's bytes, handed from the exporting thread to pyarrow's reader through a bounded queue."""

    def __init__(self) -> None:
        super().__init__()
        self._chunks: queue.Queue[bytes | None] = queue.Queue(QUEUE_CHUNKS)
        self._current = memoryview(b"")
        self._ended = False
        self._stopped = threading.Event()
        self._error: BaseException | None = None

    # the exporting thread ------------------------------------------------------------------------------
    def export(self, connection: Any, copy_sql: str) -> None:
        try:
            with connection.cursor() as cursor, cursor.copy(copy_sql) as copy:
                pending: list[bytes] = []
                size = 0
                for chunk in copy:
                    pending.append(bytes(chunk))
                    size += len(chunk)
                    if size >= CHUNK_BYTES:
                        if not self._put(b"".join(pending)):
                            break  # the reader stopped: psycopg cancels the rest of the export
                        pending, size = [], 0
                if pending:
                    self._put(b"".join(pending))
        except BaseException as exc:  # handed to the reader
            self._error = exc
        finally:
            self._put(None)

    def _put(self, chunk: bytes | None) -> bool:
        return _offer(self._chunks, chunk, self._stopped)

    # the reading side -----------------------------------------------------------------------------------
    def readable(self) -> bool:
        return True

    def has_data(self) -> bool:
        """Waits for the first chunk: False when the export ended without any."""
        if not len(self._current) and not self._ended:
            self._next()
        return bool(len(self._current))

    def _next(self) -> None:
        while True:
            if self._stopped.is_set():  # a reader still reading after stop() (pyarrow's read-ahead): end of data
                self._ended = True
                return
            with contextlib.suppress(queue.Empty):
                chunk = self._chunks.get(timeout=0.1)
                break
        if chunk is None:
            self._ended = True
        else:
            self._current = memoryview(chunk)

    def readinto(self, target: Any) -> int:
        while not len(self._current):
            if self._ended:
                return 0
            self._next()
        size = min(len(target), len(self._current))
        target[:size] = self._current[:size]
        self._current = self._current[size:]
        return size

    def raise_error(self) -> None:
        if self._error is not None:
            raise self._error

    def stop(self) -> None:
        """No more reading: unblock the exporting thread (which then stops the export)."""
        self._stopped.set()
        with contextlib.suppress(queue.Empty):
            while True:
                self._chunks.get_nowait()


def read_ahead(blocks: Iterator[T], depth: int = 2) -> Generator[T, None, None]:
    """``blocks`` iterated on a thread of their own, at most ``depth`` ahead of the consumer: the export is
    received and parsed while the previous blocks are being written (pyarrow lets go of the GIL for both).
    The thread also closes ``blocks``, so a generator's clean-up runs where it ran."""
    handed: queue.Queue[tuple[str, Any]] = queue.Queue(depth)
    stopped = threading.Event()

    def hand(kind: str, value: Any) -> bool:
        return _offer(handed, (kind, value), stopped)

    def run() -> None:
        try:
            for block in blocks:
                if not hand("block", block):
                    break
        except BaseException as exc:  # raised in the consumer's thread
            hand("error", exc)
        finally:
            close = getattr(blocks, "close", None)
            if close is not None:
                with contextlib.suppress(Exception):
                    close()
            hand("end", None)

    worker = threading.Thread(target=run, name="gf-read-ahead", daemon=True)
    worker.start()
    try:
        while True:
            kind, value = handed.get()
            if kind == "end":
                return
            if kind == "error":
                raise value
            yield value
    finally:
        stopped.set()
        with contextlib.suppress(queue.Empty):
            while True:
                handed.get_nowait()
        worker.join()


def write_files(
    spark: SparkSession, loaded: Any, tables: Iterable[pa.Table], written: list[str], *, largest_of: str | None
) -> LoadedFiles:
    """Write ``tables`` into data files of the Iceberg table ``loaded`` (its codec, rolled at its target file
    size; each path goes into ``written`` before its first byte, so a failure can remove them all)."""
    import pyarrow.compute as pc

    codec = parquet_codec(loaded)
    modes: dict[str, str] | None = None
    target_bytes = int(loaded.properties().getOrDefault("write.target-file-size-bytes", str(DEFAULT_TARGET_FILE_BYTES)))
    file_io, stem = loaded.io(), f"gf-load-{uuid.uuid4().hex[:16]}"
    loaded_files = LoadedFiles()
    with contextlib.ExitStack() as scope:
        scratch = scope.enter_context(tempfile.TemporaryDirectory(prefix="gf-load-"))
        current: _DataFile | None = None

        def release() -> None:  # a failure part-way: the open file is let go (the caller removes every path)
            if current is not None:
                current.abandon()

        scope.callback(release)
        for table in tables:
            if current is None:
                path = str(loaded.locationProvider().newDataLocation(f"{stem}-{len(written):05d}.parquet"))
                written.append(path)
                modes = modes or column_modes(spark, loaded, table.column_names)
                current = _DataFile(path, scratch, table, codec, MetricsOfBlocks(modes))
            current.write(table)
            loaded_files.rows += table.num_rows
            if largest_of is not None and table.num_rows:
                largest = pc.max(table.column(largest_of)).as_py()
                if largest is not None:
                    loaded_files.largest = max(largest, loaded_files.largest or largest)
            if current.size() >= target_bytes:
                loaded_files.described[current.path] = current.close(spark, file_io)
                current = None
        if current is not None:
            loaded_files.described[current.path] = current.close(spark, file_io)
            current = None
    return loaded_files


def dictionary_columns(block: pa.Table) -> list[str]:
    """Columns worth dictionary encoding, judged on the first rows of a file: repeated values (at most one distinct
    value in ten rows). pyarrow would otherwise try every column and fall back on the unique ones, which here
    took 1.4 s instead of 0.75 s for 2M rows and left a 74 MB file instead of 50 MB."""
    import pyarrow.compute as pc

    sample = block.slice(0, DICTIONARY_SAMPLE_ROWS)
    rows = max(sample.num_rows, 1)
    return [name for name in sample.column_names if pc.count_distinct(sample.column(name)).as_py() * 10 <= rows]


class _DataFile:
    """One Parquet data file being written: in place in a local warehouse, else locally then copied over."""

    def __init__(self, path: str, scratch: str, first: pa.Table, codec: str, metrics: MetricsOfBlocks) -> None:
        import pyarrow.parquet as pq

        self.path = path
        self.metrics = metrics
        if is_local(path):
            self.local = path.removeprefix("file:")
            os.makedirs(os.path.dirname(self.local), exist_ok=True)
        else:
            self.local = os.path.join(scratch, os.path.basename(path))
        # Iceberg reads Parquet by field id; timestamps as microseconds (UTC-adjusted for timestamptz), not INT96
        self._writer = pq.ParquetWriter(
            self.local,
            first.schema,
            compression=codec,
            coerce_timestamps="us",
            store_schema=False,
            use_dictionary=dictionary_columns(first),
        )

    def write(self, table: pa.Table) -> None:
        self._writer.write_table(table, row_group_size=max(table.num_rows, 1))
        self.metrics.add(table)

    def size(self) -> int:
        return os.path.getsize(self.local)

    def abandon(self) -> None:
        with contextlib.suppress(Exception):  # the failure that led here is the one to report
            self._writer.close()

    def close(self, spark: SparkSession, file_io: Any) -> tuple[int, Any]:
        """Finish the file (copied into ``file_io`` unless written in place); its size and Iceberg metrics."""
        self._writer.close()
        size = self.size()
        if self.local != self.path.removeprefix("file:"):
            copy_into_file_io(spark, file_io, self.local, self.path)
            os.remove(self.local)
        return size, java_metrics(spark, self.metrics.of_file(self._writer.writer.metadata))
