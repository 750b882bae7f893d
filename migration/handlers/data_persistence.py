"""DATA_PERSISTENCE -> ``S3DirectTarget``, Iceberg catalog targets, or JDBC catalog targets.

Iceberg ``merge`` and ``overwrite`` have no native Glue target, so they run as ``MERGE INTO`` /
``INSERT OVERWRITE`` inside a native ``SparkSQL`` node against the job's Iceberg catalog. JDBC catalog
targets name the Glue connection as their catalog database and the table as ``schema_table`` (the
crawler's naming). Glue JDBC targets only insert: an ``upsert`` becomes our ``jdbc_upsert`` custom transform
(one transaction through a staging table) when it is registered, else a warning; ``overwrite`` a warning.
"""

from __future__ import annotations

from typing import Any

from migration.handlers import handler
from migration.handlers.base import StepContext, StepError
from migration.legacy_model import IcebergTarget, LegacyConnection, PersistenceConfig, RdsTarget, S3Target

JDBC_TARGETS = {
    "postgresql": "PostgreSQLCatalogTarget",
    "mysql": "MySQLCatalogTarget",
    "oracle": "OracleSQLCatalogTarget",
    "sqlserver": "MicrosoftSQLServerCatalogTarget",
}
UPSERT_TRANSFORM = "jdbc_upsert"
S3_COMPRESSION = {"parquet": "snappy", "csv": "none", "json": "none"}
SOURCE_ALIAS = "source_rows"


def jdbc_catalog_table(table: str) -> str:
    return table.replace(".", "_")


def s3_target(ctx: StepContext, target: S3Target, parent: str) -> str:
    if not target.path.startswith("s3://"):
        raise StepError(f"target.path {target.path!r} is not an s3:// URI")
    if target.mode == "overwrite":
        ctx.warn("S3 overwrite: Glue S3 targets append; clear the prefix before the run (or use an Iceberg table)")
    fields: dict[str, Any] = {
        "Name": ctx.name(),
        "Inputs": [parent],
        "Path": target.path,
        "Format": target.format,
        "Compression": S3_COMPRESSION[target.format],
        "SchemaChangePolicy": {"EnableUpdateCatalog": False},
    }
    if target.partition_by:
        fields["PartitionKeys"] = [[c] for c in target.partition_by]
    return ctx.add("S3DirectTarget", fields)


def iceberg_target(ctx: StepContext, target: IcebergTarget, parent: str) -> str:
    table = f"{ctx.options.iceberg_catalog}.{target.database}.{target.table}"
    if target.mode == "append":
        return ctx.add(
            "S3IcebergCatalogTarget",
            {
                "Name": ctx.name(),
                "Inputs": [parent],
                "Database": target.database,
                "Table": target.table,
            },
        )
    if target.mode == "overwrite":
        query = f"INSERT OVERWRITE {table} SELECT * FROM {SOURCE_ALIAS}"
    else:
        if not target.keys:
            raise StepError("iceberg merge needs 'keys'")
        condition = " AND ".join(f"t.`{k}` = s.`{k}`" for k in target.keys)
        query = (
            f"MERGE INTO {table} t USING {SOURCE_ALIAS} s ON {condition} "
            "WHEN MATCHED THEN UPDATE SET * WHEN NOT MATCHED THEN INSERT *"
        )
    return ctx.add(
        "SparkSQL",
        {
            "Name": ctx.name(),
            "Inputs": [parent],
            "SqlQuery": query,
            "SqlAliases": [{"From": parent, "Alias": SOURCE_ALIAS}],
        },
    )


def rds_upsert(ctx: StepContext, target: RdsTarget, parent: str, connection: LegacyConnection) -> str:
    """The ``jdbc_upsert`` transform node: the rows go into the table in one transaction on its keys."""
    if not target.keys:
        raise StepError("rds upsert needs 'keys'")
    values = {
        "table": target.table,
        "primary_keys": ",".join(target.keys),
        "connection_name": connection.connection_name,
        "database_type": connection.db_type,
    }
    return ctx.custom_node(UPSERT_TRANSFORM, node_name=ctx.name(), input_id=parent, values=values)


def rds_target(ctx: StepContext, target: RdsTarget, parent: str) -> str:
    connection = ctx.connection(target.connection)
    if target.mode == "upsert" and ctx.custom.catalog.has(UPSERT_TRANSFORM):
        return rds_upsert(ctx, target, parent, connection)
    kind = JDBC_TARGETS.get(connection.db_type)
    if kind is None:
        raise StepError(
            f"no native Glue JDBC target for {connection.db_type} (connection {connection.connection_name!r})"
        )
    if target.mode == "upsert":
        ctx.warn(
            f"rds upsert on keys {target.keys}: Glue JDBC targets only insert and no custom transform "
            f"{UPSERT_TRANSFORM!r} is registered; rows whose key exists will conflict"
        )
    elif target.mode == "overwrite":
        ctx.warn("rds overwrite: Glue JDBC targets only insert; truncate the table before the run")
    return ctx.add(
        kind,
        {
            "Name": ctx.name(),
            "Inputs": [parent],
            "Database": connection.connection_name,
            "Table": jdbc_catalog_table(target.table),
        },
    )


TARGETS = {"s3": s3_target, "iceberg": iceberg_target, "rds": rds_target}


@handler("DATA_PERSISTENCE")
def data_persistence(ctx: StepContext) -> str:
    config = ctx.parse(PersistenceConfig)
    parent = ctx.single_input()
    writer: Any = TARGETS[config.target.type]
    node: str = writer(ctx, config.target, parent)
    return node
