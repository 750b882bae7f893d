"""``glueforge quality``: validate lakehouse tables with YAML suites or DQDL rulesets (great-expectations)."""

from __future__ import annotations

import json
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from glueforge.cli.options import warehouse_option
from glueforge.errors import NotFoundError
from glueforge.quality.engine import ValidationReport
from glueforge.settings import load_settings


@click.group()
def quality() -> None:
    """Data quality checks with great-expectations 1.x (Data Docs + JSON results under the build directory)."""


def _build_dir(option: Path | None, warehouse: Path) -> Path:
    return option if option is not None else warehouse.parent / "out" / "quality"


@quality.command()
@click.option(
    "--suite",
    "suite_name",
    required=True,
    help="Suite name (looked up in quality_suites/, dbt_project/quality/) or a YAML path.",
)
@click.option("--table", default=None, help="NAMESPACE.TABLE to validate [default: the suite's table].")
@warehouse_option
@click.option(
    "--build-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where Data Docs and result.json go [default: <warehouse>/../out/quality].",
)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def check(suite_name: str, table: str | None, warehouse: Path | None, build_dir: Path | None, as_json: bool) -> int:
    """Validate TABLE with SUITE; exit 1 when a critical rule fails (non-critical failures only warn)."""
    from glueforge.quality.suites import check_table, load_suite
    from glueforge.session import get_spark

    suite = load_suite(suite_name)  # before Spark: a bad suite fails fast
    settings = load_settings(warehouse=warehouse)
    spark = get_spark(settings)
    report = check_table(spark, suite, table, build_dir=_build_dir(build_dir, settings.resolved_warehouse()))
    return _report(report, as_json)


@quality.command()
@click.option("--ruleset", required=True, help="DQDL text (`Rules = [ ... ]`) or a file holding it.")
@click.option("--table", required=True, help="NAMESPACE.TABLE to validate.")
@warehouse_option
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def dqdl(ruleset: str, table: str, warehouse: Path | None, as_json: bool) -> int:
    """Evaluate a DQDL ruleset (the subset migrated EvaluateDataQuality nodes use) on TABLE."""
    from glueforge.lakehouse import TableName, table_exists
    from glueforge.quality.dqdl import evaluate_dqdl, parse_dqdl
    from glueforge.session import get_spark

    is_text = ruleset.lstrip().startswith("Rules")
    text = ruleset if is_text or not Path(ruleset).is_file() else Path(ruleset).read_text()
    parse_dqdl(text)  # fail fast, before Spark
    spark = get_spark(load_settings(warehouse=warehouse))
    name = TableName.parse(table)
    if not table_exists(spark, name):
        raise NotFoundError(f"table {table} does not exist", where="quality dqdl")
    report = evaluate_dqdl(spark.table(name.sql), text)
    report.table = str(name)
    return _report(report, as_json)


def _report(report: ValidationReport, as_json: bool) -> int:
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2, default=str))
    else:
        title = f"suite {report.suite} on {report.table}" if report.table else f"suite {report.suite}"
        grid = Table(title=title)
        for column in ("rule", "critical", "result", "details"):
            grid.add_column(column, overflow="fold")
        for o in report.outcomes:
            verdict = "[green]pass[/]" if o.passed else ("[red]FAIL[/]" if o.critical else "[yellow]warn[/]")
            grid.add_row(o.rule, "yes" if o.critical else "no", verdict, o.message)
        console = Console()
        console.print(grid)
        if report.docs_index:
            console.print(f"Data Docs: {report.docs_index}")
        if report.result_path:
            console.print(f"Result: {report.result_path}")
    critical = [o.rule for o in report.outcomes if o.critical and not o.passed]
    if critical:
        click.echo(f"{len(critical)} critical rule(s) failed: {'; '.join(critical)}", err=True)
        return 1
    return 0
