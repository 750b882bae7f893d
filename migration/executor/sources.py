"""Source nodes: S3 files under the local data root, JDBC tables in the local databases."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from migration.executor import ExecutionContext, node_executor
from migration.script import QUOTES, SEPARATORS, schema_ddl

if TYPE_CHECKING:
    from pyspark.sql import DataFrame


def _reader(ctx: ExecutionContext, fields: dict[str, Any]) -> Any:
    reader = ctx.spark.read.option("recursiveFileLookup", "true")
    ddl = schema_ddl(fields)
    return reader.schema(ddl) if ddl else reader


def _paths(ctx: ExecutionContext, fields: dict[str, Any]) -> list[str]:
    return [ctx.local_path(p) for p in fields["Paths"]]


@node_executor("S3CsvSource")
def s3_csv(ctx: ExecutionContext, node_id: str, fields: dict[str, Any], inputs: list[DataFrame]) -> DataFrame:
    reader = _reader(ctx, fields).options(
        sep=SEPARATORS[fields["Separator"]],
        quote=QUOTES[fields["QuoteChar"]],
        header=str(fields.get("WithHeader", False)).lower(),
        inferSchema=str(schema_ddl(fields) is None).lower(),
    )
    return reader.csv(_paths(ctx, fields))


@node_executor("S3JsonSource")
def s3_json(ctx: ExecutionContext, node_id: str, fields: dict[str, Any], inputs: list[DataFrame]) -> DataFrame:
    return _reader(ctx, fields).json(_paths(ctx, fields))


@node_executor("S3ParquetSource")
def s3_parquet(ctx: ExecutionContext, node_id: str, fields: dict[str, Any], inputs: list[DataFrame]) -> DataFrame:
    return _reader(ctx, fields).parquet(*_paths(ctx, fields))


@node_executor("DirectJDBCSource")
def direct_jdbc(ctx: ExecutionContext, node_id: str, fields: dict[str, Any], inputs: list[DataFrame]) -> DataFrame:
    database = ctx.database(fields["ConnectionName"], fields.get("ConnectionType"))
    return ctx.spark.read.jdbc(database.url, ctx.table(fields["Table"]), properties=ctx.jdbc_properties(database))


@node_executor("S3CatalogIcebergSource", "CatalogIcebergSource", "CatalogSource", "S3CatalogSource")
def catalog_table(ctx: ExecutionContext, node_id: str, fields: dict[str, Any], inputs: list[DataFrame]) -> DataFrame:
    return ctx.spark.table(f"`{fields['Database']}`.`{ctx.table(fields['Table'])}`")
