"""Reading the source over Spark JDBC: schema probe, the bound query, and the partitioned window read.

Every statement is generated here from validated identifiers and dialect literals. The bound query runs
before the window read, so the window's upper end is fixed before any row is read and all partitions read
the same range. Driver errors become user errors naming what failed (never the password).
"""

from __future__ import annotations

import contextlib
import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast

from glueforge.errors import EnvironmentProblem, InputError, NotFoundError, SourceError, UserError
from transforms.incremental_jdbc_ingest.connection import JdbcSource, declared_unique_keys, open_connection
from transforms.incremental_jdbc_ingest.connection import NoDriver as _NoDriver
from transforms.incremental_jdbc_ingest.options import DEFAULT_MAX_PARTITIONS, ROWS_PER_PARTITION, IngestOptions
from transforms.incremental_jdbc_ingest.template import bind_template
from transforms.incremental_jdbc_ingest.window import (
    CursorKind,
    CursorValue,
    ReadWindow,
    from_epoch_micros,
    kind_for_spark_type,
)

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession
    from pyspark.sql.types import StructType

# Driver messages -> user errors; first match wins (column before table: both say "does not exist").
_ERROR_PATTERNS: list[tuple[re.Pattern[str], type[UserError], str]] = [
    (re.compile(p, re.IGNORECASE), cls, what)
    for p, cls, what in [
        (
            r"password authentication failed|access denied for user|authentication failed|ORA-01017|login failed"
            r"|no password was provided|FATAL: role",
            SourceError,
            "login refused (check user and password)",
        ),
        (
            r"connection refused|communications link failure|could not connect|connection attempt failed"
            r"|unknownhost|could not create connection|socket fail|no route to host|timed out",
            EnvironmentProblem,
            "database unreachable",
        ),
        (
            r"column .* does not exist|unknown column|no such column|ORA-00904|invalid column name",
            NotFoundError,
            "unknown column",
        ),
        (r"database .* does not exist|unknown database", NotFoundError, "unknown database"),
        (
            r"relation .* does not exist|table .* doesn't exist|no such table|ORA-00942|invalid object name",
            NotFoundError,
            "unknown table",
        ),
        (r"syntax error|error in your sql syntax|ORA-009(?:0[0-3]|33)|incorrect syntax", InputError, "invalid SQL"),
    ]
]
FLOOR: dict[CursorKind, CursorValue] = {
    CursorKind.TIMESTAMP: datetime(1900, 1, 1, tzinfo=UTC),
    CursorKind.DATE: date(1900, 1, 1),
    CursorKind.INTEGER: -(2**63),
    CursorKind.DECIMAL: Decimal(-(10**30)),
}
SPARK_CURSOR_TYPES: dict[CursorKind, str] = {
    CursorKind.TIMESTAMP: "TIMESTAMP",
    CursorKind.DATE: "DATE",
    CursorKind.INTEGER: "BIGINT",
    CursorKind.DECIMAL: "DECIMAL(38,10)",
}


def translate(exc: BaseException, source: JdbcSource, where: str) -> UserError:
    """A driver/Spark exception as a user error naming what failed; the password is scrubbed."""
    text = str(exc)
    first = next((line.strip() for line in text.splitlines() if re.search(r"Exception|ERROR|error", line)), text)
    detail = first.split("Exception:", 1)[-1].strip()[:300]
    if source.password:
        detail = detail.replace(source.password, "***")
    for pattern, cls, what in _ERROR_PATTERNS:
        if pattern.search(text):
            return cls(f"{what}: {detail}", where=f"{where} ({source.safe_url})")
    return SourceError(f"the database refused the request: {detail}", where=f"{where} ({source.safe_url})")


@dataclass(frozen=True)
class SourceShape:
    """The source as Spark sees it, with the real (case-correct) names of the columns the ingest uses."""

    schema: StructType
    cursor: str
    cursor_kind: CursorKind
    primary_keys: tuple[str, ...]


@dataclass(frozen=True)
class Bounds:
    lowest: CursorValue | None  # min(cursor) in the window: the partitioning start
    upper: CursorValue | None  # max(cursor) (or database time - lag): the window end and the next watermark
    rows: int  # rows in the window (NULL cursors included when the policy includes them); first load: capped
    null_rows: int
    rows_at_upper: int | None = None  # rows whose cursor equals max(cursor), counted before the read
    # min/max of a single integer primary key in the window: the preferred partitioning range. Cursors are
    # often skewed (most rows changed lately, or a whole backfill at one timestamp): equal cursor ranges
    # would leave one read doing nearly all the work, while generated keys are dense.
    key_lowest: int | None = None
    key_highest: int | None = None


class JdbcReader:
    def __init__(self, spark: SparkSession, source: JdbcSource, options: IngestOptions) -> None:
        self.spark = spark
        self.source = source
        self.options = options
        self.dialect = source.dialect
        self._keep = False  # inside ``session()``: keep the first plain JDBC connection for the run
        self._kept: Any = None

    # SQL building ---------------------------------------------------------------------------------------
    def source_sql(self, lower: CursorValue | None, kind: CursorKind) -> str:
        """``SELECT * FROM table`` or the custom SQL with ``{lastmdfdtmst}`` bound to ``lower``."""
        if self.options.query is not None:
            return bind_template(self.options.query, lower, self.dialect, FLOOR[kind]).strip()
        assert self.options.table is not None
        return f"SELECT * FROM {self.dialect.quote_table(self.options.table)}"

    def window_predicate(self, alias: str, cursor: str, window: ReadWindow) -> str:
        column = f"{alias}.{self.dialect.quote(cursor)}"
        if window.upper is None:
            return f"({column} IS NULL)"
        parts = [f"{column} <= {self.dialect.literal(window.upper)}"]
        if window.lower is not None:
            parts.insert(0, f"{column} >= {self.dialect.literal(window.lower)}")
        predicate = " AND ".join(parts)
        return f"(({predicate}) OR {column} IS NULL)" if window.include_nulls else f"({predicate})"

    def bound_sql(
        self, shape: SourceShape, lower: CursorValue | None, upper: CursorValue | None, count_cap: int | None = None
    ) -> str:
        """min/max/count of the cursor in ``[lower, upper]`` and the other figures a run needs, in one query;
        ``count_cap``: count at most that many rows (``gf_rows``)."""
        d, cursor = self.dialect, self.dialect.quote(shape.cursor)
        src = self.source_sql(lower, shape.cursor_kind)

        def within(alias: str) -> str:
            where = []
            if lower is not None:
                where.append(f"{alias}.{cursor} >= {d.literal(lower)}")
            if upper is not None:
                where.append(f"{alias}.{cursor} <= {d.literal(upper)}")
            return f" WHERE {' AND '.join(where)}" if where else ""

        rows = "COUNT(*)"
        if count_cap is not None:
            # A scalar subquery, not COUNT(*) beside the MIN/MAX: with only MIN/MAX aggregates left, PostgreSQL
            # and MySQL answer those from indexes instead of scanning the window once more.
            capped = d.first_rows(f"{d.subquery(src, 'c')}{within('c')}", count_cap)
            rows = f"(SELECT COUNT(*) FROM {d.subquery(capped, 'gf_capped')})"
        nulls = "0"
        if self.options.null_cursor != "exclude":
            nulls = f"(SELECT COUNT(*) FROM {d.subquery(src, 'z')} WHERE z.{cursor} IS NULL)"
        # Rows tied at max(cursor), counted now (before the read): stored with the commit, it lets the next
        # run recognise "nothing new" from the bound query alone (an index lookup with an index on the cursor).
        at_upper = "0"
        if upper is None:
            y_where = f" WHERE y.{cursor} >= {d.literal(lower)}" if lower is not None else ""
            at_upper = (
                f"(SELECT COUNT(*) FROM {d.subquery(src, 'x')} WHERE x.{cursor} = "
                f"(SELECT MAX(y.{cursor}) FROM {d.subquery(src, 'y')}{y_where}))"
            )
        key_range = ""
        if (key := partition_key(shape)) is not None:
            key_range = f", MIN(w.{d.quote(key)}) AS gf_key_lo, MAX(w.{d.quote(key)}) AS gf_key_hi"
        return (
            f"SELECT MIN(w.{cursor}) AS gf_lo, MAX(w.{cursor}) AS gf_hi, {rows} AS gf_rows, {nulls} AS gf_nulls, "
            f"{at_upper} AS gf_at_hi{key_range} FROM {d.subquery(src, 'w')}{within('w')}"
        )

    def window_sql(self, shape: SourceShape, window: ReadWindow, *, above_lower: bool = False) -> str:
        """The window's rows; ``above_lower``: without the rows *at* its lower bound."""
        src = self.source_sql(window.lower, shape.cursor_kind)
        sql = (
            f"SELECT * FROM {self.dialect.subquery(src, 'w')} WHERE {self.window_predicate('w', shape.cursor, window)}"
        )
        if above_lower and window.lower is not None:
            sql += f" AND w.{self.dialect.quote(shape.cursor)} > {self.dialect.literal(window.lower)}"
        return sql

    def rows_at(self, shape: SourceShape, value: CursorValue) -> int | None:
        """How many source rows have exactly ``value`` as cursor (one indexed count; ``None``: no driver for a
        plain JDBC connection)."""
        src = self.source_sql(value, shape.cursor_kind)
        column = self.dialect.quote(shape.cursor)
        sql = f"SELECT COUNT(*) FROM {self.dialect.subquery(src, 'w')} WHERE w.{column} = {self.dialect.literal(value)}"
        row = self._direct_row(sql, ("long",), "tie count")
        return None if row is None or row[0] is None else int(row[0])

    # Execution ------------------------------------------------------------------------------------------
    def _jdbc(self, dbtable: str, **extra: str) -> DataFrame:
        reader = self.spark.read.format("jdbc")
        for key, value in {**self.source.spark_options(), "dbtable": dbtable, **extra}.items():
            reader = reader.option(key, value)
        return reader.load()

    def probe(self) -> SourceShape:
        """Resolve the schema (Spark runs the statement with ``WHERE 1=0``) and check the named columns."""
        sql = self.source_sql(None, CursorKind.TIMESTAMP) if self.options.query is None else self._probe_query()
        try:
            schema = self._schema(sql)
        except Exception as exc:
            raise translate(exc, self.source, self.options.table or "query") from None
        by_lower = {f.name.lower(): f for f in schema.fields}
        columns = ", ".join(f.name for f in schema.fields)

        def real(name: str, what: str) -> str:
            field = by_lower.get(name.lower())
            if field is None:
                raise NotFoundError(f"{what} {name!r} is not a source column (columns: {columns})", where=what)
            return field.name

        cursor = real(self.options.cursor_column, "cursor_column")
        keys = tuple(real(k, "primary_keys") for k in self.options.primary_keys)
        for extra_column, what in (
            (self.options.hashfield, "hashfield"),
            (self.options.soft_delete_column, "soft_delete_column"),
        ):
            if extra_column:
                real(extra_column, what)
        kind = kind_for_spark_type(by_lower[cursor.lower()].dataType.simpleString(), cursor)
        return SourceShape(schema, cursor, kind, keys)

    def _schema(self, sql: str) -> StructType:
        """The Spark schema of ``sql``'s rows, resolved as Spark's JDBC source resolves it (the statement with
        ``WHERE 1=0``, then ``JdbcUtils.getSchema``) but on the run's plain connection: no second login, no
        DataFrame to analyse. Spark resolves it itself when ``DriverManager`` has no driver for the URL."""
        dbtable = self.dialect.subquery(sql, "gf_probe")
        try:
            with self._connection() as connection:
                return self._resolved_schema(connection, dbtable)
        except _NoDriver:
            return self._jdbc(dbtable).schema

    def _resolved_schema(self, connection: Any, dbtable: str) -> StructType:
        import json

        from pyspark.sql.types import StructType

        jvm: Any = cast(Any, self.spark)._jvm
        jdbc_dialect = jvm.org.apache.spark.sql.jdbc.JdbcDialects.get(self.source.url)
        # Spark's JDBC option preferTimestampNTZ defaults to the session's timestamp type
        ntz = str(self.spark.conf.get("spark.sql.timestampType", "TIMESTAMP_LTZ")).upper() == "TIMESTAMP_NTZ"
        statement = connection.prepareStatement(jdbc_dialect.getSchemaQuery(dbtable))
        try:
            results = statement.executeQuery()
            try:
                schema = jvm.org.apache.spark.sql.execution.datasources.jdbc.JdbcUtils.getSchema(
                    results, jdbc_dialect, True, ntz
                )
            finally:
                results.close()
        finally:
            statement.close()
        return cast(StructType, StructType.fromJson(json.loads(schema.json())))

    def _probe_query(self) -> str:
        # The template is bound with a timestamp literal only to learn the schema; a number-typed cursor
        # makes the statement fail on strict databases, so fall back to the integer floor.
        assert self.options.query is not None
        for kind in (CursorKind.TIMESTAMP, CursorKind.INTEGER):
            sql = self.source_sql(None, kind)
            try:
                self._schema(sql)
                return sql
            except Exception:  # noqa: S112 - try the next literal type
                continue
        return self.source_sql(None, CursorKind.TIMESTAMP)

    def database_now(self) -> datetime:
        sql = self.dialect.select_now_sql()
        direct = self._direct_row(sql, ("timestamp",), "database time")
        if direct is not None:
            return cast(datetime, direct[0])
        from pyspark.sql import functions as F

        try:
            df = self._jdbc(self.dialect.subquery(sql, "gf_now"), customSchema="gf_now TIMESTAMP")
            micros = df.select(F.unix_micros(F.col("gf_now"))).first()[0]  # type: ignore[index]
        except Exception as exc:
            raise translate(exc, self.source, "database time") from None
        return from_epoch_micros(int(micros))

    def bounds(self, shape: SourceShape, lower: CursorValue | None) -> Bounds:
        """One query: min/max/count of the cursor in ``[lower, upper]`` (upper: max, or database time - lag).

        It runs on a plain JDBC connection, not as a Spark job: in a fresh JVM the first Spark job costs
        seconds, which would be most of a no-change run."""
        upper: CursorValue | None = None
        if self.options.upper_bound == "db_time":
            upper = self.database_now() - timedelta(seconds=self.options.safety_lag_seconds)
            if shape.cursor_kind is CursorKind.DATE:
                upper = upper.date()
            elif shape.cursor_kind is not CursorKind.TIMESTAMP:
                raise InputError("upper_bound=db_time needs a timestamp or date cursor", where="upper_bound")
        # Without a watermark (a first load) the count only sizes the parallel reads: it stops where more rows
        # change nothing, instead of counting a whole table that the read then scans again.
        sql = self.bound_sql(shape, lower, upper, self.count_cap() if lower is None else None)
        kind = _VALUE_KIND[shape.cursor_kind]
        keyed = partition_key(shape) is not None
        row = self._direct_row(
            sql, (kind, kind, "long", "long", "long", *(("long", "long") if keyed else ())), "bound query"
        )
        if row is None:
            row = self._spark_bounds_row(sql, shape.cursor_kind, keyed)
        lo, hi = row[0], row[1]
        if upper is not None and hi is not None:
            hi = upper
        nulls = int(row[3] or 0)
        rows = int(row[2] or 0) + (nulls if self.options.null_cursor == "include" else 0)
        at_upper = None if upper is not None or row[4] is None else int(row[4])
        key_lo, key_hi = (row[5], row[6]) if keyed else (None, None)
        return Bounds(lo, hi, rows, nulls, at_upper, key_lo, key_hi)

    def _spark_bounds_row(self, sql: str, kind: CursorKind, keyed: bool) -> list[Any]:
        """The bound query as a Spark JDBC read: used when the driver is only visible to Spark's loader."""
        from pyspark.sql import functions as F

        cursor_type = SPARK_CURSOR_TYPES[kind]
        counts = ["gf_rows", "gf_nulls", "gf_at_hi", *(["gf_key_lo", "gf_key_hi"] if keyed else [])]
        custom = f"gf_lo {cursor_type}, gf_hi {cursor_type}, " + ", ".join(f"{c} BIGINT" for c in counts)
        try:
            df = self._jdbc(self.dialect.subquery(sql, "gf_bounds"), customSchema=custom)
            if kind is CursorKind.TIMESTAMP:
                df = df.select(F.unix_micros("gf_lo").alias("gf_lo"), F.unix_micros("gf_hi").alias("gf_hi"), *counts)
            row = df.first()
        except Exception as exc:
            raise translate(exc, self.source, "bound query") from None
        assert row is not None
        return [self._value(row[0], kind), self._value(row[1], kind), *row[2:]]

    @contextlib.contextmanager
    def session(self) -> Iterator[None]:
        """Within it, the plain JDBC connection is opened once and reused (bound query, tie count, unique
        keys): each new connection costs a login and the session init statement."""
        self._keep = True
        try:
            yield
        finally:
            self._keep = False
            kept, self._kept = self._kept, None
            if kept is not None:
                with contextlib.suppress(Exception):  # closing a broken connection
                    kept.close()

    @contextlib.contextmanager
    def _connection(self) -> Iterator[Any]:
        """A plain JDBC connection through py4j (session init statement applied); no Spark job.

        Raises ``_NoDriver`` when ``DriverManager`` cannot see the driver (e.g. a jar given through
        ``spark.jars``, which only Spark's own class loader sees): callers then use a Spark read."""
        if self._kept is not None:
            yield self._kept
            return
        connection = self._open_connection()
        if self._keep:
            self._kept = connection  # closed when the session ends
            yield connection
            return
        try:
            yield connection
        finally:
            with contextlib.suppress(Exception):  # closing a broken connection
                connection.close()

    def _open_connection(self) -> Any:
        return open_connection(self.spark, self.source)

    def _direct_row(self, sql: str, kinds: tuple[str, ...], where: str) -> list[Any] | None:
        """First row of ``sql`` read with the JDBC getters Spark itself uses for those types (so a
        timestamp means the same instant as in the window read); ``None`` = no driver for DriverManager."""
        try:
            with self._connection() as connection:
                statement = connection.createStatement()
                results = statement.executeQuery(sql)
                if not results.next():
                    return [None] * len(kinds)
                return [_JDBC_GETTERS[kind](results, i + 1) for i, kind in enumerate(kinds)]
        except _NoDriver:
            return None
        except Exception as exc:
            raise translate(exc, self.source, where) from None

    @staticmethod
    def _value(raw: object, kind: CursorKind) -> CursorValue | None:
        if raw is None:
            return None
        if kind is CursorKind.TIMESTAMP:
            return from_epoch_micros(int(raw))  # type: ignore[call-overload]
        if kind is CursorKind.INTEGER:
            return int(raw)  # type: ignore[call-overload]
        if kind is CursorKind.DECIMAL:
            return Decimal(str(raw))
        assert isinstance(raw, date)
        return raw

    def declared_unique_keys(self) -> list[frozenset[str]]:
        """Primary key and unique indexes the database declares for ``table`` (lower-cased column sets).

        When one of them is covered by ``primary_keys`` the batch cannot hold two rows per key and the
        dedupe shuffle is skipped. Any failure (driver, permissions, custom SQL) returns [] = dedupe.
        """
        if self.options.table is None:
            return []
        try:
            with self._connection() as connection:
                return declared_unique_keys(connection, self.options.table)
        except Exception:  # metadata is an optimisation only
            return []

    def count_cap(self) -> int:
        """Past this many rows a first load's count changes nothing: not the number of parallel reads (at most
        ``partitions``, or the default maximum of 100k-row reads) nor the choice of the direct read."""
        return (
            max(DEFAULT_MAX_PARTITIONS * ROWS_PER_PARTITION, self.options.partitions, self.options.direct_read_max_rows)
            + 1
        )

    def partition_count(self, rows: int) -> int:
        """``partitions`` if given (never more than rows), else one per 100k rows, at most one per Spark core
        (a second wave of reads only queues behind the first) and at most 4 (the source's share)."""
        if self.options.partitions:
            return max(1, min(self.options.partitions, rows))
        cores = self.spark.sparkContext.defaultParallelism
        return max(1, min(math.ceil(rows / ROWS_PER_PARTITION), DEFAULT_MAX_PARTITIONS, cores))

    def read_window(self, shape: SourceShape, window: ReadWindow, bounds: Bounds) -> tuple[DataFrame, int]:
        """The window as a DataFrame (lazy) and the number of parallel reads it uses."""
        partitions = self.partition_count(bounds.rows)
        dbtable = self.dialect.subquery(self.window_sql(shape, window), "gf_window")
        fetch = {"fetchsize": str(self.options.fetch_size)}
        try:
            if partitions > 1 and self.options.hashfield:
                df = self._hash_partitioned(dbtable, partitions, fetch)
            elif partitions > 1 and (ranged := _partition_range(shape, bounds)) is not None:
                column, lowest, highest = ranged
                df = self._jdbc(
                    dbtable,
                    partitionColumn=column,
                    lowerBound=_bound_text(lowest),
                    upperBound=_bound_text(highest),
                    numPartitions=str(partitions),
                    **fetch,
                )
            else:
                partitions = 1
                df = self._jdbc(dbtable, **fetch)
        except Exception as exc:
            raise translate(exc, self.source, "window read") from None
        return df, partitions

    def _hash_partitioned(self, dbtable: str, partitions: int, fetch: dict[str, str]) -> DataFrame:
        assert self.options.hashfield is not None
        column = self.dialect.quote(self.options.hashfield)
        bucket = self.dialect.hash_bucket(column, partitions)
        predicates = [f"{bucket} = {i}" for i in range(partitions)]
        predicates[0] += f" OR {column} IS NULL"
        properties = {**self.source.spark_options(), **fetch}
        url = properties.pop("url")
        return self.spark.read.jdbc(url, dbtable, predicates=predicates, properties=properties)


def partition_key(shape: SourceShape) -> str | None:
    """The single integer primary key the window's reads are split on, if the source has one."""
    from pyspark.sql.types import IntegralType

    if len(shape.primary_keys) != 1:
        return None
    key = shape.primary_keys[0]
    return key if isinstance(shape.schema[key].dataType, IntegralType) else None


def _partition_range(shape: SourceShape, bounds: Bounds) -> tuple[str, CursorValue, CursorValue] | None:
    """Column and range of the window's parallel reads: the integer key's, else the cursor's."""
    if bounds.key_lowest is not None and bounds.key_highest is not None and bounds.key_highest > bounds.key_lowest:
        return shape.primary_keys[0], bounds.key_lowest, bounds.key_highest
    if bounds.lowest is not None and bounds.upper is not None:
        return shape.cursor, bounds.lowest, bounds.upper
    return None


def _timestamp(results: Any, index: int) -> datetime | None:
    value = results.getTimestamp(index)  # what Spark's JDBC reader calls for TimestampType
    if value is None:
        return None
    seconds = int(value.getTime()) // 1000  # floor, also before 1970
    return from_epoch_micros(seconds * 1_000_000 + int(value.getNanos()) // 1000)


def _date(results: Any, index: int) -> date | None:
    value = results.getDate(index)
    return None if value is None else date.fromisoformat(str(value.toLocalDate().toString()))


def _long(results: Any, index: int) -> int | None:
    value = results.getLong(index)
    return None if results.wasNull() else int(value)


def _decimal(results: Any, index: int) -> Decimal | None:
    value = results.getBigDecimal(index)  # py4j hands a java.math.BigDecimal over as a Python Decimal
    return None if value is None else Decimal(value if isinstance(value, Decimal) else str(value.toPlainString()))


_JDBC_GETTERS: dict[str, Callable[[Any, int], Any]] = {
    "timestamp": _timestamp,
    "date": _date,
    "long": _long,
    "decimal": _decimal,
}
_VALUE_KIND: dict[CursorKind, str] = {
    CursorKind.TIMESTAMP: "timestamp",
    CursorKind.DATE: "date",
    CursorKind.INTEGER: "long",
    CursorKind.DECIMAL: "decimal",
}


def _bound_text(value: CursorValue) -> str:
    """Spark's lowerBound/upperBound text: only strides, so precision below a second does not matter."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    return str(int(value))
