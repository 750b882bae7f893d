"""``glueforge run-job``: run a migrated Glue Studio visual job (its CreateJob JSON) locally on PySpark."""

from __future__ import annotations

import json
from pathlib import Path

import click

from glueforge.cli.options import warehouse_option
from glueforge.errors import InputError, NotFoundError


def _pairs(values: tuple[str, ...], option: str) -> dict[str, str]:
    pairs = {}
    for value in values:
        key, sep, target = value.partition("=")
        if not sep or not key or not target:
            raise click.BadParameter(f"{value!r} is not NAME=VALUE", param_hint=option)
        pairs[key] = target
    return pairs


def load_request(path: Path) -> dict[str, object]:
    if not path.is_file():
        raise NotFoundError(f"{path} does not exist", where="run-job")
    try:
        request = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON: {exc.msg} at line {exc.lineno}", where=str(path)) from None
    if not isinstance(request, dict):
        raise InputError("expected a CreateJob request object", where=str(path))
    return request


@click.command("run-job")
@click.argument("job_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--local", is_flag=True, help="Run on the local PySpark + Iceberg runtime (the only mode).")
@click.option(
    "--data-root",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where s3://bucket/key resolves: DATA_ROOT/bucket/key [default: settings].",
)
@warehouse_option
@click.option(
    "--connection",
    "connections",
    multiple=True,
    help="GLUE_CONNECTION=DATABASE: a settings database (postgres, mariadb) or a jdbc: URL. Repeatable.",
)
@click.option("--table", "tables", multiple=True, help="TABLE=LOCAL_TABLE: read/write another table locally.")
def run_job(
    job_file: Path,
    local: bool,
    data_root: Path | None,
    warehouse: Path | None,
    connections: tuple[str, ...],
    tables: tuple[str, ...],
) -> None:
    """Execute the job's CodeGenConfigurationNodes DAG locally; prints a JSON summary."""
    if not local:
        raise click.UsageError("only --local runs are supported (deploy with `glueforge migrate --deploy`)")
    from glueforge.session import get_spark
    from glueforge.settings import load_settings
    from migration.executor import ExecutionContext
    from migration.executor.run import run_dag

    request = load_request(job_file)
    settings = load_settings(data_root=data_root, warehouse=warehouse)
    spark = get_spark(settings)
    ctx = ExecutionContext(
        spark,
        settings,
        str(request.get("Name", job_file.stem)),
        connections=_pairs(connections, "--connection"),
        tables=_pairs(tables, "--table"),
    )
    summary = run_dag(request, ctx)
    click.echo(json.dumps(summary, sort_keys=True))
