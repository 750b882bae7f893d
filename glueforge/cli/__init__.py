"""The ``glueforge`` command line: one command group per capability, loaded lazily.

Each entry of ``COMMANDS`` maps a command name to ``module:attribute``; adding a capability is adding a
module and one line here. Commands are imported only when invoked, so ``glueforge --help`` stays fast.
"""

from __future__ import annotations

import importlib
import sys

import click

from glueforge import __version__
from glueforge.errors import UserError

COMMANDS: dict[str, tuple[str, str]] = {
    # name: (module:attribute, one-line help shown by --help without importing the module)
    "doctor": ("glueforge.cli.doctor:doctor", "Check Java, Spark, the Iceberg jar, JDBC drivers and databases."),
    "sql": ("glueforge.cli.sql:sql", "Run a SQL query on the local lakehouse."),
    "run-script": ("glueforge.cli.run_script:run_script", "Run a Glue job script locally."),
    "transforms": ("glueforge.cli.transforms:transforms", "Validate, build and deploy custom visual transforms."),
    "ingest": ("glueforge.cli.ingest:ingest", "Incremental JDBC ingest into an Iceberg table."),
    "pii": ("glueforge.cli.pii:pii", "Detect and mask PII in files and tables."),
    "migrate": ("glueforge.cli.migrate:migrate", "Migrate legacy EDLS metadata to Glue Studio visual jobs."),
    "run-job": ("glueforge.cli.run_job:run_job", "Run a migrated Glue Studio visual job locally."),
    "dbt": ("glueforge.cli.dbt:dbt", "Run the dbt project on the local lakehouse or on Glue."),
    "quality": ("glueforge.cli.quality:quality", "Data quality checks with great-expectations."),
    "gdpr": ("glueforge.cli.gdpr:gdpr", "GDPR right-to-be-forgotten erasure across Iceberg tables."),
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        entry = COMMANDS.get(cmd_name)
        if entry is None:
            return None
        module_name, attribute = entry[0].split(":")
        command: click.Command = getattr(importlib.import_module(module_name), attribute)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with formatter.section("Commands"):
            formatter.write_dl([(name, COMMANDS[name][1]) for name in self.list_commands(ctx)])


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="glueforge")
def cli() -> None:
    """glueforge: build, test and migrate AWS Glue ETL locally on PySpark + Iceberg."""


def main(argv: list[str] | None = None) -> int:
    """Console entry point: user errors become one line on stderr and exit code 2."""
    try:
        result = cli.main(args=argv, prog_name="glueforge", standalone_mode=False)
        return result if isinstance(result, int) else 0
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except UserError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(exc.exit_code)
