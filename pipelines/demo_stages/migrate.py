"""Demo stage: migrate the EDLS sample metadata to Glue Studio visual jobs and run one of them locally."""

from __future__ import annotations

import shutil
from typing import Any

from rich.syntax import Syntax
from rich.table import Table

from migration.executor import ExecutionContext
from migration.executor.run import run_dag
from migration.options import MigrationOptions
from migration.outputs import migrate_to_dir
from migration.reader import read_metadata
from migration.report import mermaid
from migration.sample import build_sqlite
from migration.sample.data import write_file_inputs

TITLE = "Migrate legacy EDLS jobs to Glue Studio visual jobs"
DEMO_JOB = "daily_sales_by_region"


def run(ctx: Any) -> None:
    workdir = ctx.workdir / "migrate"
    database = build_sqlite(workdir / "edls.db")
    out = workdir / "out"
    results = migrate_to_dir(read_metadata(f"sqlite:///{database}"), out, MigrationOptions())
    table = Table(title=f"EDLS metadata {database.name} -> {out}")
    for column in ("job", "status", "nodes", "custom transforms", "notes"):
        table.add_column(column)
    for result in results:
        notes = result.errors[0][:80] if result.errors else f"{len(result.warnings)} warning(s)"
        table.add_row(
            result.job_name, result.status, str(len(result.nodes)), ", ".join(result.custom_transforms) or "-", notes
        )
    ctx.console.print(table)
    demo = next(r for r in results if r.job_name == DEMO_JOB)
    ctx.console.print(f"[bold]{DEMO_JOB}[/]: DAG (Mermaid; also in {out / 'report.md'})")
    ctx.console.print(Syntax(mermaid(demo.nodes), "text", theme="ansi_dark"))

    data_root = workdir / "data"
    target = data_root / "curated-bucket" / "sales_by_region"
    shutil.rmtree(target, ignore_errors=True)  # the S3 target appends: start each demo run from empty
    write_file_inputs(data_root)
    settings = ctx.settings.model_copy(update={"data_root": data_root})
    ctx.console.print(
        f"running it locally: glueforge run-job {out / 'jobs' / (DEMO_JOB + '.json')} --local --data-root {data_root}"
    )
    summary = run_dag(demo.request or {}, ExecutionContext(ctx.spark, settings, DEMO_JOB))
    rows = ctx.spark.read.parquet(str(target)).orderBy("region").collect()
    result_table = Table(title=f"{target} ({sum(summary['written'].values())} rows written)")
    for column in ("region", "total_revenue", "sales_count"):
        result_table.add_column(column)
    for row in rows[:10]:
        result_table.add_row(str(row["region"]), f"{row['total_revenue']:.2f}", str(row["sales_count"]))
    ctx.console.print(result_table)
    ctx.results["migrate"] = {"statuses": {r.job_name: r.status for r in results}, "report": str(out)}
