"""Demo stage: great-expectations suites on bronze and gold, and a migrated DQDL ruleset, with Data Docs."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.table import Table

from glueforge.quality.dqdl import evaluate_dqdl
from glueforge.quality.suites import check_table, load_suite

if TYPE_CHECKING:
    from pipelines.demo import DemoContext

TITLE = "Data quality with great-expectations (YAML suites + DQDL)"
SUITES = ("bronze_orders", "gold_daily_revenue")
DQDL = """Rules = [
    IsComplete "order_id", IsUnique "order_id",
    ColumnValues "amount" between 0 and 1000,
    ColumnValues "status" in ["placed", "shipped", "delivered", "cancelled", "refunded"],
    RowCount > 0
]"""


def run(ctx: DemoContext) -> None:
    view = Table(title="quality results")
    for column in ("check", "rules", "failed (critical)", "failed (warn)", "Data Docs"):
        view.add_column(column, overflow="fold")
    passed = True
    for name in SUITES:
        suite = load_suite(name)
        report = check_table(ctx.spark, suite, build_dir=ctx.workdir / "quality")
        passed &= report.passed
        critical = sum(1 for o in report.failed if o.critical)
        view.add_row(
            f"suite {name} on {report.table}",
            str(len(report.outcomes)),
            str(critical),
            str(len(report.failed) - critical),
            str(report.docs_index or ""),
        )
    dqdl = evaluate_dqdl(ctx.spark.table("bronze.orders"), DQDL)
    passed &= dqdl.passed
    view.add_row(
        "DQDL (as a migrated EvaluateDataQuality node) on bronze.orders",
        str(len(dqdl.outcomes)),
        str(len(dqdl.failed)),
        "0",
        "",
    )
    ctx.console.print(view)
    ctx.console.print("CLI: .venv/bin/glueforge quality check --suite bronze_orders --table bronze.orders")
    ctx.results["quality"] = {"passed": passed}
