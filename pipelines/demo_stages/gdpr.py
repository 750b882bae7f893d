"""Demo stage: GDPR erasure of one customer across every Iceberg table, verified in the Parquet files."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.table import Table

from glueforge.gdpr import erase_subject

if TYPE_CHECKING:
    from pipelines.demo import DemoContext

TITLE = "GDPR right to be forgotten (delete, expire snapshots, remove orphans, verify files)"
SUBJECT_COLUMN = "customer_id"


def run(ctx: DemoContext) -> None:
    subject = ctx.spark.sql("SELECT min(customer_id) FROM bronze.orders").first()[0]  # type: ignore[index]
    ctx.console.print(f"glueforge gdpr erase --subject-column {SUBJECT_COLUMN} --value {subject}")
    report = erase_subject(ctx.spark, SUBJECT_COLUMN, str(subject), report_dir=ctx.workdir / "gdpr")
    view = Table(title=f"erasure of customer {subject}")
    for column in ("table", "rows deleted", "snapshots expired", "files deleted", "parquet files scanned", "verified"):
        view.add_column(column)
    for t in report.erased:
        view.add_row(
            t.table,
            str(t.rows_deleted),
            str(t.snapshots_expired),
            str(t.data_files_deleted),
            str(t.parquet_files_scanned),
            "[green]absent[/]" if t.verified else "[red]PRESENT[/]",
        )
    ctx.console.print(view)
    ctx.console.print(f"tables without {SUBJECT_COLUMN} (skipped): {', '.join(report.skipped) or 'none'}")
    ctx.console.print(f"erasure report: {report.report_path}")
    ctx.results["gdpr"] = {"verified": report.verified, "rows_deleted": report.rows_deleted}
