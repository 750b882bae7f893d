"""Upsert a DataFrame into a JDBC table: Spark writes the rows into a staging table beside the target, then one
statement in one transaction inserts the new keys and updates the existing ones, and the staging table is
dropped. So the target sees all of the batch or none of it, whatever fails.

Glue's JDBC targets only insert; a legacy job that upserted into its database (``migration``'s RDS targets
with ``mode: upsert``) keeps its meaning through this transform.
"""

from __future__ import annotations

import contextlib
import logging
import re
import time
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from glueforge.errors import EnvironmentProblem, InputError
from transforms.incremental_jdbc_ingest.connection import (
    JdbcSource,
    NoDriver,
    declared_unique_keys,
    open_connection,
    resolve_source,
)
from transforms.incremental_jdbc_ingest.reader import translate
from transforms.jdbc_upsert.options import UpsertOptions
from transforms.jdbc_upsert.statements import DROP_IF_EXISTS, drop_statement, new_keys_statement, upsert_statement

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

log = logging.getLogger(__name__)
STAGING_PREFIX = "gf_stage_"
MAX_NAME = 60  # under PostgreSQL's 63 and Oracle's 128; MySQL's 64
# A staging table this old belongs to no running upsert: a killed one left it, and the next upsert drops it.
STALE_AFTER_SECONDS = 24 * 3600
_SUFFIX = re.compile(r"_([0-9a-f]{8})[0-9a-f]{8}")  # _<created: epoch seconds, 8 hex digits><random>


@dataclass(frozen=True)
class UpsertSummary:
    table: str
    rows: int  # rows of the batch
    inserted: int  # rows whose key the table did not hold
    updated: int  # rows whose key it held (their values replaced, changed or not)
    affected: int  # as the database counts them (MySQL/MariaDB: 1 per insert, 2 per changed update)
    seconds: float
    stale_staging_dropped: tuple[str, ...] = ()  # staging tables killed runs left behind, dropped by this one

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def staging_name(table: str, now: float | None = None) -> str:
    """A fresh table name in the target's schema: ``[schema.]gf_stage_<table>_<created><random>``, ``created``
    the time in epoch seconds (8 hex digits), by which a later upsert tells a table a killed run left behind."""
    *schema, name = table.split(".")
    suffix = f"{int(time.time() if now is None else now):08x}{uuid.uuid4().hex[:8]}"
    return ".".join([*schema, f"{_staging_stem(name)}_{suffix}"])


def _staging_stem(name: str) -> str:
    return f"{STAGING_PREFIX}{name}".lower()[: MAX_NAME - 17]


def stale_staging_tables(connection: Any, table: str, now: float) -> list[str]:
    """The staging tables of ``table`` older than ``STALE_AFTER_SECONDS`` (``[schema.]name``), from the driver's
    metadata: tables a killed upsert left behind."""
    *schema_parts, name = table.split(".")
    schema = schema_parts[-1] if schema_parts else None
    catalog = schema_parts[-2] if len(schema_parts) > 1 else None
    stem = _staging_stem(name)
    meta = connection.getMetaData()
    stale = set()
    for pattern in dict.fromkeys([stem, stem.upper()]):  # as the database stored the name
        rows = meta.getTables(catalog, schema, f"{pattern}%", None)  # "_" matches any character: checked below
        while rows.next():
            found = str(rows.getString("TABLE_NAME"))
            created = _SUFFIX.fullmatch(found.lower()[len(stem) :]) if found.lower().startswith(stem) else None
            if created is not None and now - int(created.group(1), 16) > STALE_AFTER_SECONDS:
                stale.add(".".join([*schema_parts, found]))
    return sorted(stale)


def upsert_frame(df: DataFrame, options: UpsertOptions, *, glue_context: Any = None) -> UpsertSummary:
    """Upsert ``df`` into ``options.table`` on ``options.primary_keys``; the summary of what the database did."""
    started = time.perf_counter()
    spark = df.sparkSession
    source = resolve_source(options, glue_context)
    dialect = source.dialect
    dialect.quote_table(options.table)  # validates every part before any SQL is built
    where = f"jdbc_upsert into {options.table}"
    with _connection(spark, source, where) as connection:
        columns, keys = _checked_columns(connection, source, options, df.columns, where)
        try:
            stale = stale_staging_tables(connection, options.table, time.time())
        except Exception as exc:  # listing tables is housekeeping only
            log.warning("jdbc_upsert: could not list old staging tables of %s: %s", options.table, type(exc).__name__)
            stale = []
    dropped = []
    for old in stale:
        log.warning("jdbc_upsert: dropping staging table %s, left by an upsert killed over a day ago", old)
        if _drop(spark, source, old):
            dropped.append(old)
    named = _as_named(df, columns).persist()  # read once for the key check, the count and the staging write
    try:
        duplicate = _duplicate_key(named, keys)
        if duplicate is not None:
            raise InputError(
                f"the batch holds more than one row for key ({', '.join(keys)}) = {duplicate}: an upsert needs one "
                "row per key (deduplicate before this node)",
                where=where,
            )
        staging = staging_name(options.table)
        statements = (
            new_keys_statement(dialect, options.table, staging, keys),
            upsert_statement(dialect, options.table, staging, columns, keys),
        )
        try:
            writers = 1 if dialect.name == "sqlite" else options.write_partitions  # SQLite has one writer at a time
            rows = _write_staging(named, source, staging, writers, where)
            with _connection(spark, source, where) as connection:
                inserted, affected = _run_in_transaction(connection, statements, source, where)
        finally:
            _drop(spark, source, staging)
    finally:
        named.unpersist()
    seconds = round(time.perf_counter() - started, 3)
    summary = UpsertSummary(options.table, rows, inserted, rows - inserted, affected, seconds, tuple(dropped))
    log.info("jdbc_upsert summary %s", summary.as_dict())
    return summary


@contextlib.contextmanager
def _connection(spark: SparkSession, source: JdbcSource, where: str) -> Iterator[Any]:
    try:
        connection = open_connection(spark, source)
    except NoDriver:
        raise EnvironmentProblem(
            f"no JDBC driver for {source.safe_url} on the driver's classpath", where=where
        ) from None
    except Exception as exc:
        raise translate(exc, source, where) from None
    try:
        yield connection
    finally:
        with contextlib.suppress(Exception):  # closing a broken connection
            connection.close()


def _checked_columns(
    connection: Any, source: JdbcSource, options: UpsertOptions, given: list[str], where: str
) -> tuple[list[str], tuple[str, ...]]:
    """The batch's columns and keys as the target spells them; every one must exist in the target, and the
    target must declare a primary key or unique index on exactly the keys (else MySQL would insert duplicates
    and PostgreSQL refuse the statement)."""
    try:
        results = connection.createStatement().executeQuery(
            f"SELECT * FROM {source.dialect.quote_table(options.table)} WHERE 1 = 0"
        )
        meta = results.getMetaData()
        names = [str(meta.getColumnName(i)) for i in range(1, meta.getColumnCount() + 1)]
        target = {name.lower(): name for name in names}
    except Exception as exc:
        raise translate(exc, source, where) from None
    missing = [c for c in given if c.lower() not in target]
    if missing:
        raise InputError(f"the target has no column {', '.join(map(repr, missing))}", where=where)
    keys = tuple(target.get(k.lower(), k) for k in options.primary_keys)
    absent = [k for k in options.primary_keys if k.lower() not in {c.lower() for c in given}]
    if absent:
        raise InputError(f"the batch has no key column {', '.join(map(repr, absent))}", where=where)
    wanted = frozenset(k.lower() for k in keys)
    if wanted not in declared_unique_keys(connection, options.table):
        raise InputError(
            f"the target declares no primary key or unique index on exactly ({', '.join(keys)}): an upsert needs one",
            where=where,
        )
    return [target[c.lower()] for c in given], keys


def _as_named(df: DataFrame, columns: list[str]) -> DataFrame:
    """``df``'s columns under the target's spelling of their names (Spark quotes them in the staging table, so
    ``ID`` would otherwise become a column the statement's ``id`` does not find)."""
    from pyspark.sql import functions as F

    return df.select(*[F.col(f"`{given}`").alias(name) for given, name in zip(df.columns, columns, strict=True)])


def _duplicate_key(df: DataFrame, keys: tuple[str, ...]) -> str | None:
    """One key value the batch holds twice, for the error message; None when every key is unique."""
    from pyspark.sql import functions as F

    row = df.groupBy(*keys).agg(F.count(F.lit(1)).alias("gf_rows")).where("gf_rows > 1").limit(1).collect()
    return ", ".join(repr(row[0][index]) for index in range(len(keys))) if row else None


def _write_staging(df: DataFrame, source: JdbcSource, staging: str, partitions: int, where: str) -> int:
    """Spark creates the staging table and writes the batch into it; returns its row count."""
    read_only = dict(source.dialect.read_properties)  # tuned for the ingest's window reads
    options = {k: v for k, v in source.spark_options().items() if k not in read_only}
    options.update({"dbtable": staging, "numPartitions": str(partitions)})
    try:
        rows = df.count()
        df.write.format("jdbc").options(**options).mode("overwrite").save()
    except Exception as exc:
        raise translate(exc, source, f"{where} (staging table {staging})") from None
    return rows


def _run_in_transaction(
    connection: Any, statements: tuple[str, str], source: JdbcSource, where: str
) -> tuple[int, int]:
    """The new-key count, then the upsert, in one transaction: (rows inserted, rows the database says it affected)."""
    count_sql, upsert_sql = statements
    connection.setAutoCommit(False)
    try:
        statement = connection.createStatement()
        counted = statement.executeQuery(count_sql)
        counted.next()
        inserted = int(counted.getLong(1))
        affected = int(statement.executeUpdate(upsert_sql))
        connection.commit()
    except Exception as exc:
        with contextlib.suppress(Exception):
            connection.rollback()
        raise translate(exc, source, where) from None
    return inserted, affected


def _drop(spark: SparkSession, source: JdbcSource, staging: str) -> bool:
    """Drop the staging table if it was created; whether the statement succeeded (a failure is logged: the
    upsert's own outcome is what counts; without ``IF EXISTS`` a missing table's error is expected, not logged)."""
    try:
        connection = open_connection(spark, source)
    except Exception as exc:
        log.warning("jdbc_upsert: could not drop staging table %s: %s", staging, type(exc).__name__)
        return False
    try:
        connection.createStatement().executeUpdate(drop_statement(source.dialect, staging))
        return True
    except Exception as exc:
        if source.dialect.name in DROP_IF_EXISTS:
            log.warning("jdbc_upsert: could not drop staging table %s: %s", staging, type(exc).__name__)
        return False
    finally:
        with contextlib.suppress(Exception):
            connection.close()
