"""Glue JDBC ``connection_options`` to Spark JDBC reader/writer options.

Glue accepts ``url``/``dbtable``/``user``/``password`` (plus ``query``/``sampleQuery`` and the parallel-read
options ``hashexpression``/``hashfield``/``hashpartitions``), or ``useConnectionProperties`` with a
``connectionName``; locally a connection name resolves to ``settings.databases[name]``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from pyspark.sql import DataFrame, SparkSession

from glueforge.errors import ConfigError, InputError, SourceError
from glueforge.settings import Settings

JDBC_CONNECTION_TYPES = frozenset(
    {"jdbc", "postgresql", "mysql", "mariadb", "sqlserver", "oracle", "redshift", "sqlite"}
)
_SECRET_IN_URL = re.compile(r"(password|pwd)=[^;&]*", re.IGNORECASE)


def redact_url(url: str) -> str:
    """The URL without any password parameter (safe for logs and errors)."""
    return _SECRET_IN_URL.sub(r"\1=***", url)


@dataclass
class JdbcTarget:
    url: str
    dbtable: str | None = None
    query: str | None = None
    user: str | None = None
    password: str | None = None
    driver: str | None = None
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def label(self) -> str:
        what = self.dbtable or "query"
        return f"{redact_url(self.url)} ({what})"

    def spark_options(self) -> dict[str, str]:
        options = {"url": self.url, **self.extra}
        if self.query:
            options["query"] = self.query
        elif self.dbtable:
            options["dbtable"] = self.dbtable
        for key, value in (("user", self.user), ("password", self.password), ("driver", self.driver)):
            if value:
                options[key] = value
        return options


def resolve_target(connection_type: str, options: dict[str, Any], settings: Settings) -> JdbcTarget:
    """Merge a named connection (if any) with the explicit options; the explicit options win."""
    opts = {str(k): v for k, v in options.items()}
    base: dict[str, Any] = {}
    name = opts.get("connectionName") or opts.get("connection_name")
    if name and str(opts.get("useConnectionProperties", "true")).lower() == "true":
        database = settings.databases.get(str(name))
        if database is None:
            known = ", ".join(sorted(settings.databases)) or "none"
            raise ConfigError(f"unknown connection {name!r} (configured databases: {known})", where="connectionName")
        base = {"url": database.url, "user": database.user}
        if database.password is not None:
            base["password"] = database.password.get_secret_value()
    merged = {**base, **{k: v for k, v in opts.items() if v is not None}}
    url = merged.get("url")
    if not url:
        raise InputError(
            f"{connection_type} source/target needs connection_options['url'] or a connectionName",
            where="connection_options",
        )
    query = merged.get("query") or merged.get("sampleQuery")
    dbtable = merged.get("dbtable")
    if not query and not dbtable:
        raise InputError("JDBC needs connection_options['dbtable'] or ['query']", where="connection_options")
    driver = merged.get("customJdbcDriverClassName") or merged.get("driver")
    extra = {k: str(merged[k]) for k in ("fetchsize", "batchsize", "isolationLevel") if k in merged}
    return JdbcTarget(
        str(url),
        dbtable and str(dbtable),
        query and str(query),
        merged.get("user"),
        merged.get("password"),
        driver and str(driver),
        extra,
    )


def hash_predicates(options: dict[str, Any], url: str) -> list[str] | None:
    """Glue's ``hashexpression``/``hashfield`` + ``hashpartitions`` as Spark JDBC predicates (one per partition).

    ``hashexpression`` must be a whole-number SQL expression; ``hashfield`` is used the same way, so it should
    name a whole-number column locally (Glue hashes any column server-side). Rows with a NULL key go to
    partition 0.
    """
    expression = options.get("hashexpression") or options.get("hashfield")
    partitions = int(options.get("hashpartitions", 7 if expression else 1))
    if not expression or partitions <= 1:
        return None
    modulo = "(ABS({e}) % {n})" if url.startswith("jdbc:sqlite:") else "MOD(ABS({e}), {n})"
    predicates = [f"{modulo.format(e=expression, n=partitions)} = {i}" for i in range(partitions)]
    predicates[0] += f" OR ({expression}) IS NULL"
    return predicates


def _source_error(exc: Exception, target: JdbcTarget, action: str) -> SourceError:
    # Py4J wraps the driver's message: "An error occurred while calling o1.load.\n: org.x.PSQLException: ..."
    lines = [line.strip().removeprefix(": ").strip() for line in str(exc).splitlines() if line.strip()]
    lines = [line for line in lines if not line.startswith("An error occurred while calling")]
    first = lines[0] if lines else type(exc).__name__
    if target.password:
        first = first.replace(target.password, "***")
    return SourceError(f"{action} failed: {redact_url(first)}", where=target.label)


def read_jdbc(spark: SparkSession, connection_type: str, options: dict[str, Any], settings: Settings) -> DataFrame:
    target = resolve_target(connection_type, options, settings)
    try:
        predicates = hash_predicates(options, target.url) if target.dbtable and not target.query else None
        if predicates:
            spark_options = target.spark_options()
            url = spark_options.pop("url")
            table = spark_options.pop("dbtable")
            return spark.read.jdbc(url, table, predicates=predicates, properties=spark_options)
        return spark.read.format("jdbc").options(**target.spark_options()).load()
    except Exception as exc:  # Py4J/JVM errors: the driver's message is the useful part
        raise _source_error(exc, target, "JDBC read") from None


def write_jdbc(df: DataFrame, connection_type: str, options: dict[str, Any], settings: Settings) -> None:
    target = resolve_target(connection_type, options, settings)
    if not target.dbtable:
        raise InputError("JDBC sink needs connection_options['dbtable']", where="connection_options")
    try:
        df.write.format("jdbc").options(**target.spark_options()).mode("append").save()
    except Exception as exc:
        raise _source_error(exc, target, "JDBC write") from None
