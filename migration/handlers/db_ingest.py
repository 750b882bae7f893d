"""DB_INGEST -> ``DirectJDBCSource`` (by Glue connection name), or our ``incremental_jdbc_ingest`` transform.

Incremental steps (an ``incremental`` block or a ``{lastmdfdtmst}`` query) become the custom transform
with a placeholder parent (a custom transform always has one parent; this one ignores its input frame).
A plain custom query becomes a ``DirectJDBCSource`` of its table plus a ``SparkSQL`` node running the
query over it. Credentials stay in the Glue connection: nothing secret is copied into the job.
"""

from __future__ import annotations

import re
from typing import Any

from migration.handlers import handler
from migration.handlers.base import StepContext, StepError
from migration.legacy_model import DbIngestConfig, LegacyConnection

INCREMENTAL_TRANSFORM = "incremental_jdbc_ingest"
JDBC_CONNECTION_TYPES = {"postgresql", "mysql", "oracle", "sqlserver", "redshift"}
PLACEHOLDER = "{lastmdfdtmst}"
_QUOTED_PLACEHOLDER = re.compile(r"'\{lastmdfdtmst\}'")
_CURSOR_FROM_QUERY = re.compile(r"([A-Za-z_][A-Za-z0-9_.]*)\s*(?:>=|>)\s*'?\{lastmdfdtmst\}'?")


def slug(text: str) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9_]+", "_", text).strip("_").lower()
    return cleaned if cleaned and not cleaned[0].isdigit() else f"t_{cleaned}"


def direct_jdbc_source(ctx: StepContext, connection: LegacyConnection, table: str, name: str) -> str:
    if connection.db_type not in JDBC_CONNECTION_TYPES:
        raise StepError(
            f"connection {connection.connection_name!r} is {connection.db_type}, which has no native Glue JDBC "
            f"source (supported: {', '.join(sorted(JDBC_CONNECTION_TYPES))})"
        )
    return ctx.add(
        "DirectJDBCSource",
        {
            "Name": name,
            "ConnectionName": connection.connection_name,
            "ConnectionType": connection.db_type,
            "Database": connection.database,
            "Table": table,
        },
    )


def incremental_values(ctx: StepContext, config: DbIngestConfig, connection: LegacyConnection) -> dict[str, Any]:
    spec = config.incremental
    cursor = spec.column if spec else None
    if cursor is None and config.query:
        match = _CURSOR_FROM_QUERY.search(config.query)
        cursor = match.group(1).split(".")[-1] if match else None
    if not cursor:
        raise StepError("incremental ingest needs incremental.column (the cursor), none found in config or query")
    keys = spec.primary_key if spec else []
    values: dict[str, Any] = {
        "target_table": f"edls_ingest.{slug(ctx.job.job_name)}__{slug(ctx.step.step_name)}",
        "cursor_column": cursor,
        "connection_name": connection.connection_name,
        "database_type": connection.db_type,
        "write_mode": "merge" if keys else "append",
        "state_store": "iceberg",
        "output": "batch",
    }
    if config.query:
        # The transform binds the placeholder as a typed literal, so the legacy quotes around it must go.
        values["query"] = _QUOTED_PLACEHOLDER.sub(PLACEHOLDER, config.query)
    else:
        values["table"] = config.table
    if keys:
        values["primary_keys"] = ",".join(keys)
    if spec and spec.lookback_seconds:
        values["lookback_seconds"] = spec.lookback_seconds
    if config.parallel:
        values["hashfield"] = config.parallel.hashfield
        values["partitions"] = config.parallel.hashpartitions
    return values


@handler("DB_INGEST")
def db_ingest(ctx: StepContext) -> str:
    config = ctx.parse(DbIngestConfig)
    ctx.no_inputs()
    connection = ctx.connection(config.connection)
    if config.is_incremental:
        values = incremental_values(ctx, config, connection)
        placeholder = ctx.add(
            "DirectJDBCSource",
            {
                "Name": ctx.name("connection (placeholder parent, frame unused)"),
                "ConnectionName": connection.connection_name,
                "ConnectionType": connection.db_type if connection.db_type in JDBC_CONNECTION_TYPES else "postgresql",
                "Database": connection.database,
                "Table": config.table,
            },
        )
        return ctx.custom_node(INCREMENTAL_TRANSFORM, node_name=ctx.name(), input_id=placeholder, values=values)
    if config.parallel:
        ctx.warn(
            "parallel read (hashfield/hashpartitions) has no slot on DirectJDBCSource; "
            "set them as table properties of the catalog table"
        )
    source = direct_jdbc_source(ctx, connection, config.table, ctx.name() if not config.query else ctx.name("table"))
    if not config.query:
        return source
    pattern = re.compile(rf"(?<![\w.]){re.escape(config.table)}(?![\w.])", re.IGNORECASE)
    if not pattern.search(config.query):
        raise StepError(f"the custom query does not read {config.table!r}; cannot map it onto a table source")
    return ctx.add(
        "SparkSQL",
        {
            "Name": ctx.name(),
            "Inputs": [source],
            "SqlQuery": pattern.sub("source_table", config.query),
            "SqlAliases": [{"From": source, "Alias": "source_table"}],
        },
    )
