"""``glueforge doctor``: is this machine ready to run glueforge?"""

from __future__ import annotations

import json
from dataclasses import asdict

import click
from rich.console import Console
from rich.table import Table

from glueforge.doctor import run_checks
from glueforge.settings import load_settings


@click.command()
@click.option("--no-spark", is_flag=True, help="Skip starting a Spark session (faster).")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def doctor(no_spark: bool, fmt: str) -> int:
    """Check Java, PySpark, the Iceberg jar, JDBC drivers, databases and a real Iceberg write."""
    results = run_checks(load_settings(), with_spark=not no_spark)
    if fmt == "json":
        click.echo(json.dumps([asdict(r) for r in results], indent=2))
    else:
        table = Table(title="glueforge doctor")
        for column in ("check", "status", "found", "how to fix"):
            table.add_column(column, overflow="fold")
        for r in results:
            table.add_row(r.name, "[green]ok[/]" if r.ok else "[red]FAIL[/]", r.detail, r.fix)
        Console().print(table)
    failed = [r.name for r in results if not r.ok]
    if failed:
        click.echo(f"{len(failed)} check(s) failed: {', '.join(failed)}", err=True)
        return 1
    return 0
