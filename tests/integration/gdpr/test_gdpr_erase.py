"""`glueforge gdpr erase`: the subject is gone from every Parquet file of the warehouse, not only from the
current snapshot (copy-on-write and merge-on-read tables, history snapshots and an orphan file)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from glueforge.cli import main
from glueforge.gdpr import parquet_files_with_value
from pipelines.dbt_sources import write_demo_sources

if TYPE_CHECKING:
    from conftest import Lakehouse


def _files_with(warehouse: Path, value: int) -> list[Path]:
    return parquet_files_with_value(warehouse, "customer_id", str(value))[1]


def test_erasure_removes_the_subject_from_every_data_file(
    lakehouse: Lakehouse, capsys: pytest.CaptureFixture[str]
) -> None:
    spark, warehouse = lakehouse.spark, lakehouse.warehouse
    write_demo_sources(spark, customer_count=15, order_count=80)
    subject = int(spark.sql("select customer_id from bronze.orders order by order_id limit 1").first()[0])
    spark.sql("create namespace if not exists silver")
    spark.sql(
        "create table silver.orders_mor using iceberg tblproperties ('format-version'='2', "
        "'write.delete.mode'='merge-on-read', 'write.update.mode'='merge-on-read') as select * from bronze.orders"
    )
    spark.sql("update silver.orders_mor set status = 'delivered' where order_id % 5 = 0")  # more history
    spark.sql("create namespace if not exists misc")
    spark.sql("create table misc.no_subject (id int) using iceberg")
    spark.sql("insert into misc.no_subject values (1)")
    # a file a failed write left behind, holding the subject: only orphan removal finds it
    orphan = warehouse / "bronze" / "orders" / "data" / "00000-failed-write.parquet"
    pq.write_table(pa.table({"order_id": [999], "customer_id": [subject]}), orphan)
    # a stray folder in the warehouse root shows up as a namespace with an odd name: it must not break erasure
    (warehouse / ".stray-folder").mkdir()

    counts = {t: spark.table(t).count() for t in ("bronze.orders", "bronze.customers_masked", "silver.orders_mor")}
    subject_rows = {t: spark.sql(f"select count(*) from {t} where customer_id = {subject}").first()[0] for t in counts}
    before = _files_with(warehouse, subject)
    assert {p.relative_to(warehouse).parts[:2] for p in before} == {
        ("bronze", "orders"),
        ("bronze", "customers_masked"),
        ("silver", "orders_mor"),
    }
    assert orphan in before and all(subject_rows.values())

    code = main(
        [
            "gdpr",
            "erase",
            "--subject-column",
            "customer_id",
            "--value",
            str(subject),
            "--warehouse",
            str(warehouse),
            "--json",
        ]
    )
    report = json.loads(capsys.readouterr().out)
    assert code == 0, report
    assert report["verified_absent_from_data_files"] is True
    assert _files_with(warehouse, subject) == []  # physically gone, whole warehouse
    by_table = {t["table"]: t for t in report["tables"]}
    assert set(by_table) == set(counts)
    assert report["skipped"] == {"misc.no_subject": "no column customer_id"}
    for table, total in counts.items():
        assert by_table[table]["rows_deleted"] == subject_rows[table]
        assert spark.table(table).count() == total - subject_rows[table]  # everyone else is untouched
        assert spark.sql(f"select count(*) from {table}.snapshots").first()[0] == 1
    assert by_table["silver.orders_mor"]["rewrote_delete_files"] is True
    assert by_table["bronze.orders"]["orphan_files_removed"] >= 1 and not orphan.exists()
    saved = Path(report["report"]).read_text()
    assert json.loads(saved)["value_sha256"] == report["value_sha256"]
    assert 'value"' not in saved  # the report holds only the hash of the value


def test_bad_input_is_a_clear_error(lakehouse: Lakehouse, capsys: pytest.CaptureFixture[str]) -> None:
    spark = lakehouse.spark
    spark.sql("create namespace if not exists misc")
    spark.sql("create table misc.t (id int) using iceberg")
    cases = [
        (["--tables", "nothing.*"], "no table matches 'nothing.*'"),
        ([], "has a column 'customer_id'"),
    ]
    for extra, message in cases:
        with pytest.raises(SystemExit) as exited:
            main(
                [
                    "gdpr",
                    "erase",
                    "--subject-column",
                    "customer_id",
                    "--value",
                    "1",
                    "--warehouse",
                    str(lakehouse.warehouse),
                    *extra,
                ]
            )
        assert exited.value.code == 2
        assert message in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["gdpr", "erase", "--subject-column", "id; drop", "--value", "1", "--warehouse", str(lakehouse.warehouse)])
    assert "not a valid subject column" in capsys.readouterr().err


def test_erasure_also_removes_equality_deletes_that_hold_the_subject_key(lakehouse: Lakehouse) -> None:
    # An ingest upsert leaves an equality-delete file holding the keys it replaced: after the erasure's
    # rewrite it applies to nothing, and it must go too, or the subject's key outlives the erasure.
    from glueforge.gdpr import erase_subject
    from glueforge.lakehouse import TableName
    from transforms.incremental_jdbc_ingest.upsert import upsert
    from transforms.incremental_jdbc_ingest.writer import TABLE_PROPERTIES

    spark = lakehouse.spark
    spark.sql("CREATE NAMESPACE IF NOT EXISTS bronze")
    properties = ", ".join(f"'{key}'='{value}'" for key, value in TABLE_PROPERTIES.items())
    spark.sql(f"CREATE TABLE bronze.people (email string, name string) USING iceberg TBLPROPERTIES ({properties})")
    spark.sql("INSERT INTO bronze.people VALUES ('ann@x.test', 'Ann'), ('bob@x.test', 'Bob'), ('cy@x.test', 'Cy')")
    renamed = spark.createDataFrame([("ann@x.test", "Ann B."), ("cy@x.test", "Cy D.")], "email string, name string")
    upsert(spark, TableName.parse("bronze.people"), renamed, ("email",), {}, None)
    assert equality_delete_files(spark, "bronze.people") >= 1

    report = erase_subject(spark, "email", "ann@x.test", tables="bronze.people")
    assert report.verified and report.rows_deleted == 1
    assert parquet_files_with_value(lakehouse.warehouse, "email", "ann@x.test")[1] == []
    assert sorted(tuple(r) for r in spark.table("bronze.people").collect()) == [
        ("bob@x.test", "Bob"),
        ("cy@x.test", "Cy D."),
    ]
    assert equality_delete_files(spark, "bronze.people") == 0


def equality_delete_files(spark: Any, table: str) -> int:
    return int(spark.sql(f"SELECT count(*) FROM {table}.delete_files WHERE content = 2").first()[0])
