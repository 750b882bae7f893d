"""``glueforge ingest``: one incremental JDBC -> Iceberg batch; ``glueforge ingest state show|reset``.

The run summary is printed as one JSON object on the last line of stdout (a human table before it unless
``--quiet``). The logic is the ``incremental_jdbc_ingest`` transform's; this module only parses options.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from glueforge.cli.options import warehouse_option
from glueforge.errors import InputError
from glueforge.settings import load_settings


def _summary_table(summary: dict[str, Any]) -> Table:
    table = Table(title=f"ingest {summary.get('target')}", show_header=False)
    for key in (
        "status",
        "rows_read",
        "write_plan",
        "inserted",
        "updated",
        "upserted",
        "deleted",
        "unchanged",
        "watermark_before",
        "watermark_after",
        "watermark_origin",
        "partitions",
        "reader",
        "jvm_used",
        "jvm_reason",
        "added_columns",
        "seconds",
    ):
        table.add_row(key, str(summary.get(key)))
    return table


@click.group(invoke_without_command=True)
@click.option("--url", help="JDBC URL (MariaDB: jdbc:mysql://host:3306/db).")
@click.option("--connection", "connection_name", help="Glue connection / glueforge settings database name.")
@click.option(
    "--database-type",
    type=click.Choice(
        ["auto", "postgresql", "mysql", "mariadb", "oracle", "sqlserver", "saphana", "redshift", "sqlite"]
    ),
    default=None,
)
@click.option("--user", help="Database user.")
@click.option("--password-env", metavar="VAR", help="Environment variable holding the password.")
@click.option("--password-secret-id", metavar="ID", help="Secrets Manager secret holding the password.")
@click.option("--table", help="Source table (or schema.table).")
@click.option("--query", help="Custom SQL; {lastmdfdtmst} is bound to the window's lower bound.")
@click.option("--cursor", "cursor_column", help="Cursor column (timestamp, date or number).")
@click.option("--primary-key", "primary_keys", metavar="K[,K2]", help="Primary key column(s), comma-separated.")
@click.option("--lookback-seconds", type=click.IntRange(min=0), default=None)
@click.option("--target", "target_table", metavar="NAMESPACE.TABLE", help="Iceberg target table.")
@click.option("--upper-bound", type=click.Choice(["max_cursor", "db_time"]), default=None)
@click.option("--safety-lag-seconds", type=click.IntRange(min=0), default=None)
@click.option("--fetch-size", type=click.IntRange(min=1), default=None)
@click.option("--partitions", type=click.IntRange(min=0), default=None, help="Parallel reads (0 = automatic).")
@click.option("--hashfield", help="Split the read by a hash of this column.")
@click.option("--null-cursor", type=click.Choice(["raise", "exclude", "include"]), default=None)
@click.option("--write-mode", type=click.Choice(["merge", "append"]), default=None)
@click.option(
    "--upsert-strategy",
    type=click.Choice(["auto", "merge", "equality_delete"]),
    default=None,
    help="equality_delete: no target scan; merge: exact inserted/updated counts [default: auto].",
)
@click.option(
    "--compact-after-delete-files",
    type=click.IntRange(min=0),
    default=None,
    help="Compact the target when a run leaves at least N delete files (0 = never).",
)
@click.option(
    "--direct-read-max-rows",
    type=click.IntRange(min=0),
    default=None,
    help="Read windows of at most N rows with the database's own client, without a Spark job "
    "(PostgreSQL, MySQL, MariaDB; PostgreSQL first loads are streamed from COPY whatever their size; "
    "0 = always Spark) [default: 100000].",
)
@click.option("--delete-handling", type=click.Choice(["ignore", "soft_delete"]), default=None)
@click.option("--soft-delete-column", help="Source flag column: true = delete the row from the target.")
@click.option("--state-store", type=click.Choice(["iceberg", "dynamodb", "file"]), default=None)
@click.option("--state-location", help="DynamoDB table or JSON file for those state stores.")
@click.option("--state-key", help="Key of this ingest in the state store [default: the target].")
@click.option("--initial-watermark", help="Start value when there is no state.")
@click.option("--quiet", is_flag=True, help="Only the JSON summary line.")
@warehouse_option
@click.pass_context
def ingest(ctx: click.Context, quiet: bool, warehouse: Path | None, **params: Any) -> None:
    """Run one incremental batch from a JDBC source into an Iceberg table.

    \b
    glueforge ingest --url jdbc:postgresql://127.0.0.1:5432/test --user postgres \\
        --table orders --cursor updated_at --primary-key order_id --lookback-seconds 300 \\
        --target bronze.orders
    """
    if ctx.invoked_subcommand is not None:
        return
    missing = [
        flag for flag, name in (("--cursor", "cursor_column"), ("--target", "target_table")) if not params.get(name)
    ]
    if missing:
        raise click.UsageError(f"missing {' and '.join(missing)}")
    if not params.get("url") and not params.get("connection_name"):
        raise click.UsageError("give --url (or --connection)")
    if bool(params.get("table")) == bool(params.get("query")):
        raise click.UsageError("give exactly one of --table or --query")

    from glueforge.session import get_spark, settings_before_start
    from transforms.incremental_jdbc_ingest import parse_options, run_ingest
    from transforms.incremental_jdbc_ingest.ingest import run_ingest_without_session

    options = parse_options(params)  # bad input fails here, before a JVM starts
    settings = load_settings(warehouse=warehouse)
    # A small window into a local target needs no JVM: tried first, the session starts only if it does.
    spark_settings = settings_before_start(settings)
    result = run_ingest_without_session(spark_settings, options) if spark_settings is not None else None
    if result is None:
        result = run_ingest(get_spark(settings), options)
    result.release()
    summary = result.summary.as_dict()
    if not quiet:
        Console(stderr=True).print(_summary_table(summary))
    click.echo(json.dumps(summary, sort_keys=True, default=str))


@ingest.command("many")
@click.option(
    "--jobs",
    "jobs_file",
    required=True,
    type=click.Path(path_type=Path),
    help="JSON or YAML file: `defaults` + a list of `jobs` (ingest parameters, as in the transform's config).",
)
@click.option("--quiet", is_flag=True, help="Only the JSON lines.")
@warehouse_option
def ingest_many(jobs_file: Path, quiet: bool, warehouse: Path | None) -> None:
    """Run several ingests in one Spark session (the second and later tables skip the JVM's warm-up). Until a
    job needs the JVM, each is tried without it (small windows into local targets); the session starts then.

    Prints one JSON line per job, then a totals line; exits 1 when any job failed (the others still ran).
    """
    from rich.progress import Progress

    from glueforge.session import get_spark, settings_before_start
    from transforms.incremental_jdbc_ingest.jobs import load_jobs, run_jobs

    jobs = load_jobs(jobs_file)  # the whole file is checked before a JVM starts
    settings = load_settings(warehouse=warehouse)
    spark_settings = settings_before_start(settings)  # jobs that need no JVM run before (or without) it starts
    console = Console(stderr=True)
    with Progress(console=console, transient=True, disable=quiet) as progress:
        task = progress.add_task("ingest", total=len(jobs))

        def done(outcome: Any) -> None:
            progress.advance(task)
            if not quiet:
                detail = outcome.error or f"{outcome.summary['rows_read']} rows read"
                console.print(f"{outcome.name}: {outcome.status} ({detail})")
            click.echo(json.dumps(outcome.as_dict(), sort_keys=True, default=str))

        outcomes = run_jobs(lambda: get_spark(settings), jobs, done, without_session=spark_settings)
    failed = [o.name for o in outcomes if o.status == "failed"]
    click.echo(json.dumps({"jobs": len(outcomes), "failed": failed}, sort_keys=True))
    if failed:
        raise SystemExit(1)


@ingest.command("compact")
@click.option("--target", "target_table", required=True, metavar="NAMESPACE.TABLE")
@warehouse_option
def ingest_compact(target_table: str, warehouse: Path | None) -> None:
    """Fold the delete files of incremental MERGEs into the data files (data and watermark unchanged)."""
    from glueforge.lakehouse import TableName
    from glueforge.session import get_spark
    from transforms.incremental_jdbc_ingest.maintenance import compact

    table = TableName.parse(target_table)
    result = compact(get_spark(load_settings(warehouse=warehouse)), table)
    click.echo(json.dumps(result, sort_keys=True))


@ingest.group()
def state() -> None:
    """Show or reset the watermark of an ingest target."""


def _state_options(func: Any) -> Any:
    func = click.option("--target", "target_table", required=True, metavar="NAMESPACE.TABLE")(func)
    func = click.option(
        "--cursor", "cursor_column", default=None, help="Cursor column (for the max(cursor) fallback)."
    )(func)
    func = click.option("--state-store", type=click.Choice(["iceberg", "dynamodb", "file"]), default="iceberg")(func)
    func = click.option("--state-location", default=None)(func)
    func = click.option("--state-key", default=None)(func)
    return warehouse_option(func)


@state.command("show")
@_state_options
def state_show(
    target_table: str,
    cursor_column: str | None,
    state_store: str,
    state_location: str | None,
    state_key: str | None,
    warehouse: Path | None,
) -> None:
    """Print the stored watermark as JSON."""
    from glueforge.session import get_spark, settings_before_start
    from transforms.incremental_jdbc_ingest.native import stored_state
    from transforms.incremental_jdbc_ingest.state import iceberg_state

    table, store, key = _state_target(target_table, state_store, state_location, state_key)
    if store is not None:
        found = store.load(key)
        payload = found.as_dict() if found else {"watermark": None, "origin": "none"}
    else:
        settings = load_settings(warehouse=warehouse)
        spark_settings = settings_before_start(settings)  # a local target's state is in its files: no JVM needed
        read = stored_state(spark_settings, table) if spark_settings is not None else None
        payload = (read or iceberg_state(get_spark(settings), table, cursor_column)).as_dict()
    click.echo(json.dumps({"target": str(table), **payload}, sort_keys=True, default=str))


@state.command("reset")
@_state_options
@click.option("--to", "to", default=None, help="Rewind to this watermark instead of starting over.")
def state_reset(
    target_table: str,
    cursor_column: str | None,
    state_store: str,
    state_location: str | None,
    state_key: str | None,
    warehouse: Path | None,
    to: str | None,
) -> None:
    """Forget the watermark (next run reads everything) or rewind it with --to."""
    from glueforge.session import get_spark
    from transforms.incremental_jdbc_ingest.state import reset_iceberg

    table, store, key = _state_target(target_table, state_store, state_location, state_key)
    if store is not None:
        store.reset(key, to)
    else:
        reset_iceberg(get_spark(load_settings(warehouse=warehouse)), table, to, key)
    click.echo(json.dumps({"target": str(table), "watermark": to, "reset": True}, sort_keys=True))


def _state_target(
    target_table: str, state_store: str, state_location: str | None, state_key: str | None
) -> tuple[Any, Any, str]:
    """The target, its external state store (None = the Iceberg snapshots) and the key of the ingest in it."""
    from glueforge.lakehouse import TableName
    from transforms.incremental_jdbc_ingest.state import external_store

    table = TableName.parse(target_table)
    if state_store != "iceberg" and not state_location:
        raise InputError(f"--state-store {state_store} needs --state-location", where="state")
    return table, external_store(state_store, state_location), state_key or str(table)
