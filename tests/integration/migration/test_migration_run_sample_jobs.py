"""The migrated sample jobs run locally through ``glueforge run-job`` and give the rows the legacy steps would.

Expected rows are computed here in plain Python from the sample inputs, following the legacy step
semantics (SCHEMA.md), independently of the Glue nodes the migrator chose.
"""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, text

from glueforge.cli import cli
from migration.sample import build_sqlite
from migration.sample import data as sample


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("migrated")
    db = build_sqlite(root / "edls.db")
    result = CliRunner().invoke(
        cli,
        ["migrate", "--metadata", f"sqlite:///{db}", "--out", str(root / "out"), "--no-svg"],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    return root / "out" / "jobs"


def run_job(job: Path, lakehouse, *extra: str) -> dict:
    result = CliRunner().invoke(
        cli,
        [
            "run-job",
            str(job),
            "--local",
            "--data-root",
            str(lakehouse.data_root),
            "--warehouse",
            str(lakehouse.warehouse),
            *extra,
        ],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.output.strip().splitlines()[-1])


def test_file_job_merges_curated_orders(migrated: Path, lakehouse) -> None:
    sample.write_file_inputs(lakehouse.data_root)
    # legacy: rename cust_nm -> customer_name, cast amount decimal(12,2), drop status TEST, dedupe, merge on order_id
    expected = sorted(
        (int(o), name, Decimal(amount), status) for o, name, amount, status in sample.ORDERS if status != "TEST"
    )
    summary = run_job(migrated / "daily_orders_file_load.json", lakehouse)
    rows = lakehouse.spark.sql("SELECT order_id, customer_name, amount, status FROM curated.orders").collect()
    assert sorted(tuple(r) for r in rows) == expected
    assert summary["written"] == {"node-14-1": 4}


def test_file_job_stops_on_a_failed_dq_rule(migrated: Path, lakehouse) -> None:
    rows = [*sample.ORDERS, [1, "Dup", "1.00", "NEW"]]  # duplicate order_id breaks IsUnique "order_id"
    sample.write_csv(lakehouse.data_root / "raw-bucket" / "orders" / "orders.csv", sample.ORDERS_HEADER, rows)
    result = CliRunner().invoke(
        cli,
        [
            "run-job",
            str(migrated / "daily_orders_file_load.json"),
            "--local",
            "--data-root",
            str(lakehouse.data_root),
            "--warehouse",
            str(lakehouse.warehouse),
        ],
    )
    message = str(result.exception)
    assert result.exit_code != 0
    assert "daily_orders_file_load" in message and "node-12-1" in message and 'IsUnique "order_id"' in message
    assert not lakehouse.spark.catalog.tableExists("curated.orders")  # nothing written after the stop


def expected_sales_by_region() -> list[tuple[str, float, int]]:
    """Legacy semantics: inner join sales to stores, keep COMPLETED with amount > 0, null region -> UNKNOWN,
    revenue = amount * quantity, per region: sum(revenue), count(sale_id)."""
    stores = {s["id"]: s["region"] for s in sample.STORES}
    totals: dict[str, list[float]] = {}
    for _sale_id, store_id, status, amount, quantity in sample.SALES:
        if status != "COMPLETED" or not amount > 0 or store_id not in stores:
            continue
        total = totals.setdefault(stores[store_id] or "UNKNOWN", [0.0, 0])
        total[0] += amount * quantity
        total[1] += 1
    return sorted((region, t[0], int(t[1])) for region, t in totals.items())


def sales_rows(lakehouse) -> list[tuple]:
    path = lakehouse.data_root / "curated-bucket" / "sales_by_region"
    rows = lakehouse.spark.read.parquet(str(path)).select("region", "total_revenue", "sales_count").collect()
    return sorted(tuple(r) for r in rows)


def test_sales_job_aggregates_by_region(migrated: Path, lakehouse) -> None:
    sample.write_file_inputs(lakehouse.data_root)
    run_job(migrated / "daily_sales_by_region.json", lakehouse)
    assert sales_rows(lakehouse) == expected_sales_by_region()


def test_sales_job_script_runs_through_the_local_glue_runtime(migrated: Path, lakehouse) -> None:
    from glueforge.glue_runtime.runner import run_script
    from glueforge.settings import load_settings

    sample.write_file_inputs(lakehouse.data_root)
    settings = load_settings(warehouse=lakehouse.warehouse, data_root=lakehouse.data_root)
    script = migrated.parent / "scripts" / "daily_sales_by_region.py"
    run_script(script, ["--JOB_NAME", "daily_sales_by_region"], settings=settings)
    assert sales_rows(lakehouse) == expected_sales_by_region()


def test_incremental_db_job_joins_masks_and_writes_to_postgres(
    migrated: Path, lakehouse, postgres_db, mariadb_db
) -> None:
    orders, customers, report = (
        postgres_db.unique_table("orders"),
        mariadb_db.unique_table("customers"),
        postgres_db.unique_table("customer_orders"),
    )
    pg, maria = create_engine(postgres_db.sqlalchemy_url), create_engine(mariadb_db.sqlalchemy_url)
    try:
        with pg.begin() as conn:
            # the legacy step upserts on order_id (the jdbc_upsert transform): the table exists with that key
            conn.execute(
                text(
                    f"CREATE TABLE {report} (order_id INT PRIMARY KEY, amount DOUBLE PRECISION, "
                    "updated_at TIMESTAMP, customer_id INT, full_name TEXT, email TEXT, ssn TEXT)"
                )
            )
            conn.execute(
                text(
                    f"CREATE TABLE {orders} (order_id INT PRIMARY KEY, customer_id INT, "
                    "amount DOUBLE PRECISION, updated_at TIMESTAMP)"
                )
            )
            for row in sample.SALES_ORDERS:
                conn.execute(text(f"INSERT INTO {orders} VALUES (:a, :b, :c, :d)"), dict(zip("abcd", row, strict=True)))
        with maria.begin() as conn:
            conn.execute(
                text(
                    f"CREATE TABLE {customers} (id INT PRIMARY KEY, full_name VARCHAR(64), "
                    "email VARCHAR(64), ssn VARCHAR(16))"
                )
            )
            for row in sample.CRM_CUSTOMERS:
                conn.execute(
                    text(f"INSERT INTO {customers} VALUES (:a, :b, :c, :d)"), dict(zip("abcd", row, strict=True))
                )
        summary = run_job(
            migrated / "customer_orders_incremental.json",
            lakehouse,
            "--connection",
            "sales_pg=postgres",
            "--connection",
            "crm_mysql=mariadb",
            "--table",
            f"public.orders={orders}",
            "--table",
            f"crm.customers={customers}",
            "--table",
            f"reporting.customer_orders={report}",
        )
        assert list(summary["written"].values()) == [len(sample.SALES_ORDERS)]
        with pg.connect() as conn:
            rows = [dict(r._mapping) for r in conn.execute(text(f"SELECT * FROM {report} ORDER BY order_id"))]
        people = {c[0]: c for c in sample.CRM_CUSTOMERS}
        expected = [(o, amount, customer) for o, customer, amount, _ in sample.SALES_ORDERS]
        assert [(r["order_id"], r["amount"], r["customer_id"]) for r in rows] == expected
        for row in rows:
            _, _name, email, ssn = people[row["customer_id"]]
            # mask_pii auto/hash: the e-mail and SSN columns are detected and replaced by their SHA-256 hex
            assert row["email"] == hashlib.sha256(email.encode()).hexdigest()
            assert row["ssn"] == hashlib.sha256(ssn.encode()).hexdigest()
    finally:
        with pg.begin() as conn:
            conn.execute(text(f"DROP TABLE IF EXISTS {orders}"))
            conn.execute(text(f"DROP TABLE IF EXISTS {report}"))
        with maria.begin() as conn:
            conn.execute(text(f"DROP TABLE IF EXISTS {customers}"))
        pg.dispose()
        maria.dispose()
