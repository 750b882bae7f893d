"""Upsert a DataFrame into a JDBC table: Spark writes the rows into a staging table beside the target, then one
statement in one transaction inserts the new keys and updates the existing ones, and the staging table is
dropped. So the target sees all of the batch or none of it, whatever fails.

Glue's JDBC targets only insert; a legacy job that upserted into its database (``migration``'s RDS targets
with ``mode: upsert``) keeps its meaning through this transform.
"""

from __future__ import annotations

import contextlib
import logging
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


@dataclass(frozen=True)
class UpsertSummary:
    table: str
    rows: int  # rows of the batch
    inserted: int  # rows whose key the table did not hold
    updated: int  # rows whose key it held (their values replaced, changed or not)
    affected: int  # as the database counts them (MySQL/MariaDB: 1 per insert, 2 per changed update)
    seconds: float

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def staging_name(table: str) -> str:
    """A fresh table name in the target's schema: ``[schema.]gf_stage_<table>_<random>``."""
    *schema, name = table.split(".")
    suffix = uuid.uuid4().hex[:12]
    stem = f"{STAGING_PREFIX}{name}".lower()[: MAX_NAME - len(suffix) - 1]
    return ".".join([*schema, f"{stem}_{suffix}"])


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
    summary = UpsertSummary(options.table, rows, inserted, rows - inserted, affected, seconds)
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


def _drop(spark: SparkSession, source: JdbcSource, staging: str) -> None:
    """Drop the staging table if it was created (a failure is logged: the upsert's own outcome is what counts;
    without ``IF EXISTS`` a missing table's error is expected and not logged)."""
    try:
        connection = open_connection(spark, source)
    except Exception as exc:
        log.warning("jdbc_upsert: could not drop staging table %s: %s", staging, type(exc).__name__)
        return
    try:
        connection.createStatement().executeUpdate(drop_statement(source.dialect, staging))
    except Exception as exc:
        if source.dialect.name in DROP_IF_EXISTS:
            log.warning("jdbc_upsert: could not drop staging table %s: %s", staging, type(exc).__name__)
    finally:
        with contextlib.suppress(Exception):
            connection.close()
