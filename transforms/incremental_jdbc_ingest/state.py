"""Watermark stores.

``iceberg`` (default, atomic): the watermark travels in the summary of the very snapshot that commits the
data (``glueforge.ingest.*`` properties); reading walks back from the current snapshot through its
ancestors (compaction or other writers add snapshots without it) and falls back to ``max(cursor)`` of the
target when expired snapshots took the property away. ``dynamodb`` (as in the seed) and ``file`` keep a copy
written after the commit with a compare-and-set; a crash in between only makes the next run re-read rows,
which the merge absorbs.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from glueforge.delete_files import find_java_table, java_table
from glueforge.errors import ConcurrentRunError, InputError, SourceError
from glueforge.lakehouse import TableName, current_catalog_name, table_exists

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

PREFIX = "glueforge.ingest."
WATERMARK = PREFIX + "watermark"
RUN_ID = PREFIX + "run-id"
CURSOR = PREFIX + "cursor"
STATE_KEY = PREFIX + "key"
ROWS_AT_WATERMARK = PREFIX + "rows-at-watermark"  # source rows tied at the watermark, counted before the read
# "column=value": the largest key in the table as of that snapshot, noted by every upsert commit so that the
# next run knows it without planning a scan (a snapshot is immutable, so the value stays true for it). A first
# load, committed by Spark's own write, notes "snapshot-id:column=value" in a table property of that name instead.
MAX_KEY = PREFIX + "max-key"
RESET = "reset"  # a reset snapshot stores an empty watermark: "no state, start over"


@dataclass(frozen=True)
class StoredState:
    watermark: str | None  # text form (see window.format_watermark); None = no state, full read
    origin: str  # where it came from, for the summary and `state show`
    run_id: str | None = None
    snapshot_id: int | None = None
    updated_at: str | None = None
    rows_at_watermark: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def now_text() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def summary_properties(
    watermark: str, run_id: str, cursor: str, key: str, rows_at_watermark: int | None = None
) -> dict[str, str]:
    properties = {WATERMARK: watermark, RUN_ID: run_id, CURSOR: cursor, STATE_KEY: key}
    if rows_at_watermark is not None:
        properties[ROWS_AT_WATERMARK] = str(rows_at_watermark)
    return properties


def iceberg_table(spark: SparkSession, table: TableName) -> Any:
    """The Iceberg Java ``Table`` (fresh metadata): reading snapshots this way runs no Spark job."""
    return java_table(spark, table)


def current_snapshot_id(spark: SparkSession, table: TableName) -> int | None:
    loaded = find_java_table(spark, table)
    return None if loaded is None else snapshot_id(loaded)


def snapshot_id(loaded: Any) -> int | None:
    """The current snapshot id of an Iceberg Java ``Table`` as loaded (``None``: no snapshot yet)."""
    snapshot = loaded.currentSnapshot()
    return None if snapshot is None else int(snapshot.snapshotId())


def note_largest_key(loaded: Any, snapshot: int, column: str, value: int) -> None:
    """Record the largest ``column`` value of ``snapshot`` in a table property (no new snapshot)."""
    loaded.updateProperties().set(MAX_KEY, f"{snapshot}:{column}={value}").commit()


def noted_largest_key(loaded: Any, column: str) -> int | None:
    """The largest ``column`` value of the current snapshot as its commit noted it (``None``: not noted)."""
    snapshot = loaded.currentSnapshot()
    if snapshot is None:
        return None
    return largest_key_noted(snapshot.summary(), loaded.properties(), int(snapshot.snapshotId()), column)


def largest_key_noted(
    summary: Mapping[str, str], properties: Mapping[str, str], snapshot_id: int, column: str
) -> int | None:
    """``noted_largest_key`` from the current snapshot's summary and id and the table's properties."""
    noted = summary.get(MAX_KEY)
    if not noted:  # a first load's note, valid while its snapshot is still the current one
        owner, _, noted = str(properties.get(MAX_KEY) or "").partition(":")
        if owner != str(snapshot_id):
            return None
    name, _, value = str(noted).partition("=")
    if name.lower() != column.lower() or not value.lstrip("-").isdigit():
        return None
    return int(value)


def ensure_unchanged_since(current: int | None, start: int | None, table: TableName) -> None:
    """Optimistic concurrency before a commit: nothing may have been committed since the run began."""
    if current != start:
        raise ConcurrentRunError("another run committed to the target while this one was reading", where=str(table))


def snapshot_summary(spark: SparkSession, table: TableName) -> dict[str, str]:
    """Summary of the current snapshot (empty without one)."""
    snapshot = iceberg_table(spark, table).currentSnapshot()
    return {} if snapshot is None else dict(snapshot.summary())


def iceberg_state(
    spark: SparkSession, table: TableName, cursor: str | None = None, *, loaded: Any = None
) -> StoredState:
    """Newest current-ancestor snapshot carrying a watermark; else ``max(cursor)`` of the target; else none.
    ``loaded``: the Iceberg table, if the caller has loaded it."""
    loaded = loaded if loaded is not None else find_java_table(spark, table)
    if loaded is None:
        return StoredState(None, "none (no target yet)")
    snapshot = loaded.currentSnapshot()
    while snapshot is not None:  # walk the current ancestry only: rolled-back snapshots do not count
        summary = snapshot.summary()
        if summary.containsKey(WATERMARK):
            return snapshot_state(summary, int(snapshot.snapshotId()), int(snapshot.timestampMillis()))
        parent = snapshot.parentId()
        snapshot = None if parent is None else loaded.snapshot(parent)
    columns = {f.name.lower(): f.name for f in spark.table(table.sql).schema.fields}
    if cursor and cursor.lower() in columns:
        from pyspark.sql import functions as F

        from transforms.incremental_jdbc_ingest.window import format_watermark, from_epoch_micros

        target = spark.table(table.sql)
        column = target[columns[cursor.lower()]]
        is_timestamp = target.schema[columns[cursor.lower()]].dataType.typeName().startswith("timestamp")
        value = target.select(F.max(F.unix_micros(column) if is_timestamp else column)).first()[0]  # type: ignore[index]
        if value is not None:
            value = from_epoch_micros(int(value)) if is_timestamp else value
            return StoredState(format_watermark(value), "target max(cursor) (no snapshot property)")
    return StoredState(None, "none (target has no watermark)")


def snapshot_state(summary: Mapping[str, str], snapshot_id: int, timestamp_ms: int) -> StoredState:
    """The state a snapshot whose summary carries a watermark stores."""
    watermark = str(summary.get(WATERMARK))
    committed = datetime.fromtimestamp(timestamp_ms / 1000, UTC).isoformat(timespec="seconds")
    origin = f"iceberg snapshot {snapshot_id}" + (" (reset)" if watermark == "" else "")
    tied = summary.get(ROWS_AT_WATERMARK)
    return StoredState(
        watermark or None,
        origin,
        summary.get(RUN_ID),
        snapshot_id,
        committed,
        int(tied) if tied is not None and watermark else None,
    )


def reset_iceberg(spark: SparkSession, table: TableName, to: str | None, key: str) -> None:
    """An empty commit whose summary carries the new watermark ("" = start over)."""
    if not table_exists(spark, table):
        raise InputError(f"target {table} does not exist: nothing to reset", where="state reset")
    empty = spark.table(table.sql).limit(0)
    writer = empty.writeTo(table.sql)
    for name, value in {WATERMARK: to or "", RUN_ID: RESET, STATE_KEY: key}.items():
        writer = writer.option(f"snapshot-property.{name}", value)
    writer.append()


class ExternalStore(Protocol):
    def load(self, key: str) -> StoredState | None: ...

    def save(self, key: str, watermark: str, run_id: str, expected: str | None) -> None: ...

    def reset(self, key: str, to: str | None) -> None: ...


class FileStore:
    """A local JSON file ``{key: {watermark, run_id, updated_at}}``, updated under an exclusive lock."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path).expanduser()

    @contextmanager
    def _locked(self) -> Iterator[dict[str, Any]]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path.with_suffix(self.path.suffix + ".lock"), "a+") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            data = json.loads(self.path.read_text(encoding="utf-8")) if self.path.is_file() else {}
            yield data
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".state-")
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(data, out, indent=2, sort_keys=True)
            os.replace(tmp, self.path)  # atomic: readers never see half a file

    def load(self, key: str) -> StoredState | None:
        if not self.path.is_file():
            return None
        item = json.loads(self.path.read_text(encoding="utf-8")).get(key)
        if not item:
            return None
        return StoredState(
            item.get("watermark") or None, f"file {self.path}", item.get("run_id"), updated_at=item.get("updated_at")
        )

    def save(self, key: str, watermark: str, run_id: str, expected: str | None) -> None:
        with self._locked() as data:
            current = (data.get(key) or {}).get("watermark") or None
            if current != expected:
                raise ConcurrentRunError(
                    f"watermark moved from {expected!r} to {current!r} during this run", where=f"file {self.path}"
                )
            data[key] = {"watermark": watermark, "run_id": run_id, "updated_at": now_text()}

    def reset(self, key: str, to: str | None) -> None:
        with self._locked() as data:
            data[key] = {"watermark": to or "", "run_id": RESET, "updated_at": now_text()}


class DynamoDBStore:
    """One item per ingest key (``state_key`` partition key), written with a conditional put."""

    def __init__(self, table_name: str, client: Any = None) -> None:
        self.table_name = table_name
        self._client = client

    @property
    def client(self) -> Any:
        if self._client is None:
            import boto3

            self._client = boto3.client("dynamodb")
        return self._client

    def load(self, key: str) -> StoredState | None:
        try:
            item = self.client.get_item(
                TableName=self.table_name, Key={"state_key": {"S": key}}, ConsistentRead=True
            ).get("Item")
        except Exception as exc:
            raise SourceError(f"cannot read state: {exc}", where=f"dynamodb {self.table_name}") from None
        if not item:
            return None
        return StoredState(
            item.get("watermark", {}).get("S") or None,
            f"dynamodb {self.table_name}",
            item.get("run_id", {}).get("S"),
            updated_at=item.get("updated_at", {}).get("S"),
        )

    def save(self, key: str, watermark: str, run_id: str, expected: str | None) -> None:
        condition, values = "attribute_not_exists(state_key) OR watermark = :empty", {":empty": {"S": ""}}
        if expected is not None:
            condition, values = "watermark = :expected", {":expected": {"S": expected}}
        item = {
            "state_key": {"S": key},
            "watermark": {"S": watermark},
            "run_id": {"S": run_id},
            "updated_at": {"S": now_text()},
        }
        try:
            self.client.put_item(
                TableName=self.table_name, Item=item, ConditionExpression=condition, ExpressionAttributeValues=values
            )
        except Exception as exc:
            code = getattr(exc, "response", {}).get("Error", {}).get("Code")
            if code == "ConditionalCheckFailedException":
                raise ConcurrentRunError(
                    f"watermark changed during this run (expected {expected!r})", where=f"dynamodb {self.table_name}"
                ) from None
            raise SourceError(f"cannot save state: {exc}", where=f"dynamodb {self.table_name}") from None

    def reset(self, key: str, to: str | None) -> None:
        item = {
            "state_key": {"S": key},
            "watermark": {"S": to or ""},
            "run_id": {"S": RESET},
            "updated_at": {"S": now_text()},
        }
        try:
            self.client.put_item(TableName=self.table_name, Item=item)
        except Exception as exc:
            raise SourceError(f"cannot reset state: {exc}", where=f"dynamodb {self.table_name}") from None


def external_store(kind: str, location: str | None) -> ExternalStore | None:
    """The configured non-Iceberg store, or None for the default (snapshot summary only)."""
    factories: dict[str, Any] = {"file": FileStore, "dynamodb": DynamoDBStore}
    if kind == "iceberg":
        return None
    assert location is not None
    store: ExternalStore = factories[kind](location)
    return store


def target_lock(spark: SparkSession, table: TableName) -> AbstractContextManager[None]:
    """An exclusive, non-blocking lock per target while a run works on it (local warehouses only;
    on S3/Glue Iceberg's optimistic concurrency and the snapshot check are the guard)."""
    catalog = table.catalog or current_catalog_name(spark)
    return warehouse_lock(spark.conf.get(f"spark.sql.catalog.{catalog}.warehouse", None), table)


@contextmanager
def warehouse_lock(warehouse: str | None, table: TableName) -> Iterator[None]:
    """``target_lock`` of ``table`` in its catalog's ``warehouse`` (``None``: not a local warehouse, no lock)."""
    if not warehouse or ("://" in warehouse and not warehouse.startswith("file:")):
        yield
        return
    # Not inside the warehouse: the hadoop catalog would list any folder there as a namespace.
    warehouse_id = hashlib.sha1(str(Path(warehouse.removeprefix("file:")).resolve()).encode()).hexdigest()[:16]  # noqa: S324
    lock_dir = Path(tempfile.gettempdir()) / "glueforge-locks" / warehouse_id
    lock_dir.mkdir(parents=True, exist_ok=True)
    with open(lock_dir / f"{table.namespace}.{table.table}.lock", "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ConcurrentRunError(
                f"another ingest run is writing {table}; retry when it has finished", where=str(table)
            ) from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
