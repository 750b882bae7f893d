"""``glueforge sql``: query the local lakehouse."""

from __future__ import annotations

from pathlib import Path

import click

from glueforge.cli.options import warehouse_option
from glueforge.output import print_rows
from glueforge.settings import load_settings
from glueforge.spark_errors import user_errors


@click.command()
@click.argument("query")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True)
@click.option("--limit", type=int, default=None, help="Return at most this many rows.")
@warehouse_option
def sql(query: str, fmt: str, limit: int | None, warehouse: Path | None) -> None:
    """Run QUERY (Spark SQL) against the local Iceberg lakehouse and print the rows.

    Two-part names (namespace.table) resolve in the lakehouse catalog, e.g.
    glueforge sql "SELECT * FROM demo.customers LIMIT 5" --format json
    """
    from glueforge.session import get_spark

    settings = load_settings(warehouse=warehouse)
    spark = get_spark(settings)
    with user_errors("sql"):
        frame = spark.sql(query)
        if limit is not None:
            frame = frame.limit(limit)
        rows = frame.collect()
    print_rows(fmt, frame.columns, [tuple(row) for row in rows])
