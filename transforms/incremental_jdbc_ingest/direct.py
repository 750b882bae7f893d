"""Small windows without a Spark job: the driver reads them with the database's own client and writes the
Parquet files itself.

Every Spark job has a floor: a few hundred milliseconds in a warm session, seconds in a fresh JVM where the
JDBC reader and the Parquet writer run for the first time. For an incremental window of a few thousand rows
that floor is most of the run. A window of at most ``direct_read_max_rows`` rows is therefore read on the
driver (PostgreSQL: ``COPY (window) TO STDOUT`` as CSV through psycopg, parsed by pyarrow's C++ CSV reader;
MySQL/MariaDB: the server's text of every value through pymysql, cast by pyarrow), written as Parquet by
pyarrow through the table's own ``FileIO`` (local, HDFS or S3 alike), and committed with the same
equality-delete ``RowDelta`` as a Spark-written upsert (``upsert.commit_files``), made from Python for a local
hadoop-catalog table (``glueforge.hadoop_table``). ``native`` runs the whole of such a run without the JVM.

It gives the rows Spark's JDBC read would give, or it does not run: every column's database type must be in
``CLIENTS``' whitelist and its value must convert to the target's Iceberg type without loss; anything else
(an unknown type, a value pyarrow cannot parse, a URL option psycopg has no equivalent for, a missing client
library) falls back to the Spark read, with the reason in the log and the run summary.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import json
import os
import re
import tempfile
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, cast
from urllib.parse import parse_qsl, unquote

from glueforge.hadoop_table import CommitConflict, ContentFile, FileMetrics, HadoopTable, NativeCommitUnavailable
from glueforge.jvm import java_class
from glueforge.lakehouse import refresh_spark_table
from transforms.incremental_jdbc_ingest.file_metrics import FIELD_ID, column_modes, file_metrics, java_metrics
from transforms.incremental_jdbc_ingest.state import ensure_unchanged_since
from transforms.incremental_jdbc_ingest.upsert import codec_of, commit_files, removed_unless_committed
from transforms.incremental_jdbc_ingest.writer import conflict_error

if TYPE_CHECKING:
    import pyarrow as pa
    from pyspark.sql import SparkSession
    from pyspark.sql.types import StructType

    from glueforge.lakehouse import TableName
    from transforms.incremental_jdbc_ingest.connection import JdbcSource


class DirectReadUnavailable(Exception):
    """The window cannot be read this way (the message says why); the run takes the Spark read instead."""


@dataclass(frozen=True)
class TargetColumn:
    name: str
    field_id: int
    arrow_type: pa.DataType


class DirectClient(Protocol):
    """Reads one window with a database's own Python client into Arrow, typed as Spark's JDBC read types it."""

    module: str  # the client library, checked with importlib before anything else
    reader: str  # how the run summary names this way of reading

    def read(
        self,
        source: JdbcSource,
        window_sql: str,
        columns: list[TargetColumn],
        spark_schema: StructType,
        connection: Any = None,
    ) -> pa.Table:
        """The window's rows, one Arrow column per ``columns`` entry (in that order), of that column's type;
        ``connection``: the client's open connection to read on (else it logs in itself)."""
        ...


# --- target schema ------------------------------------------------------------------------------------------


def target_columns(spark: SparkSession, loaded: Any) -> list[TargetColumn]:
    """The Iceberg table's top-level columns with their field ids and the Arrow types their Parquet needs."""
    return schema_columns(json.loads(str(java_class(spark, "org.apache.iceberg.SchemaParser").toJson(loaded.schema()))))


def schema_columns(rendered: dict[str, Any]) -> list[TargetColumn]:
    """``target_columns`` of an Iceberg schema in its JSON form (as table metadata holds it)."""
    import pyarrow as pa

    simple = {
        "boolean": pa.bool_(),
        "int": pa.int32(),
        "long": pa.int64(),
        "float": pa.float32(),
        "double": pa.float64(),
        "date": pa.date32(),
        "timestamptz": pa.timestamp("us", tz="UTC"),
        "timestamp": pa.timestamp("us"),
        "string": pa.string(),
    }
    columns = []
    for field in rendered["fields"]:
        kind = field["type"]
        decimal = re.fullmatch(r"decimal\((\d+),\s*(\d+)\)", kind) if isinstance(kind, str) else None
        if decimal:
            arrow_type: pa.DataType = pa.decimal128(int(decimal.group(1)), int(decimal.group(2)))
        elif isinstance(kind, str) and kind in simple:
            arrow_type = simple[kind]
        else:
            raise DirectReadUnavailable(f"target column {field['name']} has type {kind}")
        columns.append(TargetColumn(field["name"], int(field["id"]), arrow_type))
    return columns


# --- JDBC URLs -------------------------------------------------------------------------------------------------


def _url_arguments(
    url: str,
    schemes: tuple[str, ...],
    default_port: int,
    database_key: str,
    parameter: Callable[[str, str, dict[str, Any]], bool],
    client: str,
) -> dict[str, Any]:
    """Host, port and database of a ``jdbc:<scheme>://host[:port]/database[?params]`` URL, each parameter
    handed to ``parameter`` (which returns False for one the client cannot follow: the Spark read then)."""
    pattern = rf"jdbc:(?:{'|'.join(schemes)})://([^/:?,]+)(?::(\d+))?/([^?]*)(?:\?(.*))?"
    match = re.fullmatch(pattern, url)
    if match is None:
        raise DirectReadUnavailable(f"the JDBC URL is not of the form jdbc:{schemes[0]}://host[:port]/database")
    host, port, database, query = match.groups()
    args: dict[str, Any] = {"host": host, "port": int(port or default_port), database_key: unquote(database)}
    for name, value in parse_qsl(query or "", keep_blank_values=True):
        if not parameter(name, value, args):
            raise DirectReadUnavailable(f"JDBC URL parameter {name} has no {client} equivalent here")
    return args


def _with_login(args: dict[str, Any], user: str | None, password: str | None) -> dict[str, Any]:
    """The source's own user and password (env var, secret, Glue connection) win over the URL's."""
    if user:
        args["user"] = user
    if password is not None:
        args["password"] = password
    return args


# --- PostgreSQL -------------------------------------------------------------------------------------------------


# PostgreSQL type -> how its CSV text parses, for the types whose text is exactly what Spark's JDBC read
# holds (strings: ``getString`` returns the server's text form as COPY does). Numerics parse to Spark's
# decimal type of the column (from the probe). Timestamps are printed in UTC, as the JDBC read sees them.
_PG_PARSE: dict[str, str] = {
    "int2": "int16",
    "int4": "int32",
    "int8": "int64",
    "float4": "float32",
    "float8": "float64",
    "bool": "bool_",
    "numeric": "decimal",
    "date": "date32",
    "timestamp": "timestamp",
    "timestamptz": "timestamptz",
    **dict.fromkeys(("text", "varchar", "bpchar", "name", "uuid", "json", "jsonb", "citext"), "string"),
}
# JDBC URL parameters and what psycopg makes of them; any other parameter means "use Spark's JDBC read".
_PG_URL_PARAMETERS = {"sslmode": "sslmode", "sslrootcert": "sslrootcert", "user": "user", "password": "password"}
_PG_HARMLESS = {"prepareThreshold", "binaryTransfer", "ApplicationName", "tcpKeepAlive", "reWriteBatchedInserts"}
PG_SESSION = (
    "SET TIME ZONE 'UTC'",
    "SET DateStyle TO 'ISO, YMD'",
    "SET extra_float_digits TO 1",  # shortest text that reads back as the same double
    "SET client_encoding TO 'UTF8'",
)


def postgres_connect_args(url: str, user: str | None, password: str | None) -> dict[str, Any]:
    """psycopg keyword arguments for a ``jdbc:postgresql://host[:port]/database[?params]`` URL."""

    def parameter(name: str, value: str, args: dict[str, Any]) -> bool:
        if name in _PG_URL_PARAMETERS:
            args[_PG_URL_PARAMETERS[name]] = value
        elif name == "ssl" and value.lower() in ("true", ""):
            args.setdefault("sslmode", "verify-full")  # pgjdbc's meaning of ssl=true
        elif name == "currentSchema":
            args["options"] = f"-c search_path={value}"
        return name in _PG_HARMLESS or name in _PG_URL_PARAMETERS or name in ("ssl", "currentSchema")

    args = _url_arguments(url, ("postgresql",), 5432, "dbname", parameter, "psycopg")
    return _with_login(args, user, password)


class PostgresClient:
    module = "psycopg"
    reader = "postgresql_copy"

    def read(
        self,
        source: JdbcSource,
        window_sql: str,
        columns: list[TargetColumn],
        spark_schema: StructType,
        connection: Any = None,
    ) -> pa.Table:
        import psycopg
        from pyarrow import csv

        with contextlib.ExitStack() as scope:
            conn = connection
            if conn is None:
                args = postgres_connect_args(source.url, source.user, source.password)
                conn = scope.enter_context(
                    psycopg.connect(**args, autocommit=True, connect_timeout=30, application_name="glueforge")
                )
            copy_sql, parse_types = self.copy_plan(conn, source, window_sql, columns, spark_schema)
            buffer = io.BytesIO()
            with conn.cursor() as cursor, cursor.copy(copy_sql) as copy:
                for chunk in copy:
                    buffer.write(chunk)
        names = [c.name for c in columns]
        if buffer.tell() == 0:
            import pyarrow as pa

            return pa.table({n: pa.array([], type=parse_types[n]) for n in names})
        try:
            buffer.seek(0)
            return csv.read_csv(buffer, **copy_csv_options(names, parse_types))
        except Exception as exc:  # a value pyarrow reads differently from the JDBC driver (NaN numeric, BC dates..)
            raise DirectReadUnavailable(f"a value does not convert: {str(exc).splitlines()[0][:200]}") from None

    def copy_plan(
        self, conn: Any, source: JdbcSource, window_sql: str, columns: list[TargetColumn], spark_schema: StructType
    ) -> tuple[str, dict[str, pa.DataType]]:
        """Set the session up and describe the window: the ``COPY ... TO STDOUT (FORMAT csv)`` statement and the
        Arrow type pyarrow parses each column as (``DirectReadUnavailable`` for a type not on the whitelist)."""
        conn.execute("; ".join(PG_SESSION))  # one round trip
        described = conn.execute(f"SELECT * FROM ({window_sql}) gf_w LIMIT 0").description or []
        types = {d.name: _pg_type_name(conn, d.type_code) for d in described}
        selected, parse_types = [], {}
        for column in columns:
            pg_type = types.get(column.name)
            kind = _PG_PARSE.get(pg_type or "")
            if kind is None:
                raise DirectReadUnavailable(f"column {column.name} has PostgreSQL type {pg_type}")
            quoted = source.dialect.quote(column.name)
            selected.append(f"gf_w.{quoted} AT TIME ZONE 'UTC'" if kind == "timestamptz" else f"gf_w.{quoted}")
            parse_types[column.name] = _arrow_parse_type(kind, column.name, spark_schema)
        return f"COPY (SELECT {', '.join(selected)} FROM ({window_sql}) gf_w) TO STDOUT (FORMAT csv)", parse_types


def copy_csv_options(names: list[str], parse_types: dict[str, pa.DataType]) -> dict[str, Any]:
    """pyarrow's CSV options for PostgreSQL's ``COPY ... (FORMAT csv)`` output of ``names``."""
    from pyarrow import csv

    return {
        "read_options": csv.ReadOptions(column_names=names),
        "parse_options": csv.ParseOptions(newlines_in_values=True),
        "convert_options": csv.ConvertOptions(
            column_types=parse_types,
            # COPY's CSV: NULL is an empty unquoted field, an empty string is "" (quoted)
            null_values=[""],
            strings_can_be_null=True,
            quoted_strings_can_be_null=False,
            true_values=["t"],
            false_values=["f"],
        ),
    }


def _pg_type_name(conn: Any, oid: int) -> str | None:
    info = conn.adapters.types.get(oid)
    return None if info is None else str(info.name)


def _arrow_parse_type(kind: str, column: str, spark_schema: StructType) -> pa.DataType:
    import pyarrow as pa

    if kind == "decimal":
        spark_type = {f.name: f.dataType for f in spark_schema.fields}[column]
        precision, scale = getattr(spark_type, "precision", None), getattr(spark_type, "scale", None)
        if precision is None or scale is None:
            raise DirectReadUnavailable(f"column {column} is numeric but Spark reads it as {spark_type}")
        return pa.decimal128(precision, scale)
    if kind in ("timestamp", "timestamptz"):
        return pa.timestamp("us")
    return cast("pa.DataType", getattr(pa, kind)())


# --- MySQL / MariaDB ----------------------------------------------------------------------------------------

# MySQL wire type codes (pymysql ``FIELD_TYPE``) whose text form parses to Spark's type of the column. Text
# only: pymysql gets no decoders, so every value arrives as the server's text and pyarrow's C++ casts parse it.
_MYSQL_TEXT_TYPES: dict[str, frozenset[int]] = {
    "integer": frozenset({1, 2, 3, 8, 9}),  # TINY, SHORT, LONG, LONGLONG, INT24
    "boolean": frozenset({1}),  # TINYINT(1), which the driver reports as BIT and Spark reads as boolean
    "decimal": frozenset({0, 246}),  # DECIMAL, NEWDECIMAL
    "float": frozenset({4}),
    "double": frozenset({4, 5}),  # Spark reads MariaDB's FLOAT as a double parsed from the same text
    "string": frozenset({15, 245, 247, 252, 253, 254}),  # VARCHAR, JSON, ENUM, TEXT, VAR_STRING, STRING
    "date": frozenset({10}),
    "timestamp": frozenset({7, 12}),  # TIMESTAMP (printed in the session's UTC), DATETIME
}
_MYSQL_URL_HARMLESS = {
    "useUnicode",
    "characterEncoding",
    "permitMysqlScheme",
    "useServerPrepStmts",
    "rewriteBatchedStatements",
}


def mysql_connect_args(url: str, user: str | None, password: str | None) -> dict[str, Any]:
    """pymysql keyword arguments for a ``jdbc:mysql://`` or ``jdbc:mariadb://host[:port]/database`` URL."""

    def parameter(name: str, value: str, args: dict[str, Any]) -> bool:
        if name in ("user", "password"):
            args[name] = value
        return name in ("user", "password") or name in _MYSQL_URL_HARMLESS

    args = _url_arguments(url, ("mysql", "mariadb"), 3306, "database", parameter, "pymysql")
    return _with_login(args, user, password)


class MySQLClient:
    module = "pymysql"
    reader = "mysql_text"

    def read(
        self,
        source: JdbcSource,
        window_sql: str,
        columns: list[TargetColumn],
        spark_schema: StructType,
        connection: Any = None,  # always its own: pymysql's session settings are the read's
    ) -> pa.Table:
        import pyarrow as pa
        import pymysql  # type: ignore[import-untyped,unused-ignore]
        from pymysql import converters

        spark_types = {f.name: f.dataType for f in spark_schema.fields}
        args = mysql_connect_args(source.url, source.user, source.password)
        # encoders only: without decoders pymysql hands every value over as the server's text
        conn = pymysql.connect(**args, conv=dict(converters.encoders), charset="utf8mb4", connect_timeout=30)
        try:
            with conn.cursor() as cursor:
                cursor.execute("SET time_zone = '+00:00'")
                selected = ", ".join(f"gf_w.{source.dialect.quote(c.name)}" for c in columns)
                cursor.execute(f"SELECT {selected} FROM ({window_sql}) gf_w")
                wire_types = [d[1] for d in cursor.description or ()]
                rows = cursor.fetchall()
        finally:
            conn.close()
        arrays = []
        for index, column in enumerate(columns):
            spark_type = spark_types[column.name]
            kind = _spark_kind(spark_type)
            if kind is None or wire_types[index] not in _MYSQL_TEXT_TYPES[kind]:
                raise DirectReadUnavailable(
                    f"column {column.name} has MySQL type code {wire_types[index]} ({spark_type})"
                )
            texts = pa.array([row[index] for row in rows], type=pa.string())
            try:
                arrays.append(texts.cast(_mysql_parse_type(kind, spark_type)))
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:  # e.g. a zero date, TINYINT(1) = 2
                raise DirectReadUnavailable(f"a value of {column.name} does not convert: {str(exc)[:200]}") from None
        return pa.Table.from_arrays(arrays, names=[c.name for c in columns])


def _spark_kind(spark_type: Any) -> str | None:
    name = spark_type.typeName()
    if name in ("byte", "short", "integer", "long"):
        return "integer"
    return name if name in ("boolean", "decimal", "float", "double", "string", "date", "timestamp") else None


def _mysql_parse_type(kind: str, spark_type: Any) -> pa.DataType:
    import pyarrow as pa

    if kind == "decimal":
        return pa.decimal128(spark_type.precision, spark_type.scale)
    if kind == "integer":
        return pa.int64() if spark_type.typeName() == "long" else pa.int32()
    return {
        "boolean": pa.bool_(),
        "float": pa.float32(),
        "double": pa.float64(),
        "string": pa.string(),
        "date": pa.date32(),
        "timestamp": pa.timestamp("us"),
    }[kind]


CLIENTS: dict[str, DirectClient] = {"postgresql": PostgresClient(), "mysql": MySQLClient(), "mariadb": MySQLClient()}


# --- the read -----------------------------------------------------------------------------------------------


def client_for(dialect: str) -> DirectClient:
    client = CLIENTS.get(dialect)
    if client is None:
        raise DirectReadUnavailable(f"no direct reader for {dialect}")
    if importlib.util.find_spec(client.module) is None:
        raise DirectReadUnavailable(f"the Python client {client.module} is not installed")
    return client


def read_window(
    client: DirectClient,
    source: JdbcSource,
    window_sql: str,
    columns: list[TargetColumn],
    spark_schema: StructType,
    *,
    pad_chars: bool = True,
    connection: Any = None,
) -> pa.Table:
    """The window, each column converted to the target's Arrow type (only lossless widenings), ``CHAR(n)``
    values padded to ``n`` as Spark's read pads them (``pad_chars``); ``connection``: the client's connection
    the run has open already."""
    check_same_columns(columns, spark_schema)
    try:
        table = client.read(source, window_sql, columns, spark_schema, connection)
    except DirectReadUnavailable:
        raise
    except Exception as exc:  # the client could not connect or read: Spark's JDBC read reports it properly
        raise unreadable(client, exc) from None
    return as_target_rows(table, columns, spark_schema, pad_chars=pad_chars)


def check_same_columns(columns: list[TargetColumn], spark_schema: StructType) -> None:
    if {c.name for c in columns} != {f.name for f in spark_schema.fields}:
        raise DirectReadUnavailable("the source and target columns differ (schema drift takes the Spark path)")


def unreadable(client: DirectClient, exc: Exception) -> DirectReadUnavailable:
    first_line = (str(exc).strip().splitlines() or [""])[0][:200]  # database messages carry no password
    return DirectReadUnavailable(f"{client.module} could not read the window ({type(exc).__name__}: {first_line})")


def as_target_rows(
    table: pa.Table, columns: list[TargetColumn], spark_schema: StructType, *, pad_chars: bool = True
) -> pa.Table:
    """``table``'s columns converted to the target's Arrow types, tagged with their Iceberg field ids."""
    import pyarrow as pa
    import pyarrow.compute as pc

    arrays = []
    fields = {f.name: f for f in spark_schema.fields}
    for column in columns:
        array = table.column(column.name)
        width = _char_width(fields[column.name].metadata) if pad_chars else None
        if width is not None:  # Spark pads CHAR(n) on read (spark.sql.readSideCharPadding); MySQL strips them
            array = pc.utf8_rpad(array, width=width, padding=" ")
        if not _lossless(array.type, column.arrow_type):
            raise DirectReadUnavailable(f"column {column.name}: {array.type} does not widen to {column.arrow_type}")
        arrays.append(array.cast(column.arrow_type))
    schema = pa.schema([pa.field(c.name, c.arrow_type, metadata={FIELD_ID: str(c.field_id)}) for c in columns])
    return pa.Table.from_arrays(arrays, schema=schema)


def _char_width(metadata: dict[str, Any]) -> int | None:
    """``n`` of a column Spark knows as ``char(n)`` (from the JDBC metadata), else ``None``."""
    match = re.fullmatch(r"char\((\d+)\)", str(metadata.get("__CHAR_VARCHAR_TYPE_STRING", "")))
    return int(match.group(1)) if match else None


def _lossless(have: pa.DataType, want: pa.DataType) -> bool:
    import pyarrow as pa
    import pyarrow.types as t

    if have == want:
        return True
    if t.is_integer(have) and t.is_integer(want):
        return bool(have.bit_width <= want.bit_width)
    if have == pa.float32() and want == pa.float64():
        return True
    if t.is_decimal(have) and t.is_decimal(want):
        return bool(have.scale == want.scale and have.precision <= want.precision)
    if t.is_timestamp(have) and t.is_timestamp(want):
        return bool(have.tz is None and want.tz == "UTC")  # printed in UTC by the read
    return False


# --- the write ----------------------------------------------------------------------------------------------


def upsert_arrow(
    spark: SparkSession,
    loaded: Any,
    table: TableName,
    rows: pa.Table,
    keys: tuple[str, ...],
    properties: dict[str, str],
    start_snapshot: int | None,
    *,
    with_deletes: bool,
) -> int:
    """Write ``rows`` (and, ``with_deletes``, an equality-delete file of their keys) as Parquet through the
    table's ``FileIO`` and commit both in one ``RowDelta``; nothing is left behind unless the commit's
    state is unknown. Returns the snapshot id."""
    file_io = loaded.io()
    codec = parquet_codec(loaded)
    stem = f"gf-direct-{uuid.uuid4().hex[:16]}"
    data_path = str(loaded.locationProvider().newDataLocation(f"{stem}-data.parquet"))
    delete_path = str(loaded.locationProvider().newDataLocation(f"{stem}-deletes.parquet"))
    written: list[str] = []
    modes = column_modes(spark, loaded, rows.column_names)
    measured: dict[str, tuple[int, FileMetrics]] = {}
    native = native_table(loaded)

    def write(path: str, content: pa.Table) -> None:
        size, footer = _write_parquet(spark, file_io, path, content, codec)
        written.append(path)
        measured[path] = (size, file_metrics(content, modes, footer))

    with removed_unless_committed(deleter(file_io, written)):
        write(data_path, rows)
        if with_deletes:
            write(delete_path, rows.select(list(keys)))
        if native is not None:
            snapshot_id = commit_natively(native, table, measured, written[1:], keys, properties, start_snapshot)
        else:
            described = {path: (size, java_metrics(spark, metrics)) for path, (size, metrics) in measured.items()}
            snapshot_id = commit_files(
                spark, loaded, table, [data_path], written[1:], keys, properties, start_snapshot, described=described
            )
    refresh_spark_table(spark, table)
    return snapshot_id


def native_table(loaded: Any) -> HadoopTable | None:
    """The table as ``glueforge.hadoop_table`` commits to it without the JVM: a local hadoop-catalog table of
    a shape it writes (``None``: commit through Iceberg's Java API)."""
    try:
        operations = loaded.operations()
        if str(operations.getClass().getSimpleName()) != "HadoopTableOperations":
            return None
        metadata_file = str(operations.current().metadataFileLocation())
    except Exception:  # a table without operations of its own: the Java commit decides
        return None
    if not is_local(metadata_file):
        return None
    try:
        native = HadoopTable.load(os.path.dirname(os.path.dirname(metadata_file.removeprefix("file:"))))
    except NativeCommitUnavailable:
        return None
    if native is None or native.unsupported_reason() is not None or native.manifests_to_merge() is not None:
        return None  # Iceberg's Java commit does what this one does not (merging manifests, among others)
    return native


def commit_natively(
    native: HadoopTable,
    table: TableName,
    measured: dict[str, tuple[int, FileMetrics]],
    delete_paths: list[str],
    keys: tuple[str, ...],
    properties: dict[str, str],
    start_snapshot: int | None,
) -> int:
    """``commit_files``' ``RowDelta``, committed from Python: the same files, metrics and summary properties;
    nothing may have been committed since ``start_snapshot`` (the target's lock keeps other ingest runs out)."""
    ensure_unchanged_since(native.current_snapshot_id, start_snapshot, table)
    field_ids = {f["name"].lower(): int(f["id"]) for f in native.schema["fields"]}
    equality_ids = tuple(field_ids[key.lower()] for key in keys)
    files = [
        ContentFile(path, size, metrics, equality_ids if path in delete_paths else ())
        for path, (size, metrics) in measured.items()
    ]
    try:
        return native.commit_row_delta(files, properties)
    except CommitConflict:
        raise conflict_error(table) from None


def deleter(file_io: Any, written: list[str]) -> Callable[[], None]:
    """Deletes, when called, every path ``written`` holds by then through ``file_io`` (failures ignored: what
    called it is reporting a failure of its own)."""

    def delete() -> None:
        for path in written:
            with contextlib.suppress(Exception):
                file_io.deleteFile(path)

    return delete


def pads_chars(setting: Callable[[str, str], Any]) -> bool:
    """Whether Spark's JDBC read pads ``CHAR(n)`` values to ``n`` (``spark.sql.readSideCharPadding``, as
    ``setting(key, default)`` reads Spark's settings)."""
    return str(setting("spark.sql.readSideCharPadding", "true")).lower() == "true"


# Iceberg's write.parquet.compression-codec -> pyarrow's name for it
_CODECS = {"zstd": "zstd", "snappy": "snappy", "gzip": "gzip", "brotli": "brotli", "lz4": "lz4", "uncompressed": "none"}


def parquet_codec(loaded: Any) -> str:
    """The table's Parquet codec as pyarrow names it; one pyarrow cannot write keeps the Spark path."""
    return pyarrow_codec(codec_of(loaded.properties()))


def pyarrow_codec(codec: str) -> str:
    """pyarrow's name for Iceberg's ``write.parquet.compression-codec`` value."""
    if codec not in _CODECS:
        raise DirectReadUnavailable(f"the target's Parquet codec {codec} is not one pyarrow writes")
    return _CODECS[codec]


def is_local(path: str) -> bool:
    return path.startswith(("/", "file:/"))


def _write_parquet(spark: SparkSession, file_io: Any, path: str, rows: pa.Table, codec: str) -> tuple[int, Any]:
    """pyarrow writes the file: straight into a local warehouse, else into a local temporary file that the JVM
    copies into the table's ``FileIO`` (S3, HDFS) in one call (bytes sent through py4j travel base64-encoded:
    ~50 ms per MB). Returns the file's size and its Parquet footer."""
    if is_local(path):  # a local warehouse: pyarrow writes the file where it belongs
        return write_local_parquet(path, rows, codec)
    with tempfile.TemporaryDirectory(prefix="gf-direct-") as folder:
        local = os.path.join(folder, "part.parquet")
        size, footer = write_local_parquet(local, rows, codec)
        copy_into_file_io(spark, file_io, local, path)
        return size, footer


def write_local_parquet(path: str, rows: pa.Table, codec: str) -> tuple[int, Any]:
    """pyarrow writes ``rows`` to a local ``path`` as Iceberg reads Parquet: by field id, timestamps as
    microseconds (UTC-adjusted for timestamptz), not INT96. Returns the file's size and its footer."""
    import pyarrow.parquet as pq

    footers: list[Any] = []
    local_path = path.removeprefix("file:")
    os.makedirs(os.path.dirname(local_path), exist_ok=True)
    pq.write_table(
        rows, local_path, compression=codec, coerce_timestamps="us", store_schema=False, metadata_collector=footers
    )
    return os.path.getsize(local_path), footers[0]


def copy_into_file_io(spark: SparkSession, file_io: Any, local: str, path: str) -> None:
    """The JVM copies a local file to ``path`` of the table's ``FileIO`` (S3, HDFS) in one call."""
    jvm: Any = cast(Any, spark)._jvm
    stream = file_io.newOutputFile(path).create()
    try:
        jvm.java.nio.file.Files.copy(jvm.java.io.File(local).toPath(), stream)
    finally:
        stream.close()
