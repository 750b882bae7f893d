"""The dbt project on the local target, in-process on the shared session: ONE full build, then assertions.

Then: new and updated source rows -> incremental run -> gold checked row for row against plain Spark;
a full refresh gives the same rows; docs generate once (through the CLI).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from glueforge.cli import main
from glueforge.dbt_runner import DbtRun, run_dbt
from glueforge.session import use_warehouse
from glueforge.settings import Settings, load_settings
from pipelines import demo_data
from pipelines.dbt_sources import ORDERS, orders_frame, write_demo_sources
from pipelines.taxi_data import write_trips

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

pytestmark = pytest.mark.dbt

CUSTOMERS, ORDER_COUNT, NEW_ORDERS = 40, 300, 12
CANCELLED_LATER = (3, 50, 120, 299)


@dataclass
class Project:
    spark: SparkSession
    settings: Settings
    warehouse: Path
    first_build: DbtRun

    def dbt(self, command: str, *args: str) -> DbtRun:
        use_warehouse(self.spark, self.warehouse)  # other test modules may have switched the current catalog
        return run_dbt(command, list(args), settings=self.settings, spark=self.spark)


@pytest.fixture(scope="module")
def project(spark: SparkSession, tmp_path_factory: pytest.TempPathFactory) -> Project:
    warehouse = tmp_path_factory.mktemp("dbt") / "warehouse"
    use_warehouse(spark, warehouse)
    write_demo_sources(spark, CUSTOMERS, ORDER_COUNT)
    write_trips(spark, 400, mode="overwrite")
    settings = load_settings(warehouse=warehouse)
    build = run_dbt("build", [], settings=settings, spark=spark)
    return Project(spark, settings, warehouse, build)


def _rows(spark: SparkSession, sql: str) -> list[tuple[object, ...]]:
    return sorted(tuple(row) for row in spark.sql(sql).collect())


EXPECTED_DAILY_REVENUE = """
    select to_date(o.order_ts) as order_date, coalesce(c.city, 'unknown') as city,
           count_if(o.status not in ('cancelled', 'refunded')) as orders,
           cast(coalesce(sum(case when o.status not in ('cancelled', 'refunded') then o.amount end), 0)
                as decimal(18, 2)) as revenue,
           count_if(o.status in ('cancelled', 'refunded')) as cancelled_orders
    from bronze.orders o left join bronze.customers_masked c on o.customer_id = c.customer_id
    group by 1, 2
"""
EXPECTED_LIFETIME_VALUE = """
    select customer_id, count_if(status not in ('cancelled', 'refunded')) as orders,
           cast(coalesce(sum(case when status not in ('cancelled', 'refunded') then amount end), 0)
                as decimal(18, 2)) as lifetime_value
    from bronze.orders group by customer_id
"""
GOLD_DAILY = "select order_date, city, orders, revenue, cancelled_orders from gold.gold_daily_revenue"
GOLD_LTV = "select customer_id, orders, lifetime_value from gold.gold_customer_lifetime_value"


def test_first_build_runs_every_model_and_test(project: Project) -> None:
    run = project.first_build
    assert run.success, run.failed or run.error
    models = {r.name for r in run.results if r.resource_type == "model"}
    assert models == {
        "silver_orders_enriched",
        "gold_daily_revenue",
        "gold_customer_lifetime_value",
        "silver_avg_metrics",
        "gold_cost_metrics",
        "gold_passengers_metrics",
    }
    tests = [r for r in run.results if r.resource_type == "test"]
    assert len(tests) >= 25 and all(r.status == "pass" for r in tests)
    assert {"assert_daily_revenue_matches_silver", "assert_taxi_gold_keys_unique"} <= {r.name for r in tests}
    # dbt's target/ and logs/ went to the build dir, not into the project
    assert (project.warehouse.parent / "out" / "dbt" / "target" / "manifest.json").is_file()
    assert not (Path(__file__).resolve().parents[3] / "dbt_project" / "target").exists()


def test_gold_tables_are_iceberg_v2_and_match_plain_spark(project: Project) -> None:
    spark = project.spark
    use_warehouse(spark, project.warehouse)
    for table in ("gold.gold_daily_revenue", "gold.gold_customer_lifetime_value", "gold.gold_cost_metrics"):
        properties = dict((r.key, r.value) for r in spark.sql(f"show tblproperties {table}").collect())
        assert properties.get("format-version") == "2", table
        assert "iceberg" in properties.get("provider", "iceberg")
    assert _rows(spark, GOLD_DAILY) == _rows(spark, EXPECTED_DAILY_REVENUE)
    assert _rows(spark, GOLD_LTV) == _rows(spark, EXPECTED_LIFETIME_VALUE)
    # the seed's taxi metrics: 2016 only, one row per year/month/type
    expected_taxi = _rows(
        spark,
        "select year, month, type, avg(total_amount) / avg(trip_distance) from nyctaxi.records "
        "where year = '2016' and dropoff_datetime is not null group by 1, 2, 3",
    )
    actual_taxi = _rows(spark, "select year, month, type, avg_cost_per_distance from gold.gold_cost_metrics")
    assert [r[:3] for r in actual_taxi] == [r[:3] for r in expected_taxi]
    assert all(abs(a[3] - e[3]) < 1e-9 for a, e in zip(actual_taxi, expected_taxi, strict=True))


def test_incremental_merge_then_full_refresh_give_plain_spark_result(project: Project) -> None:
    spark = project.spark
    use_warehouse(spark, project.warehouse)
    before = _rows(spark, GOLD_DAILY)
    new_orders = demo_data.orders(ORDER_COUNT + NEW_ORDERS, CUSTOMERS)[ORDER_COUNT:]
    orders_frame(spark, new_orders).writeTo(ORDERS.sql).append()
    ids = ", ".join(str(i) for i in CANCELLED_LATER)
    spark.sql(
        f"update {ORDERS.sql} set status = 'cancelled', updated_at = timestamp '2027-01-01 00:00:00' "
        f"where order_id in ({ids})"
    )
    snapshots_before = spark.sql("select count(*) from gold.gold_daily_revenue.snapshots").first()[0]

    incremental = project.dbt("run", "--select", "silver_orders_enriched+")
    assert incremental.success, incremental.failed or incremental.error
    executed = project.warehouse.parent / "out" / "dbt" / "target" / "run" / "glueforge" / "models" / "gold"
    assert "merge into" in (executed / "gold_daily_revenue.sql").read_text().lower()
    merged = _rows(spark, GOLD_DAILY)
    assert merged != before
    assert merged == _rows(spark, EXPECTED_DAILY_REVENUE)
    assert _rows(spark, GOLD_LTV) == _rows(spark, EXPECTED_LIFETIME_VALUE)
    operations = [r[0] for r in spark.sql("select operation from gold.gold_daily_revenue.snapshots").collect()]
    assert len(operations) == snapshots_before + 1 and operations[-1] == "overwrite"  # MERGE, not a replace

    refreshed = project.dbt("run", "--full-refresh", "--select", "gold_daily_revenue", "gold_customer_lifetime_value")
    assert refreshed.success, refreshed.failed or refreshed.error
    assert _rows(spark, GOLD_DAILY) == merged
    assert _rows(spark, GOLD_LTV) == _rows(spark, EXPECTED_LIFETIME_VALUE)


def test_docs_generate_through_the_cli(project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    use_warehouse(project.spark, project.warehouse)
    code = main(["dbt", "docs", "--warehouse", str(project.warehouse), "--json"])
    summary = json.loads(capsys.readouterr().out)
    assert code == 0 and summary["success"], summary
    target = project.warehouse.parent / "out" / "dbt" / "target"
    assert (target / "index.html").is_file() and (target / "catalog.json").is_file()
    manifest = json.loads((target / "manifest.json").read_text())
    parents = manifest["parent_map"]["model.glueforge.gold_daily_revenue"]
    assert parents == ["model.glueforge.silver_orders_enriched"]
    silver_parents = set(manifest["parent_map"]["model.glueforge.silver_orders_enriched"])
    assert silver_parents == {"model.glueforge.stg_orders", "model.glueforge.stg_customers"}
    descriptions = manifest["nodes"]["model.glueforge.gold_daily_revenue"]["columns"]
    assert descriptions["revenue"]["description"].startswith("Sum of the amounts")
