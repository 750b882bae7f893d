"""``refresh_spark_table``: Spark sees a commit made outside its own catalog cache."""

from __future__ import annotations

from typing import Any

from glueforge.lakehouse import TableName, refresh_spark_table
from glueforge.session import iceberg_catalog_conf


def _second_catalog(lakehouse: Any) -> str:
    """Another Iceberg catalog over the same warehouse: its commits bypass the current catalog's cache."""
    name = f"{lakehouse.catalog}_other"
    for key, value in iceberg_catalog_conf(name, lakehouse.warehouse).items():
        lakehouse.spark.conf.set(key, value)
    return name


def test_refresh_makes_a_commit_from_elsewhere_visible(lakehouse: Any) -> None:
    spark = lakehouse.spark
    spark.sql("CREATE NAMESPACE IF NOT EXISTS refreshing")
    spark.sql("CREATE TABLE refreshing.t (id bigint) USING iceberg")
    spark.sql("INSERT INTO refreshing.t VALUES (1)")
    assert spark.table("refreshing.t").count() == 1
    other = _second_catalog(lakehouse)
    spark.sql(f"INSERT INTO {other}.refreshing.t VALUES (2)")
    assert spark.table("refreshing.t").count() == 1  # the current catalog still serves its cached table
    refresh_spark_table(spark, TableName("refreshing", "t"))
    assert spark.table("refreshing.t").count() == 2
    # with a catalog named explicitly
    spark.sql(f"INSERT INTO {other}.refreshing.t VALUES (3)")
    refresh_spark_table(spark, TableName("refreshing", "t", lakehouse.catalog))
    assert spark.table("refreshing.t").count() == 3
