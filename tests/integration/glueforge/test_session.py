import time
from pathlib import Path

from glueforge.lakehouse import TableName, snapshot_summaries, table_exists, write_table
from glueforge.session import get_spark, use_warehouse
from glueforge.settings import load_settings


def test_session_writes_and_reads_iceberg_v2_tables(lakehouse):
    spark = lakehouse.spark
    table = TableName.parse("sales.orders")
    write_table(spark.createDataFrame([(1, "a")], "id INT, v STRING"), table)
    write_table(spark.createDataFrame([(2, "b")], "id INT, v STRING"), table)
    assert sorted(tuple(r) for r in spark.sql("SELECT * FROM sales.orders").collect()) == [(1, "a"), (2, "b")]
    properties = dict(spark.sql("SHOW TBLPROPERTIES sales.orders").collect())
    assert properties["format-version"] == "2"
    assert properties.get("current-snapshot-id")
    assert len(snapshot_summaries(spark, table)) == 2
    # data files live under this test's warehouse
    assert list((lakehouse.warehouse / "sales" / "orders" / "data").glob("*.parquet"))


def test_merge_into_works_with_the_iceberg_extensions(lakehouse):
    spark = lakehouse.spark
    spark.sql("CREATE TABLE m.t (id INT, v STRING) USING iceberg")
    spark.sql("INSERT INTO m.t VALUES (1, 'old'), (2, 'keep')")
    spark.sql(
        "MERGE INTO m.t t USING (SELECT 1 AS id, 'new' AS v UNION ALL SELECT 3, 'ins') s ON t.id = s.id "
        "WHEN MATCHED THEN UPDATE SET * WHEN NOT MATCHED THEN INSERT *"
    )
    assert sorted(tuple(r) for r in spark.sql("SELECT * FROM m.t").collect()) == [(1, "new"), (2, "keep"), (3, "ins")]


def test_overwrite_replaces_the_table(lakehouse):
    table = TableName.parse("ow.t")
    spark = lakehouse.spark
    write_table(spark.createDataFrame([(1,)], "id INT"), table)
    write_table(spark.createDataFrame([(5,), (6,)], "id INT"), table, mode="overwrite")
    assert sorted(r.id for r in spark.table("ow.t").collect()) == [5, 6]


def test_second_call_returns_the_same_session_quickly(spark):
    started = time.perf_counter()
    again = get_spark(load_settings(warehouse=Path(spark.conf.get("spark.sql.catalog.local.warehouse"))))
    assert again is spark
    assert time.perf_counter() - started < 2


def test_each_warehouse_gets_its_own_catalog(spark, tmp_path):
    first = use_warehouse(spark, tmp_path / "a")
    spark.sql("CREATE TABLE iso.t (id INT) USING iceberg")
    second = use_warehouse(spark, tmp_path / "b")
    assert first != second
    assert not table_exists(spark, TableName.parse("iso.t"))
    assert use_warehouse(spark, tmp_path / "a") == first
    assert table_exists(spark, TableName.parse("iso.t"))


def test_jdbc_drivers_are_on_the_classpath_for_every_local_database(spark, sqlite_db, postgres_db, mariadb_db):
    import sqlite3

    with sqlite3.connect(sqlite_db.sqlalchemy_url.removeprefix("sqlite:///")) as connection:
        connection.execute("CREATE TABLE t (id INTEGER, amount NUMERIC)")
        connection.execute("INSERT INTO t VALUES (1, 2.5)")
    for database, query in (
        (sqlite_db, "SELECT id FROM t"),
        (postgres_db, "SELECT 1 AS id"),
        (mariadb_db, "SELECT 1 AS id"),
    ):
        reader = spark.read.format("jdbc").option("url", database.jdbc_url).option("query", query)
        if database.user:
            reader = reader.option("user", database.user)
        assert [int(r.id) for r in reader.load().collect()] == [1], database.kind


def test_the_running_jvm_compiles_with_lazy_c2_thresholds(spark):
    """The options reach the JVM itself (a misspelt -XX flag would stop it from starting; a dropped one not)."""
    from glueforge.session import LAZY_C2

    jvm = spark._jvm
    diagnostics = jvm.java.lang.management.ManagementFactory.getPlatformMXBean(
        jvm.java.lang.Class.forName("com.sun.management.HotSpotDiagnosticMXBean")
    )
    expected = dict(option.removeprefix("-XX:").split("=") for option in LAZY_C2.split())
    assert {name: diagnostics.getVMOption(name).getValue() for name in expected} == expected
