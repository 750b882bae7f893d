"""What a node executor needs: Spark, where S3 and JDBC point to locally, and the run's findings."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from glueforge.errors import ConfigError, InputError
from glueforge.settings import DatabaseSettings, Settings

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

# Which local database stands in for a Glue JDBC connection type when none is named.
DEFAULT_DATABASE_BY_TYPE = {"postgresql": "postgres", "mysql": "mariadb", "mariadb": "mariadb"}


class JobRunError(InputError):
    """The migrated job failed while running locally (data quality stop, bad source, ...)."""


@dataclass
class ExecutionContext:
    spark: SparkSession
    settings: Settings
    job_name: str
    connections: dict[str, str] = field(default_factory=dict)
    """Glue connection name -> a database name of ``settings.databases`` or a ``jdbc:`` URL."""
    tables: dict[str, str] = field(default_factory=dict)
    """Legacy/catalog table name -> the table to use locally (default: the same name)."""
    glue_catalog: str = "glue_catalog"
    warnings: list[str] = field(default_factory=list)
    written: dict[str, int] = field(default_factory=dict)
    """Sink node id -> rows written."""

    def local_path(self, uri: str) -> str:
        """``s3://bucket/key`` -> ``data_root/bucket/key`` (a local path stays as it is)."""
        if uri.startswith(("s3://", "s3a://", "s3n://")):
            return str(self.settings.resolved_data_root() / uri.split("://", 1)[1])
        return str(Path(uri))

    def database(self, connection: str, kind: str | None = None) -> DatabaseSettings:
        target = self.connections.get(connection)
        if target is None and connection in self.settings.databases:
            target = connection
        if target is None and kind is not None:
            target = DEFAULT_DATABASE_BY_TYPE.get(kind)
        if target is None:
            raise ConfigError(
                f"no local database for Glue connection {connection!r}; pass --connection "
                f"{connection}=postgres|mariadb|jdbc:...",
                where=f"job {self.job_name}",
            )
        if target.startswith("jdbc:"):
            return DatabaseSettings(url=target)
        if target not in self.settings.databases:
            known = ", ".join(sorted(self.settings.databases))
            raise ConfigError(
                f"connection {connection!r} maps to unknown database {target!r} (known: {known})",
                where=f"job {self.job_name}",
            )
        return self.settings.databases[target]

    def table(self, name: str) -> str:
        return self.tables.get(name, name)

    def rewrite_tables(self, sql: str) -> str:
        """Replace mapped table names inside SQL text (word-bounded, longest first)."""
        for old in sorted(self.tables, key=len, reverse=True):
            sql = re.sub(rf"(?<![\w.`]){re.escape(old)}(?![\w`])", self.tables[old], sql)
        return sql

    def jdbc_properties(self, database: DatabaseSettings) -> dict[str, str]:
        properties: dict[str, str] = {}
        if database.user:
            properties["user"] = database.user
        if database.password is not None:
            properties["password"] = database.password.get_secret_value()
        return properties
