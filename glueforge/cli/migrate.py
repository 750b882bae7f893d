"""``glueforge migrate``: EDLS metadata -> Glue Studio visual jobs (requests, scripts, report), optional deploy."""

from __future__ import annotations

import json
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from glueforge.errors import ConfigError


@click.command("migrate")
@click.option(
    "--metadata",
    "metadata_url",
    required=True,
    help="SQLAlchemy URL of the EDLS metadata DB, e.g. sqlite:///edls.db or postgresql+psycopg://...",
)
@click.option("--metadata-schema", default=None, help="Schema holding the edls_* tables (PostgreSQL).")
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Output directory (jobs/, scripts/, report.json, report.md, dags/).",
)
@click.option("--jobs", "job_names", multiple=True, help="Only these jobs (repeatable; default: all).")
@click.option("--glue-version", default="5.0", show_default=True)
@click.option("--role", default=None, help="IAM role (name or ARN) the jobs run as.")
@click.option("--script-bucket", default=None, help="S3 bucket for job scripts, Spark UI logs and temp files.")
@click.option("--transforms-bucket", default=None, help="S3 bucket holding transforms/<name>.py.")
@click.option("--iceberg-warehouse", default=None, help="s3://bucket/prefix/ of the Iceberg glue_catalog.")
@click.option("--svg/--no-svg", default=None, help="DAG pictures with Graphviz [default: when <= 200 jobs].")
@click.option("--deploy", is_flag=True, help="Create or update the jobs in AWS Glue (default: files only).")
@click.option("--region", default=None, help="AWS region for --deploy.")
@click.option("--concurrency", default=8, show_default=True, type=click.IntRange(1, 64))
@click.option("--json", "as_json", is_flag=True, help="Print the report totals as JSON.")
def migrate(
    metadata_url: str,
    metadata_schema: str | None,
    out_dir: Path,
    job_names: tuple[str, ...],
    glue_version: str,
    role: str | None,
    script_bucket: str | None,
    transforms_bucket: str | None,
    iceberg_warehouse: str | None,
    svg: bool | None,
    deploy: bool,
    region: str | None,
    concurrency: int,
    as_json: bool,
) -> None:
    """Migrate legacy EDLS jobs to Glue Studio visual jobs (exit 0 even when some jobs fail: see the report)."""
    from pydantic import ValidationError

    from migration.options import MigrationOptions
    from migration.outputs import migrate_to_dir
    from migration.reader import read_metadata

    if deploy and not (role and region and script_bucket and transforms_bucket):
        raise click.UsageError("--deploy needs --role, --region, --script-bucket and --transforms-bucket")
    given = {
        "glue_version": glue_version,
        "role": role,
        "script_bucket": script_bucket,
        "transforms_bucket": transforms_bucket,
        "iceberg_warehouse": iceberg_warehouse,
    }
    try:
        options = MigrationOptions(**{k: v for k, v in given.items() if v is not None})
    except ValidationError as exc:
        raise ConfigError("; ".join(e["msg"] for e in exc.errors()), where="migrate options") from None
    metadata = read_metadata(metadata_url, schema=metadata_schema, job_names=list(job_names) or None)
    console = Console(stderr=True)
    with Progress(
        TextColumn("migrating"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=console, transient=True
    ) as progress:
        task = progress.add_task("jobs", total=len(metadata.jobs))
        results = migrate_to_dir(metadata, out_dir, options, svg=svg, on_job=lambda _: progress.advance(task))
    totals = json.loads((out_dir / "report.json").read_text(encoding="utf-8"))["totals"]
    if as_json:
        click.echo(json.dumps(totals, sort_keys=True))
    else:
        table = Table(title=f"EDLS migration -> {out_dir}")
        for column in ("job", "status", "nodes", "problems"):
            table.add_column(column)
        for result in results[:50]:
            table.add_row(result.job_name, result.status, str(len(result.nodes)), "; ".join(result.errors)[:200] or "-")
        Console().print(table)
        if len(results) > 50:
            click.echo(f"... {len(results) - 50} more jobs in {out_dir / 'report.md'}")
        order = ("jobs", "migrated", "migrated_with_custom_nodes", "failed", "skipped")
        click.echo(", ".join(f"{totals[k]} {k}" for k in order))
    if deploy:
        from migration.deploy import DeployTarget, deploy_results

        assert region and role and script_bucket and transforms_bucket
        outcome = deploy_results(
            results,
            out_dir,
            DeployTarget(region=region, script_bucket=script_bucket, transforms_bucket=transforms_bucket),
            concurrency=concurrency,
        )
        click.echo(json.dumps(outcome.summary(), sort_keys=True))
