"""``glueforge dbt``: run the dbt project in-process on glueforge's Spark + Iceberg session (or on Glue)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from glueforge.cli.options import warehouse_option
from glueforge.dbt_runner import TARGETS, DbtRun, load_profile, plain_dbt_env, run_dbt
from glueforge.errors import UserError
from glueforge.settings import load_settings

_PASSING = {"success", "pass", "skipped", "no-op"}


class DbtFailed(UserError):
    """dbt could not start or compile (profile, project or SQL errors)."""


@click.group()
def dbt() -> None:
    """Run glueforge's dbt project (dbt_project/) on the local lakehouse or on AWS Glue.

    Anything after the options goes to dbt unchanged, e.g. `glueforge dbt run --select gold_daily_revenue`.
    """


def _runner_command(name: str, help_text: str) -> click.Command:
    @click.command(name=name, help=help_text, context_settings={"ignore_unknown_options": True})
    @click.option("--target", type=click.Choice(TARGETS), default="local", show_default=True)
    @warehouse_option
    @click.option("--project-dir", type=click.Path(file_okay=False, path_type=Path), default=None)
    @click.option("--profiles-dir", type=click.Path(file_okay=False, path_type=Path), default=None)
    @click.option(
        "--build-dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="dbt target/ and logs/ [default: <warehouse>/../out/dbt].",
    )
    @click.option("--json", "as_json", is_flag=True, help="Print the run summary as JSON.")
    @click.argument("dbt_args", nargs=-1, type=click.UNPROCESSED)
    def command(
        target: str,
        warehouse: Path | None,
        project_dir: Path | None,
        profiles_dir: Path | None,
        build_dir: Path | None,
        as_json: bool,
        dbt_args: tuple[str, ...],
    ) -> int:
        settings = load_settings(warehouse=warehouse)
        run = run_dbt(
            name,
            ["--quiet", *dbt_args] if as_json else list(dbt_args),
            settings=settings,
            target=target,
            project_dir=project_dir,
            profiles_dir=profiles_dir,
            build_dir=build_dir,
        )
        return _report(run, as_json)

    return command


def _report(run: DbtRun, as_json: bool) -> int:
    if as_json:
        click.echo(json.dumps(run.to_dict(), indent=2))
    elif run.results:
        table = Table(title=" ".join(run.command[:3]))
        for column in ("node", "type", "status", "seconds", "message"):
            table.add_column(column, overflow="fold")
        for r in run.results:
            colour = "green" if r.status in _PASSING else "red"
            table.add_row(r.name, r.resource_type, f"[{colour}]{r.status}[/]", f"{r.seconds:.1f}", r.message)
        Console().print(table)
    if run.error and not run.results:
        raise DbtFailed(run.error.splitlines()[0] if run.error else "dbt failed", where="dbt")
    if not run.success:
        failed = ", ".join(r.name for r in run.failed) or (run.error or "see the dbt log")
        click.echo(f"dbt failed: {failed}", err=True)
        return 1
    return 0


for _name, _help in {
    "build": "dbt build: models, tests (and seeds) in DAG order.",
    "run": "dbt run: build the models.",
    "test": "dbt test: run data tests.",
    "docs": "dbt docs generate: manifest, catalog and the docs site under the build directory.",
}.items():
    dbt.add_command(_runner_command(_name, _help))


@dbt.command()
@warehouse_option
def env(warehouse: Path | None) -> None:
    """Print `export` lines that let plain `dbt --profiles-dir dbt_project` use glueforge's warehouse and jar."""
    for key, value in plain_dbt_env(load_settings(warehouse=warehouse)).items():
        click.echo(f"export {key}={json.dumps(value)}")


@dbt.command()
@click.option("--target", type=click.Choice(TARGETS), default="glue", show_default=True)
@click.option("--profiles-dir", type=click.Path(file_okay=False, path_type=Path), default=None)
def profile(target: str, profiles_dir: Path | None) -> None:
    """Validate a profile target offline with dbt's own profile parser (no AWS or Spark connection)."""
    credentials = load_profile(target, profiles_dir)
    shown: dict[str, Any] = {
        key: value
        for key, value in credentials.to_dict(omit_none=True).items()
        if key in {"type", "method", "schema", "region", "role_arn", "location", "datalake_formats", "glue_version"}
    }
    shown["type"] = credentials.type
    click.echo(json.dumps(shown, indent=2, default=str))
