"""Demo stage: the dbt project (silver + gold Iceberg models and their tests) in-process on glueforge's session."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from rich.table import Table

from glueforge.dbt_runner import run_dbt
from glueforge.errors import UserError
from glueforge.output import rows_to_table
from pipelines.dbt_sources import ensure_demo_sources
from pipelines.taxi_data import write_trips

if TYPE_CHECKING:
    from pipelines.demo import DemoContext

TITLE = "dbt on Iceberg: bronze -> silver -> gold (glueforge dbt build)"
TAXI_TRIPS = 5_000


def run(ctx: DemoContext) -> None:
    made = ensure_demo_sources(ctx.spark)
    if made:
        ctx.console.print(f"created missing sources from the demo domain: {', '.join(made)}")
    write_trips(ctx.spark, TAXI_TRIPS, mode="overwrite")
    ctx.console.print(f"generated {TAXI_TRIPS} taxi trips into nyctaxi.records (the dbt-glue seed's source)")
    ctx.console.print("glueforge dbt build   # models + data tests, target local")
    result = run_dbt("build", ["--quiet"], settings=ctx.settings, spark=ctx.spark, build_dir=ctx.workdir / "dbt")
    counts = Counter((r.resource_type, r.status) for r in result.results)
    summary = Table(title="dbt build")
    for column in ("resource", "status", "count"):
        summary.add_column(column)
    for (resource, status), count in sorted(counts.items()):
        summary.add_row(resource, status, str(count))
    ctx.console.print(summary)
    if not result.success:
        raise UserError(f"dbt build failed: {', '.join(r.name for r in result.failed) or result.error}", where="demo")
    frame = ctx.spark.sql(
        "SELECT order_date, city, orders, revenue FROM gold.gold_daily_revenue ORDER BY order_date DESC, city LIMIT 8"
    )
    ctx.console.print(
        rows_to_table(frame.columns, [tuple(r) for r in frame.collect()], title="gold.gold_daily_revenue")
    )
    ctx.console.print(f"docs: .venv/bin/glueforge dbt docs   (dbt artifacts of this run: {ctx.workdir / 'dbt'})")
    ctx.results["dbt"] = {"success": result.success, "nodes": len(result.results)}
