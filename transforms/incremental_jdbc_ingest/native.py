"""Incremental runs without the JVM: a small PostgreSQL window into a table of a local ``hadoop`` catalog.

The direct path (``direct``) reads a small window with psycopg and writes it with pyarrow, but the rest of such
a run still went through the JVM: the source's schema, the bound query and the tie count through the JDBC
driver, the target's state through Spark's catalog and Iceberg's table, the commit through Iceberg's API. In a
fresh JVM each of those is code running for the first time, and together they cost more than the run's own
work (measured: 0.5 s of a 0.7 s run). When every answer has an exact Python equivalent, the run takes it:

- the target: ``glueforge.hadoop_table`` reads the table's metadata files (state, schema, properties,
  the largest key noted) and makes the commit;
- the source: psycopg runs the very statements the JDBC run generates (probe, bound query, tie count) and
  hands back the same values; the window is ``direct``'s PostgreSQL read.

It is the direct path's run and nothing else: an incremental window of at most ``direct_read_max_rows`` rows,
committed by equality delete, with its state in the target. Whatever it cannot decide the way the JVM run
would (another database or catalog, a first load, a column type outside its map, a window the direct path
does not take, an error of any kind before the commit) makes ``try_run`` return ``None`` before anything is
written; the JVM run then starts over (stages already reported to the hook are not reported twice).
"""

from __future__ import annotations

import contextlib
import dataclasses
import importlib.util
import logging
import os
import uuid
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from glueforge.errors import EnvironmentProblem, UserError
from glueforge.hadoop_table import HadoopTable, NativeCommitUnavailable
from glueforge.lakehouse import TableName, refresh_spark_table
from transforms.incremental_jdbc_ingest import direct
from transforms.incremental_jdbc_ingest.file_metrics import file_metrics, metrics_modes
from transforms.incremental_jdbc_ingest.reader import JdbcReader, SourceShape
from transforms.incremental_jdbc_ingest.state import (
    RESET,
    WATERMARK,
    StoredState,
    ensure_unchanged_since,
    largest_key_noted,
    snapshot_state,
    summary_properties,
    warehouse_lock,
)
from transforms.incremental_jdbc_ingest.upsert import UNSUITABLE_KEY_TYPES, codec_of, removed_unless_committed
from transforms.incremental_jdbc_ingest.window import (
    ReadWindow,
    format_watermark,
    from_epoch_micros,
    lower_bound,
    next_watermark,
    parse_watermark,
)

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession
    from pyspark.sql.types import StructType

    from transforms.incremental_jdbc_ingest.connection import JdbcSource
    from transforms.incremental_jdbc_ingest.ingest import Hook, IngestResult, _Clock
    from transforms.incremental_jdbc_ingest.options import IngestOptions
    from transforms.incremental_jdbc_ingest.summary import RunSummary

log = logging.getLogger("glueforge.ingest")


class NotNative(Exception):
    """This run needs the JVM (the message says why); nothing has been written."""


# --- the target -----------------------------------------------------------------------------------------------


class SessionConf:
    """Spark's settings as the run sees them: the session's, or, when there is no session yet (the CLI tries a
    run without the JVM before starting one), the settings glueforge would start its local session with."""

    def __init__(self, spark: SparkSession | None, settings: Mapping[str, str] | None = None) -> None:
        self.spark = spark
        self.settings = dict(settings or {})

    def get(self, key: str, default: str | None = None) -> str | None:
        if self.spark is not None:
            value = self.spark.conf.get(key, default)
            return None if value is None else str(value)
        return self.settings.get(key, default)


def analyzer_built(spark: SparkSession | None) -> bool:
    """Whether Spark's analyzer, and with it the catalog manager, exists yet: it is built on the first statement
    or table lookup (tenths of a second in a fresh JVM). Until then no statement has run: no ``USE`` changed the
    current catalog, and no catalog has cached a table. ``True`` when it cannot tell."""
    if spark is None:
        return False
    state: Any = cast(Any, spark)._jsparkSession.sessionState()
    try:
        field = state.getClass().getDeclaredField("analyzer")  # a lazy field of Spark 3.5's SessionState
        field.setAccessible(True)
        return field.get(state) is not None
    except Exception:
        return True


def _current_catalog(conf: SessionConf) -> str:
    if not analyzer_built(conf.spark):
        return str(conf.get("spark.sql.defaultCatalog", "spark_catalog"))
    return str(cast(Any, conf.spark)._jsparkSession.sessionState().catalogManager().currentCatalog().name())


class NativeTarget:
    """The run's target as its metadata files describe it (``HadoopTable``), with what the run asks of it."""

    def __init__(self, name: TableName, table: HadoopTable, warehouse: str) -> None:
        self.name = name
        self.table = table
        self.warehouse = warehouse

    @classmethod
    def locate(cls, conf: SessionConf, name: TableName) -> NativeTarget:
        catalog = name.catalog or _current_catalog(conf)
        prefix = f"spark.sql.catalog.{catalog}"
        settings = {key: conf.get(f"{prefix}{key}") for key in ("", ".type", ".warehouse")}
        if settings[""] != "org.apache.iceberg.spark.SparkCatalog" or settings[".type"] != "hadoop":
            raise NotNative(f"catalog {catalog} is not an Iceberg hadoop catalog")
        warehouse = settings[".warehouse"] or ""
        if not direct.is_local(warehouse):
            raise NotNative(f"warehouse {warehouse} is not local")
        location = Path(warehouse.removeprefix("file:")) / name.namespace / name.table
        try:
            table = HadoopTable.load(location)
        except NativeCommitUnavailable as why:
            raise NotNative(str(why)) from None
        if table is None:
            raise NotNative("no target yet (a first load)")
        if (unsupported := table.unsupported_reason()) is not None:
            raise NotNative(f"the target is {unsupported}")
        qualified = TableName(name.namespace, name.table, catalog)
        return cls(qualified, table, warehouse)

    def refresh(self) -> None:
        latest = HadoopTable.load(self.table.location)
        if latest is None:
            raise NotNative("the target disappeared")
        self.table = latest

    @property
    def snapshot_id(self) -> int | None:
        return self.table.current_snapshot_id

    def state(self) -> StoredState:
        """``state.iceberg_state``: the newest current-ancestor snapshot carrying a watermark."""
        for snapshot in self.table.ancestry():
            summary = snapshot.get("summary") or {}
            if WATERMARK in summary:
                state = snapshot_state(summary, int(snapshot["snapshot-id"]), int(snapshot["timestamp-ms"]))
                if state.watermark is None or state.run_id == RESET:  # rewound: rows above it are compared
                    raise NotNative("the state was reset")
                return state
        raise NotNative("no snapshot carries a watermark")

    def noted_largest_key(self, column: str) -> int | None:
        """``state.noted_largest_key``: the current snapshot's noted largest key (``None``: not noted)."""
        snapshot = self.table.current_snapshot
        if snapshot is None:
            return None
        summary = snapshot.get("summary") or {}
        return largest_key_noted(summary, self.table.properties, int(snapshot["snapshot-id"]), column)

    def unsuitable_reason(self, keys: tuple[str, ...], batch_columns: list[str]) -> str | None:
        """``upsert.unsuitable_reason`` of a v2, unpartitioned table (``HadoopTable`` takes no other)."""
        mode = self.table.properties.get("write.merge.mode", "copy-on-write")
        if mode != "merge-on-read":
            return f"write.merge.mode={mode}: the table's owner asked for rewritten files, not delete files"
        fields = {f["name"].lower(): f for f in self.table.schema["fields"]}
        for key in keys:
            field = fields.get(key.lower())
            if field is None:
                return f"key column {key} is not in the target"
            if str(field["type"]).upper() in UNSUITABLE_KEY_TYPES:
                return f"key column {key} is floating point"
        sent = {c.lower() for c in batch_columns}
        missing = [f["name"] for f in self.table.schema["fields"] if f["name"].lower() not in sent]
        return f"the source no longer sends target column(s) {', '.join(missing)}" if missing else None

    def sorted_by_anything(self) -> bool:
        order_id = self.table.metadata.get("default-sort-order-id", 0)
        orders = self.table.metadata.get("sort-orders", [])
        return any(o.get("order-id") == order_id and o.get("fields") for o in orders)


def stored_state(spark_settings: Mapping[str, str], table: TableName) -> StoredState | None:
    """``state.iceberg_state`` of a local target read from its metadata files, before any Spark session exists
    (``glueforge ingest state show``); ``None`` when it takes Spark (another catalog, no target, a table this
    module does not read, or no snapshot carrying a watermark: the state is then ``max(cursor)`` of the target)."""
    try:
        target = NativeTarget.locate(SessionConf(None, spark_settings), table)
    except NotNative:
        return None
    for snapshot in target.table.ancestry():
        summary = snapshot.get("summary") or {}
        if WATERMARK in summary:
            return snapshot_state(summary, int(snapshot["snapshot-id"]), int(snapshot["timestamp-ms"]))
    return None


# --- the source -----------------------------------------------------------------------------------------------

# PostgreSQL type -> the Spark type Spark 3.5's JDBC read gives it (JdbcUtils + PostgresDialect; tests compare
# them with Spark's own resolution). CHAR(n) is left out: Spark pads it and notes its width in the metadata.
_PG_SPARK_TYPES = {
    "int2": "ShortType",
    "int4": "IntegerType",
    "int8": "LongType",
    "float4": "FloatType",
    "float8": "DoubleType",
    "bool": "BooleanType",
    "date": "DateType",
    **dict.fromkeys(("text", "varchar", "uuid", "json", "jsonb", "name"), "StringType"),
}


def spark_type_of(pg_type: str | None, precision: int | None, scale: int | None, ntz: bool) -> Any:
    """The Spark type of a PostgreSQL result column, as Spark's JDBC read resolves it (``None``: not mapped)."""
    from pyspark.sql import types as T

    if pg_type == "numeric":  # unconstrained numeric: Spark's system default decimal
        return T.DecimalType(38, 18) if precision is None else T.DecimalType(precision, scale or 0)
    if pg_type in ("timestamp", "timestamptz"):  # the driver reports both as TIMESTAMP
        return T.TimestampNTZType() if ntz else T.TimestampType()
    name = _PG_SPARK_TYPES.get(pg_type or "")
    return None if name is None else getattr(T, name)()


class NativeReader(JdbcReader):
    """``JdbcReader`` whose plain connection is psycopg's: the same generated statements and the same values."""

    def __init__(self, conf: SessionConf, source: JdbcSource, options: IngestOptions) -> None:
        super().__init__(cast(Any, conf.spark), source, options)  # its Spark-side methods are never called here
        self._pg: Any = None
        self.unmapped: list[str] = []  # "column type" of result columns without a Spark type here
        self._ntz = str(conf.get("spark.sql.timestampType", "TIMESTAMP_LTZ")).upper() == "TIMESTAMP_NTZ"

    @contextlib.contextmanager
    def session(self) -> Iterator[None]:
        import psycopg

        try:
            args = direct.postgres_connect_args(self.source.url, self.source.user, self.source.password)
        except direct.DirectReadUnavailable as why:
            raise NotNative(str(why)) from None
        statements = [*direct.PG_SESSION, *([self.dialect.session_init] if self.dialect.session_init else [])]
        try:
            self._pg = psycopg.connect(**args, autocommit=True, connect_timeout=30, application_name="glueforge")
            self._pg.execute("; ".join(statements))
        except Exception as exc:  # the JVM run reports a refused login or an unreachable database properly
            with contextlib.suppress(Exception):
                self._pg.close()
            raise NotNative(f"psycopg could not set up the session ({type(exc).__name__})") from None
        try:
            yield
        finally:
            with contextlib.suppress(Exception):
                self._pg.close()
            self._pg = None

    def probe(self) -> SourceShape:
        """``JdbcReader.probe`` through psycopg; any error is left for the JVM run to report as it always has."""
        try:
            shape = super().probe()
        except (UserError, NotNative) as exc:
            raise NotNative(f"the probe failed ({type(exc).__name__})") from None
        if self.unmapped:
            raise NotNative(f"no Spark type here for {', '.join(self.unmapped)}")
        return shape

    @property
    def connection(self) -> Any:
        """The run's psycopg connection (open inside ``session()``)."""
        return self._pg

    def _query(self, sql: str, *, first_row: bool = False) -> Any:
        """The statement's cursor (or its first row): any error of the source's, or a value psycopg cannot
        convert, is left for the JVM run to report as it always has."""
        try:
            cursor = self._pg.execute(sql)
            return cursor.fetchone() if first_row else cursor
        except Exception as exc:
            raise NotNative(f"the source refused a statement ({type(exc).__name__})") from None

    def _schema(self, sql: str) -> StructType:
        from pyspark.sql.types import NullType, StructField, StructType

        described = self._query(f"SELECT * FROM {self.dialect.subquery(sql, 'gf_probe')} LIMIT 0").description or []
        fields = []
        for column in described:
            info = self._pg.adapters.types.get(column.type_code)
            pg_type = None if info is None else str(info.name)
            spark_type = spark_type_of(pg_type, column.precision, column.scale, self._ntz)
            if spark_type is None:  # an error raised here would be reported as the source's: noted instead
                self.unmapped.append(f"{column.name} {pg_type}")
                spark_type = NullType()
            fields.append(StructField(column.name, spark_type, True))
        return StructType(fields)

    def _direct_row(self, sql: str, kinds: tuple[str, ...], where: str) -> list[Any] | None:
        row = self._query(sql, first_row=True)
        if row is None:
            return [None] * len(kinds)
        return [_VALUES[kind](value) for kind, value in zip(kinds, row, strict=True)]

    def declared_unique_keys(self) -> list[frozenset[str]]:
        """Primary key and unique indexes without a predicate or an expression, from PostgreSQL's catalog."""
        if self.options.table is None:
            return []
        sql = (
            "SELECT array_agg(a.attname::text) FROM pg_index i JOIN pg_attribute a "
            "ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) "
            "WHERE i.indrelid = to_regclass(%s) AND i.indisunique AND i.indpred IS NULL AND i.indexprs IS NULL "
            "GROUP BY i.indexrelid"
        )
        try:
            rows = self._pg.execute(sql, (self.options.table,)).fetchall()
        except Exception:  # metadata is an optimisation only
            return []
        return [frozenset(str(name).lower() for name in row[0]) for row in rows]


def _timestamp(value: Any) -> datetime | None:
    """A timestamp as the JDBC getter gives it: an instant, naive values read in the JVM's time zone (UTC)."""
    if value is None:
        return None
    aware = value.replace(tzinfo=UTC) if value.tzinfo is None else value
    delta = aware - datetime(1970, 1, 1, tzinfo=UTC)
    return from_epoch_micros((delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds)


_VALUES: dict[str, Callable[[Any], Any]] = {
    "timestamp": _timestamp,
    "date": lambda value: None if value is None else date.fromisoformat(value.isoformat()[:10]),
    "long": lambda value: None if value is None else int(value),
    "decimal": lambda value: None if value is None else Decimal(value),
}


# --- the run --------------------------------------------------------------------------------------------------


def eligible(conf: SessionConf, options: IngestOptions, source: JdbcSource, glue_context: Any) -> str | None:
    """Why this run is not one for the JVM-free path, from its options alone (``None``: it may be)."""
    reasons = [
        (glue_context is not None, "a Glue job"),
        (source.dialect.name != "postgresql", f"a {source.dialect.name} source"),
        (importlib.util.find_spec("psycopg") is None, "psycopg is not installed"),
        (options.state_store != "iceberg", f"the {options.state_store} state store"),
        (options.write_mode != "merge" or bool(options.soft_delete_column), "rows compared with the target"),
        (options.upsert_strategy == "merge", "upsert_strategy=merge"),
        (bool(options.lookback_seconds) or options.null_cursor == "include", "rows compared with the target"),
        (options.upper_bound != "max_cursor", f"upper_bound={options.upper_bound}"),
        (not options.direct_read_max_rows, "direct_read_max_rows=0"),
        (bool(options.compact_after_delete_files), "compaction after the run"),
        (options.output == "target", "output=target"),
    ]
    if (why := next((why for failed, why in reasons if failed), None)) is not None:
        return why
    if str(conf.get("spark.driver.extraJavaOptions", "")).find("-Duser.timezone=UTC") < 0:
        return "the JVM's time zone may not be UTC (naive timestamps are read in it)"
    return None


def try_run(
    conf: SessionConf,
    options: IngestOptions,
    source: JdbcSource,
    glue_context: Any,
    summary: RunSummary,
    fire: Hook,
    clock: _Clock,
) -> IngestResult | None:
    """The whole run without the JVM, or ``None`` (nothing written, ``summary`` untouched) when it needs it."""
    why = eligible(conf, options, source, glue_context)
    if why is not None:
        summary.jvm_reason = why
        return None
    given, summary = summary, dataclasses.replace(summary, jvm_used=False)  # the JVM run starts from the given one
    try:
        target = NativeTarget.locate(conf, options.target)
        reader = NativeReader(conf, source, options)
        with reader.session(), warehouse_lock(target.warehouse, target.name):
            return _run(conf, options, target, reader, summary, fire, clock)
    except NotNative as needs:
        log.info("ingest into %s runs in the JVM: %s", options.target, needs)
        given.jvm_reason = str(needs)
        return None


def _run(
    conf: SessionConf,
    options: IngestOptions,
    target: NativeTarget,
    reader: NativeReader,
    summary: RunSummary,
    fire: Hook,
    clock: _Clock,
) -> IngestResult:
    from pyspark.sql.types import IntegralType

    from transforms.incremental_jdbc_ingest.ingest import IngestResult, key_range, new_keys_only

    target.refresh()  # under the lock
    start_snapshot = target.snapshot_id
    shape = reader.probe()
    state = target.state()
    kind = shape.cursor_kind
    before = parse_watermark(cast(str, state.watermark), kind)
    lower = lower_bound(before, kind, options.lookback_seconds)
    summary.watermark_before = format_watermark(before)
    summary.watermark_origin = state.origin
    summary.window_lower = format_watermark(lower) if lower is not None else None
    clock.lap("state")

    fire("before_read")
    bounds = reader.bounds(shape, lower)
    if bounds.null_rows and options.null_cursor == "raise":
        raise NotNative("NULL cursors: the JVM run reports them")
    after = next_watermark(before, bounds.upper)
    summary.window_upper = format_watermark(bounds.upper) if bounds.upper is not None else None
    summary.watermark_after = format_watermark(after) if after is not None else None
    clock.lap("bounds")
    unchanged = (
        bounds.upper == before and state.rows_at_watermark is not None and bounds.rows == state.rows_at_watermark
    )
    if bounds.rows == 0 or unchanged:
        summary.status, summary.reader = "no_change", "none"  # nothing to read
        _refresh_spark(conf.spark, target)  # as the JVM run's reload of the target does
        empty = _batch(conf, lambda spark: spark.createDataFrame([], shape.schema))
        return _finished(summary, clock, IngestResult(summary, None, empty))
    if bounds.upper == before and state.rows_at_watermark is None:
        raise NotNative("ties at the watermark without a count: the JVM run compares them with the target")
    if bounds.rows > options.direct_read_max_rows:
        raise NotNative(f"{bounds.rows} rows: more than direct_read_max_rows")

    keys = shape.primary_keys
    reason = target.unsuitable_reason(keys, shape.schema.fieldNames())
    if reason is not None:
        raise NotNative(f"the target takes no equality deletes ({reason})")
    wanted = {k.lower() for k in keys}
    if not any(unique <= wanted for unique in reader.declared_unique_keys()):
        raise NotNative("the source declares no unique key covered by primary_keys")
    if target.sorted_by_anything():
        raise NotNative("a sorted target (its sort columns' metrics)")
    if (manifests := target.table.manifests_to_merge()) is not None:
        raise NotNative(f"{manifests} manifests: Iceberg's Java commit merges them")
    integer_key = len(keys) == 1 and isinstance(shape.schema[keys[0]].dataType, IntegralType)
    if integer_key and target.noted_largest_key(keys[0]) is None:
        raise NotNative("the target's largest key is not noted (the JVM run reads the manifests' bounds)")
    columns = direct.schema_columns(target.table.schema)
    modes = metrics_modes(target.table.properties, [c.name for c in columns])
    if modes is None:
        raise NotNative("metrics modes beyond the table's properties")
    try:
        client = direct.client_for("postgresql")
        codec = direct.pyarrow_codec(codec_of(target.table.properties))
        ties = reader.rows_at(shape, before) if state.rows_at_watermark is not None else None
        skip_ties = bool(ties) and ties == state.rows_at_watermark
        window = ReadWindow(lower, bounds.upper, False)
        window_sql = reader.window_sql(shape, window, above_lower=skip_ties)
        rows = direct.read_window(
            client,
            reader.source,
            window_sql,
            columns,
            shape.schema,
            pad_chars=direct.pads_chars(conf.get),
            connection=reader.connection,
        )
    except direct.DirectReadUnavailable as why:
        raise NotNative(str(why)) from None
    if rows.num_rows == 0:
        raise NotNative("the window holds no new rows now")
    summary.reader, summary.partitions = client.reader, 1
    summary.unchanged = ties if skip_ties and ties else 0
    summary.upserted = rows.num_rows
    summary.rows_read = rows.num_rows + summary.unchanged
    clock.lap("read")
    fire("after_read")

    tied = bounds.rows_at_upper if after is not None and after == bounds.upper else None
    properties = summary_properties(summary.watermark_after or "", summary.run_id, shape.cursor, options.key, tied)
    only_new, properties = new_keys_only(target.noted_largest_key, keys, key_range(rows, keys), properties)
    if only_new:
        summary.write_plan, summary.inserted, summary.updated = "append", rows.num_rows, 0
    else:
        summary.write_plan, summary.inserted, summary.updated = "equality_delete", None, None
    target.refresh()
    ensure_unchanged_since(target.snapshot_id, start_snapshot, options.target)
    fire("before_commit")
    summary.snapshot_id = _commit(
        target, rows, keys, properties, codec, modes, start_snapshot, with_deletes=not only_new
    )
    _refresh_spark(conf.spark, target)
    clock.lap("write")
    fire("after_commit")
    return _finished(
        summary,
        clock,
        IngestResult(
            summary,
            None,
            _batch(conf, lambda spark: spark.createDataFrame(rows.to_pandas(), spark.table(target.name.sql).schema)),
        ),
    )


def _batch(conf: SessionConf, build: Callable[[SparkSession], DataFrame]) -> Callable[[], DataFrame]:
    """The run's batch as a DataFrame, built when asked for: only a run given a Spark session has one."""

    def batch() -> DataFrame:
        if conf.spark is None:
            raise EnvironmentProblem("this run had no Spark session: its batch is not a DataFrame", where="batch")
        return build(conf.spark)

    return batch


def _refresh_spark(spark: SparkSession | None, target: NativeTarget) -> None:
    """Make Spark's next read of the target see its current version: Spark may hold the table (or data of it)
    from before, once it has run any statement."""
    if spark is not None and analyzer_built(spark):
        refresh_spark_table(spark, target.name)


def _finished(summary: RunSummary, clock: _Clock, result: IngestResult) -> IngestResult:
    summary.seconds = clock.total()
    summary.stage_seconds = clock.stages
    log.info("ingest summary %s", summary.to_json())
    return result


def _commit(
    target: NativeTarget,
    rows: Any,
    keys: tuple[str, ...],
    properties: dict[str, str],
    codec: str,
    modes: dict[str, str],
    start_snapshot: int | None,
    *,
    with_deletes: bool,
) -> int:
    """``direct.upsert_arrow`` on the table's files: the data file (and the equality-delete file of its keys)
    written by pyarrow, committed by ``HadoopTable``; the files are removed again unless the commit landed."""
    stem = f"gf-direct-{uuid.uuid4().hex[:16]}"
    data_dir = target.table.data_location
    written: list[str] = []

    def remove() -> None:
        for path in written:
            with contextlib.suppress(OSError):
                os.remove(path.removeprefix("file:"))

    measured = {}
    with removed_unless_committed(remove):
        for suffix, content in (("data", rows), *((("deletes", rows.select(list(keys))),) if with_deletes else ())):
            path = target.table.uri(data_dir / f"{stem}-{suffix}.parquet")  # as the table spells its files
            written.append(path)
            size, footer = direct.write_local_parquet(path, content, codec)
            measured[path] = (size, file_metrics(content, modes, footer))
        return direct.commit_natively(
            target.table, target.name, measured, written[1:], keys, properties, start_snapshot
        )
