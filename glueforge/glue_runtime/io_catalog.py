"""Glue Data Catalog reads and writes, locally: ``database.table_name`` is an Iceberg table of the current catalog."""

from __future__ import annotations

from typing import Any

from pyspark.sql import DataFrame, SparkSession

from glueforge.errors import InputError, NotFoundError
from glueforge.lakehouse import TableName, ensure_namespace, table_exists


def catalog_table(database: str, table_name: str) -> TableName:
    if not database or not table_name:
        raise InputError("from_catalog needs database and table_name", where="from_catalog")
    return TableName(str(database), str(table_name))


def read_catalog(spark: SparkSession, database: str, table_name: str, push_down_predicate: str = "") -> DataFrame:
    table = catalog_table(database, table_name)
    if not table_exists(spark, table):
        current = spark.catalog.currentCatalog()
        raise NotFoundError(f"table {table} does not exist in the local catalog {current!r}", where="from_catalog")
    df = spark.table(table.sql)
    return df.filter(push_down_predicate) if push_down_predicate else df


def write_catalog(df: DataFrame, database: str, table_name: str, additional_options: dict[str, Any]) -> TableName:
    """Append to the Iceberg table, creating it (partitioned by ``partitionKeys``, if given) when missing."""
    from pyspark.errors import AnalysisException
    from pyspark.sql import functions as F

    table = catalog_table(database, table_name)
    spark = df.sparkSession
    ensure_namespace(spark, table)
    try:
        if table_exists(spark, table):
            df.writeTo(table.sql).append()
            return table
        writer = df.writeTo(table.sql).using("iceberg").tableProperty("format-version", "2")
        partition_keys = [str(k) for k in additional_options.get("partitionKeys") or []]
        if partition_keys:
            writer = writer.partitionedBy(*[F.col(k) for k in partition_keys])
        writer.create()
    except AnalysisException as exc:
        first = str(exc).strip().splitlines()[0]
        raise InputError(
            f"cannot write the frame to {table}: {first}", where="write_dynamic_frame.from_catalog"
        ) from None
    return table
