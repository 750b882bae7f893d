"""Table lookups through the catalog API (``load_table``, ``table_exists``, ``java_table``): what Spark's
``spark.catalog.tableExists`` and Iceberg's ``Spark3Util`` answer, without the SQL parser."""

from __future__ import annotations

from typing import Any

import pytest

from glueforge.delete_files import find_java_table, java_table
from glueforge.lakehouse import (
    TableName,
    create_table,
    current_catalog_name,
    ensure_namespace,
    load_table,
    table_exists,
)
from glueforge.session import iceberg_catalog_conf


def test_missing_table_and_missing_namespace_are_absent_not_errors(lakehouse: Any) -> None:
    spark = lakehouse.spark
    spark.sql("CREATE NAMESPACE IF NOT EXISTS looked_up")
    for name in ("looked_up.nothing", "no_such_namespace.nothing", f"{lakehouse.catalog}.looked_up.nothing"):
        table = TableName.parse(name)
        assert load_table(spark, table) is None
        assert table_exists(spark, table) is False
        assert table_exists(spark, table) == spark.catalog.tableExists(name)


def test_existing_table_is_found_in_the_current_or_a_named_catalog(lakehouse: Any) -> None:
    spark = lakehouse.spark
    spark.sql("CREATE NAMESPACE IF NOT EXISTS looked_up")
    spark.sql("CREATE TABLE looked_up.present (id bigint) USING iceberg")
    for name in ("looked_up.present", f"{lakehouse.catalog}.looked_up.present"):
        assert table_exists(spark, TableName.parse(name)) is spark.catalog.tableExists(name) is True
    assert current_catalog_name(spark) == spark.catalog.currentCatalog() == lakehouse.catalog


def test_lookups_follow_use_of_another_catalog(lakehouse: Any) -> None:
    spark = lakehouse.spark
    spark.sql("CREATE NAMESPACE IF NOT EXISTS looked_up")
    spark.sql("CREATE TABLE looked_up.only_here (id bigint) USING iceberg")
    other = f"{lakehouse.catalog}_elsewhere"
    for key, value in iceberg_catalog_conf(other, lakehouse.warehouse.parent / "elsewhere").items():
        spark.conf.set(key, value)
    spark.sql(f"USE `{other}`")
    try:
        assert current_catalog_name(spark) == other
        assert not table_exists(spark, TableName.parse("looked_up.only_here"))
        assert table_exists(spark, TableName("looked_up", "only_here", lakehouse.catalog))
    finally:
        spark.sql(f"USE `{lakehouse.catalog}`")


def test_java_table_has_fresh_metadata_and_names_a_missing_table(lakehouse: Any) -> None:
    spark = lakehouse.spark
    spark.sql("CREATE NAMESPACE IF NOT EXISTS looked_up")
    spark.sql("CREATE TABLE looked_up.fresh (id bigint) USING iceberg")
    first = java_table(spark, TableName.parse("looked_up.fresh"))  # also cached by the catalog from here on
    assert first.currentSnapshot() is None
    spark.sql("INSERT INTO looked_up.fresh VALUES (1)")
    assert java_table(spark, "looked_up.fresh").currentSnapshot() is not None
    assert str(java_table(spark, "looked_up.fresh").name()).endswith("looked_up.fresh")
    assert find_java_table(spark, "looked_up.absent") is None
    assert find_java_table(spark, "no_such_namespace.absent") is None
    with pytest.raises(Exception, match=r"looked_up\.absent"):
        java_table(spark, "looked_up.absent")


def test_create_table_through_the_catalog_api_makes_what_create_table_sql_makes(lakehouse: Any) -> None:
    from pyspark.sql.types import DecimalType, LongType, StringType, StructField, StructType

    spark = lakehouse.spark
    schema = StructType(
        [
            StructField("id", LongType(), True),
            StructField("s", StringType(), True),
            StructField("d", DecimalType(10, 2)),
        ]
    )
    properties = {"format-version": "2", "write.merge.mode": "merge-on-read"}
    by_api = TableName.parse(f"{lakehouse.catalog}.made_new.by_api")  # a namespace that does not exist yet
    assert create_table(spark, by_api, schema, properties) is True
    spark.sql(
        "CREATE TABLE made_new.by_sql (id bigint, s string, d decimal(10,2)) USING iceberg "
        "TBLPROPERTIES ('format-version'='2', 'write.merge.mode'='merge-on-read')"
    )

    def described(name: str) -> tuple[Any, ...]:
        table_properties = sorted(tuple(row) for row in spark.sql(f"SHOW TBLPROPERTIES {name}").collect())
        return spark.table(name).schema, table_properties

    assert described("made_new.by_api") == described("made_new.by_sql")
    assert create_table(spark, by_api, schema, {"format-version": "1"}) is False  # exists: left as it was
    assert spark.sql("SHOW TBLPROPERTIES made_new.by_api ('format-version')").first()[1] == "2"  # type: ignore[index]


def test_ensure_namespace_is_idempotent_in_the_current_and_a_named_catalog(lakehouse: Any) -> None:
    spark = lakehouse.spark
    for name in ("fresh_ns.t", f"{lakehouse.catalog}.fresh_ns_named.t"):
        table = TableName.parse(name)
        ensure_namespace(spark, table)
        ensure_namespace(spark, table)
        assert spark.catalog.databaseExists(
            table.namespace if table.catalog is None else f"{table.catalog}.{table.namespace}"
        )
