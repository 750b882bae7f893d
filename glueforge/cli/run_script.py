"""``glueforge run-script SCRIPT.py [--KEY VALUE ...]``: run a Glue job script locally."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from glueforge.cli.options import warehouse_option
from glueforge.settings import load_settings


@click.command(
    "run-script",
    context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
)
@click.argument("script", type=click.Path(path_type=Path))
@click.option(
    "--data-root",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where s3://bucket/key resolves: DIR/bucket/key [default: $GLUEFORGE_DATA_ROOT or ./data].",
)
@warehouse_option
@click.option("--verbose", is_flag=True, help="Print the script's full traceback when it fails.")
@click.pass_context
def run_script(ctx: click.Context, script: Path, data_root: Path | None, warehouse: Path | None, verbose: bool) -> None:
    """Run a Glue job SCRIPT locally; other --KEY VALUE options are passed to the script as job arguments.

    \b
    Example:
      glueforge run-script jobs/orders.py --data-root ./data --source_path s3://raw/orders/
    """
    from glueforge.glue_runtime.runner import ScriptFailed
    from glueforge.glue_runtime.runner import run_script as run

    settings = load_settings(data_root=data_root, warehouse=warehouse)
    try:
        run(script, list(ctx.args), settings=settings)
    except ScriptFailed as exc:
        if verbose and exc.details:
            click.echo(exc.details, err=True, nl=False)
        click.echo(f"error: {exc}", err=True)
        sys.exit(exc.exit_code)
