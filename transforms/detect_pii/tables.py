"""The seed scenario: scan a relational table over JDBC and mask its PII columns in place.

Masking in place (as the seed's Glue job does on Redshift): Spark reads the table, masks the flagged columns,
writes key + masked columns to a staging table, then ONE database transaction runs
``UPDATE target SET c = s.c FROM staging s WHERE key matches`` and checks that every target row was updated
exactly once before committing. Any mismatch or error rolls back: no row is lost, nothing is half-masked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from glueforge.errors import ConfigError, InputError, SourceError
from transforms.detect_pii.pipeline import PiiResult, run

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

_JDBC_POSTGRES = re.compile(r"^jdbc:(?:postgresql|redshift)://(?P<host>[^/:?]+)(?::(?P<port>[0-9]+))?/(?P<db>[^?]+)")
_TABLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_$]*(?:\.[A-Za-z_][A-Za-z0-9_$]*)?$")


@dataclass(frozen=True)
class JdbcTarget:
    url: str
    table: str
    user: str | None = None
    password: str | None = None

    def properties(self) -> dict[str, str]:
        props = {}
        if self.user:
            props["user"] = self.user
        if self.password:
            props["password"] = self.password
        return props

    def sqlalchemy_url(self) -> Any:
        from sqlalchemy.engine import URL

        match = _JDBC_POSTGRES.match(self.url)
        if not match:
            raise ConfigError("in-place masking supports PostgreSQL/Redshift JDBC URLs", where="mask-table --url")
        return URL.create(
            "postgresql+psycopg",
            username=self.user,
            password=self.password,
            host=match["host"],
            port=int(match["port"] or 5432),
            database=match["db"],
        )


def _check_table(name: str) -> str:
    if not _TABLE.match(name):
        raise InputError(f"{name!r} is not a table name (schema.table, letters/digits/_)", where="--table")
    return name


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _table_sql(name: str) -> str:
    return ".".join(_ident(p) for p in name.split("."))


def read_table(spark: SparkSession, target: JdbcTarget) -> Any:
    _check_table(target.table)
    try:
        return spark.read.jdbc(target.url, _table_sql(target.table), properties=target.properties())
    except Exception as exc:  # Py4J errors from the driver: one line, no password
        first = str(exc).strip().splitlines()[0][:300] if str(exc).strip() else type(exc).__name__
        raise SourceError(f"cannot read the table: {first}", where=target.table) from None


def scan_table(spark: SparkSession, target: JdbcTarget, **params: Any) -> PiiResult:
    df = read_table(spark, target)
    return run(df, table=target.table, **{**params, "action": "DETECT"})


def primary_key(target: JdbcTarget) -> list[str]:
    from sqlalchemy import create_engine, inspect

    schema, _, table = target.table.rpartition(".")
    engine = create_engine(target.sqlalchemy_url())
    try:
        return list(inspect(engine).get_pk_constraint(table, schema=schema or None).get("constrained_columns") or [])
    finally:
        engine.dispose()


def mask_table(
    spark: SparkSession, target: JdbcTarget, key_columns: list[str] | None = None, **params: Any
) -> tuple[PiiResult, int]:
    """Mask the PII columns of ``target`` in place; returns the result and the number of rows updated."""
    from sqlalchemy import create_engine, text

    keys = key_columns or primary_key(target)
    if not keys:
        raise ConfigError("the table has no primary key: name the row key with --key", where=target.table)
    df = read_table(spark, target)
    missing = [k for k in keys if k not in df.columns]
    if missing:
        raise InputError(f"key column(s) {missing} not in the table", where=target.table)
    # The row key must stay as it is to find the rows again, so it is never masked.
    exclude = list(dict.fromkeys([*(params.pop("excludeColumns", None) or []), *keys]))
    result = run(df, table=target.table, excludeColumns=exclude, **params)
    masked_columns = [c for c, entities in result.report.pii_columns.items() if entities]
    if not masked_columns or result.options.action == "DETECT":
        return result, 0
    staging = f"stage_{target.table.split('.')[-1]}"[:63]
    schema = target.table.rpartition(".")[0]
    staging_table = f"{schema}.{staging}" if schema else staging
    source = result.frame.select(*keys, *masked_columns)
    source.write.jdbc(target.url, _table_sql(staging_table), mode="overwrite", properties=target.properties())

    engine = create_engine(target.sqlalchemy_url())
    try:
        with engine.begin() as connection:  # one transaction: all rows masked, or none
            total: int = connection.execute(text(f"SELECT count(*) FROM {_table_sql(target.table)}")).scalar_one()
            staged: int = connection.execute(text(f"SELECT count(*) FROM {_table_sql(staging_table)}")).scalar_one()
            assignments = ", ".join(f"{_ident(c)} = s.{_ident(c)}" for c in masked_columns)
            join = " AND ".join(f"t.{_ident(k)} IS NOT DISTINCT FROM s.{_ident(k)}" for k in keys)
            updated = connection.execute(
                text(
                    f"UPDATE {_table_sql(target.table)} AS t SET {assignments} "
                    f"FROM {_table_sql(staging_table)} AS s WHERE {join}"
                )
            ).rowcount
            if not (total == staged == updated):
                raise SourceError(
                    f"row check failed (table {total}, staged {staged}, updated {updated}); rolled back "
                    "(is the key unique?)",
                    where=target.table,
                )
    except SourceError:
        raise
    except Exception as exc:  # database errors (e.g. a masked value wider than the column): rolled back
        message = str(getattr(exc, "orig", exc)).strip().splitlines()[0][:300]
        raise SourceError(f"in-place update failed and was rolled back: {message}", where=target.table) from None
    finally:
        with engine.begin() as connection:  # the staging copy holds masked values only; drop it either way
            connection.execute(text(f"DROP TABLE IF EXISTS {_table_sql(staging_table)}"))
        engine.dispose()
    return result, int(updated)
