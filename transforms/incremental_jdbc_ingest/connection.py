"""Where the source is and how to log in: JDBC URL or Glue connection, password from env or Secrets Manager.

A password is never an option value: it comes from an environment variable, a Secrets Manager secret, a
Glue connection or glueforge settings, and is only ever handed to the JDBC driver.
"""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Self, cast

from pydantic import BaseModel, ConfigDict, field_validator, model_validator

from glueforge.errors import ConfigError, NotFoundError, SourceError
from transforms.incremental_jdbc_ingest.dialects import Dialect, check_identifier, dialect_for, redact_url

if TYPE_CHECKING:
    from pyspark.sql import SparkSession


@dataclass(frozen=True)
class JdbcSource:
    url: str
    user: str | None
    password: str | None = field(repr=False)
    dialect: Dialect

    @property
    def safe_url(self) -> str:
        return redact_url(self.url)

    def spark_options(self) -> dict[str, str]:
        """Options every Spark JDBC read of this source gets (credentials included: never log them)."""
        opts = {"url": self.url}
        if self.user:
            opts["user"] = self.user
        if self.password is not None:
            opts["password"] = self.password
        if self.dialect.session_init:
            opts["sessionInitStatement"] = self.dialect.session_init
        opts.update(self.dialect.read_properties)
        return opts


class NoDriver(Exception):
    """``DriverManager`` has no driver for the URL (e.g. a jar given through ``spark.jars`` only, which only
    Spark's own class loader sees)."""


def open_connection(spark: SparkSession, source: JdbcSource) -> Any:
    """A plain JDBC connection through py4j, the dialect's session init statement applied (no Spark job);
    the caller closes it. ``NoDriver`` when ``DriverManager`` cannot see the driver."""
    jvm: Any = cast(Any, spark)._jvm
    props = jvm.java.util.Properties()
    for key, value in source.spark_options().items():
        if key in ("user", "password"):
            props.setProperty(key, value)
    try:
        connection = jvm.java.sql.DriverManager.getConnection(source.url, props)
    except Exception as exc:
        if "No suitable driver" in str(exc):
            raise NoDriver from None
        raise
    try:
        if source.dialect.session_init:
            statement = connection.createStatement()
            statement.execute(source.dialect.session_init)
            statement.close()
    except Exception:
        with contextlib.suppress(Exception):
            connection.close()
        raise
    return connection


def declared_unique_keys(connection: Any, table: str) -> list[frozenset[str]]:
    """Primary key and unique indexes the database declares for ``table`` (``[catalog.][schema.]table``), as
    lower-cased column sets, from the driver's metadata. The name is tried as given, then lower and upper case
    (drivers match the case the database stored it in)."""
    parts = table.split(".")
    name, schema = parts[-1], parts[-2] if len(parts) > 1 else None
    catalog = parts[-3] if len(parts) > 2 else None
    meta = connection.getMetaData()
    for candidate in dict.fromkeys([name, name.lower(), name.upper()]):
        found: dict[str, set[str]] = {}
        rows = meta.getPrimaryKeys(catalog, schema, candidate)
        while rows.next():
            found.setdefault("primary", set()).add(str(rows.getString("COLUMN_NAME")).lower())
        rows = meta.getIndexInfo(catalog, schema, candidate, True, True)
        while rows.next():
            index, column = rows.getString("INDEX_NAME"), rows.getString("COLUMN_NAME")
            if index is not None and column is not None and not rows.getBoolean("NON_UNIQUE"):
                found.setdefault(str(index), set()).add(str(column).lower())
        if found:
            return [frozenset(columns) for columns in found.values() if columns]
    return []


class JdbcLogin(BaseModel):
    """Where a database is and how to log in: the options every JDBC transform shares (a password is never one
    of them: it comes from an environment variable, a secret or the Glue connection)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    connection_name: str | None = None
    url: str | None = None
    database_type: str | None = None
    user: str | None = None
    password_env: str | None = None
    password_secret_id: str | None = None

    @field_validator("password_env")
    @classmethod
    def _variable(cls, value: str | None) -> str | None:
        return None if value is None else check_identifier(value, "environment variable name")

    @model_validator(mode="after")
    def _where(self) -> Self:
        if self.url is None and self.connection_name is None:
            raise ValueError("give a JDBC url or a Glue connection_name")
        return self


def resolve_source(options: JdbcLogin, glue_context: Any = None) -> JdbcSource:
    url, user, password = options.url, options.user, None
    if options.connection_name:
        conn_url, conn_user, conn_password = _connection(options.connection_name, glue_context)
        url, user, password = url or conn_url, user or conn_user, conn_password
    if options.password_env:
        if options.password_env not in os.environ:
            raise ConfigError(f"environment variable {options.password_env} is not set", where="password_env")
        password = os.environ[options.password_env]
    if options.password_secret_id:
        secret_user, password = _secret(options.password_secret_id)
        user = user or secret_user
    assert url is not None  # options guarantee url or connection_name
    return JdbcSource(url, user, password, dialect_for(url, options.database_type))


def _connection(name: str, glue_context: Any) -> tuple[str, str | None, str | None]:
    """A Glue connection (on Glue) or a database named in glueforge settings (locally)."""
    extract = getattr(glue_context, "extract_jdbc_conf", None)
    if extract is not None:
        try:
            conf = extract(name)
        except Exception as exc:
            conf = None
            error: Exception | None = exc
        else:
            error = None
        if conf:
            url = conf.get("fullUrl") or conf.get("url")
            return str(url), conf.get("user"), conf.get("password")
    else:
        error = None
    from glueforge.settings import load_settings

    databases = load_settings().databases
    if name not in databases:
        known = ", ".join(sorted(databases)) or "none"
        detail = f" ({type(error).__name__})" if error else ""
        raise NotFoundError(f"no connection named {name!r}{detail}; known locally: {known}", where="connection_name")
    db = databases[name]
    return db.url, db.user, db.password.get_secret_value() if db.password else None


def _secret(secret_id: str) -> tuple[str | None, str]:
    """``(username, password)`` from a Secrets Manager secret: JSON ``{username, password}`` or plain text."""
    import boto3

    try:
        response = boto3.client("secretsmanager").get_secret_value(SecretId=secret_id)
    except Exception as exc:
        raise SourceError(f"cannot read the secret: {type(exc).__name__}", where=f"secret {secret_id}") from None
    text = response.get("SecretString") or ""
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        return None, text
    if isinstance(data, dict) and "password" in data:
        return data.get("username"), str(data["password"])
    return None, text
