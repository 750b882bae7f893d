"""Target nodes: S3 paths under the local data root, Iceberg tables in the current catalog, local JDBC tables."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from glueforge.lakehouse import TableName, write_table
from migration.executor import ExecutionContext, node_executor

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

JDBC_TARGET_TYPES = {
    "PostgreSQLCatalogTarget": "postgresql",
    "MySQLCatalogTarget": "mysql",
    "OracleSQLCatalogTarget": "oracle",
    "MicrosoftSQLServerCatalogTarget": "sqlserver",
}


@node_executor("S3DirectTarget")
def s3_direct(ctx: ExecutionContext, node_id: str, fields: dict[str, Any], inputs: list[DataFrame]) -> None:
    frame = inputs[0]
    ctx.written[node_id] = frame.count()
    writer = frame.write.mode("append").format(fields["Format"])
    partitions = [p[0] for p in fields.get("PartitionKeys", [])]
    if partitions:
        writer = writer.partitionBy(*partitions)
    writer.save(ctx.local_path(fields["Path"]))


@node_executor("S3IcebergCatalogTarget", "S3CatalogTarget", "CatalogTarget")
def iceberg_catalog(ctx: ExecutionContext, node_id: str, fields: dict[str, Any], inputs: list[DataFrame]) -> None:
    ctx.written[node_id] = inputs[0].count()
    write_table(inputs[0], TableName.parse(f"{fields['Database']}.{fields['Table']}"), "append")


def _jdbc_catalog(database_type: str) -> Any:
    def run(ctx: ExecutionContext, node_id: str, fields: dict[str, Any], inputs: list[DataFrame]) -> None:
        # The catalog database of a migrated JDBC target is the Glue connection name.
        database = ctx.database(fields["Database"], database_type)
        ctx.written[node_id] = inputs[0].count()
        inputs[0].write.jdbc(
            database.url, ctx.table(fields["Table"]), mode="append", properties=ctx.jdbc_properties(database)
        )

    return run


for _kind, _database_type in JDBC_TARGET_TYPES.items():
    node_executor(_kind)(_jdbc_catalog(_database_type))
