"""``glueforge gdpr erase``: the right to be forgotten across the lakehouse's Iceberg tables."""

from __future__ import annotations

import json
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from glueforge.cli.options import warehouse_option
from glueforge.settings import load_settings


@click.group()
def gdpr() -> None:
    """GDPR tooling for the Iceberg lakehouse."""


@gdpr.command()
@click.option("--subject-column", required=True, help="Column identifying the data subject, e.g. customer_id.")
@click.option("--value", required=True, help="The subject's value in that column (never written to the report).")
@click.option("--tables", default="*", show_default=True, help="Comma-separated globs over NAMESPACE.TABLE.")
@warehouse_option
@click.option(
    "--report-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where the erasure report goes [default: <warehouse>/../out/gdpr].",
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def erase(
    subject_column: str, value: str, tables: str, warehouse: Path | None, report_dir: Path | None, as_json: bool
) -> int:
    """Delete the subject's rows everywhere, expire old snapshots, remove orphan files, verify the data files."""
    from glueforge.gdpr import erase_subject
    from glueforge.session import get_spark

    settings = load_settings(warehouse=warehouse)
    spark = get_spark(settings)
    target_dir = report_dir or settings.resolved_warehouse().parent / "out" / "gdpr"
    report = erase_subject(spark, subject_column, value, tables=tables, report_dir=target_dir)
    if as_json:
        click.echo(json.dumps({**report.to_dict(), "report": str(report.report_path)}, indent=2))
    else:
        grid = Table(title=f"erasure of {subject_column} (sha256 {report.value_sha256[:12]}...)")
        for column in ("table", "rows deleted", "snapshots expired", "files deleted", "orphans", "verified"):
            grid.add_column(column)
        for t in report.erased:
            verdict = "[green]absent[/]" if t.verified else "[red]STILL PRESENT[/]"
            grid.add_row(
                t.table,
                str(t.rows_deleted),
                str(t.snapshots_expired),
                str(t.data_files_deleted),
                str(t.orphan_files_removed),
                verdict,
            )
        console = Console()
        console.print(grid)
        if report.skipped:
            console.print(f"skipped (no column {subject_column}): {', '.join(report.skipped)}")
        console.print(f"report: {report.report_path}")
    if not report.verified:
        click.echo("the value is still present in some data files; see the report", err=True)
        return 1
    return 0
