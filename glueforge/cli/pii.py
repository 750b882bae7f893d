"""``glueforge pii``: detect and mask PII in CSV/Parquet files and in relational tables (the seed scenario)."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from glueforge.cli.options import warehouse_option

F = TypeVar("F", bound=Callable[..., Any])
CLI_ACTIONS = ["detect", "redact", "partial", "hash", "hmac", "nullify"]


def _detection_options(func: F) -> F:
    options = [
        click.option(
            "--sample-fraction",
            type=click.FloatRange(0, 1, min_open=True),
            default=1.0,
            show_default=True,
            help="Share of rows sampled to classify columns (Glue's default is 0.1).",
        ),
        click.option(
            "--threshold",
            type=click.FloatRange(0, 1),
            default=0.1,
            show_default=True,
            help="Share of sampled non-empty values that must match for a column to be PII.",
        ),
        click.option(
            "--entities",
            "entity_types",
            default="",
            help="Comma-separated entity types or categories (UNIVERSAL, HIPAA, ...). Default: all.",
        ),
        click.option("--include", "include_columns", default="", help="Comma-separated columns to scan."),
        click.option("--exclude", "exclude_columns", default="", help="Comma-separated columns to skip."),
        click.option(
            "--custom-entities",
            default=None,
            help='JSON list of {"name", "regex", "contextWords"} custom entity types.',
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _masking_options(func: F) -> F:
    options = [
        click.option("--mode", type=click.Choice(["column", "cell"]), default="column", show_default=True),
        click.option(
            "--action", type=click.Choice(CLI_ACTIONS, case_sensitive=False), default="redact", show_default=True
        ),
        click.option(
            "--detection-parameters", default=None, help="Glue-style per-entity actions JSON (or @file.json)."
        ),
        click.option("--keep-left", type=click.IntRange(0, 999), default=0, help="PARTIAL: characters kept left."),
        click.option(
            "--keep-right",
            type=click.IntRange(0, 999),
            default=4,
            show_default=True,
            help="PARTIAL: characters kept right.",
        ),
        click.option("--match-pattern", default=None, help="PARTIAL: mask only what this regex matches."),
        click.option("--redact-text", default="*******", show_default=True),
        click.option(
            "--hmac-key-env",
            default="GLUEFORGE_PII_HMAC_KEY",
            show_default=True,
            help="Environment variable holding the HMAC key.",
        ),
        click.option("--hmac-secret-id", default=None, help="Secrets Manager secret holding the HMAC key."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _params(**values: Any) -> dict[str, Any]:
    """CLI option values -> the transform's (Glue) parameter names."""
    names = {
        "sample_fraction": "sampleFraction",
        "threshold": "thresholdFraction",
        "entity_types": "entityTypesToDetect",
        "include_columns": "includeColumns",
        "exclude_columns": "excludeColumns",
        "custom_entities": "customEntities",
        "mode": "detectionMode",
        "action": "action",
        "detection_parameters": "detectionParameters",
        "keep_left": "numLeftCharsToExclude",
        "keep_right": "numRightCharsToExclude",
        "match_pattern": "matchPattern",
        "redact_text": "redactText",
        "hmac_key_env": "hmacKeyEnvVar",
        "hmac_secret_id": "hmacSecretId",
    }
    params = {names[k]: v for k, v in values.items() if k in names and v is not None}
    detection = params.get("detectionParameters")
    if isinstance(detection, str) and detection.startswith("@"):
        params["detectionParameters"] = Path(detection[1:]).read_text(encoding="utf-8")
    return params


def _spark(warehouse: Path | None) -> Any:
    from glueforge.session import get_spark
    from glueforge.settings import load_settings

    return get_spark(load_settings(warehouse=warehouse))


def _print_report(report: Any, as_json: bool, extra: dict[str, Any] | None = None) -> None:
    if as_json:
        click.echo(
            json.dumps({"table": report.table, "pii_columns": report.pii_columns, **(extra or {})}, sort_keys=True)
        )
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"PII in {report.table} ({report.mode} mode)")
    for header in ("column", "entities", "action", "share", "context"):
        table.add_column(header)
    for column in report.columns:
        flagged = [f for f in column.findings if f["flagged"]]
        table.add_row(
            column.name,
            ", ".join(column.entities) or "-",
            column.action if column.entities else "-",
            ", ".join(f"{f['share']:.2f}" for f in flagged) or "-",
            ", ".join(sorted({f["context"] for f in flagged})) or "-",
        )
    Console().print(table)
    for key, value in (extra or {}).items():
        click.echo(f"{key}: {value}")


@click.group()
def pii() -> None:
    """Detect and mask PII (Glue entity names) in files and JDBC tables."""


@pii.command()
def entities() -> None:
    """List the entity types, their categories and how they are validated."""
    from transforms.detect_pii.entities import REGISTRY

    for entity in REGISTRY.values():
        managed = "" if entity.glue_managed else " (glueforge extension)"
        click.echo(f"{entity.name:38} {','.join(sorted(entity.categories)):28} {entity.description}{managed}")


@pii.command()
@click.option("--input", "input_path", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option(
    "--report",
    "report_path",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="JSON report path; a Markdown report is written next to it (.md).",
)
@_detection_options
@click.option("--json", "as_json", is_flag=True, help="Print a JSON summary instead of a table.")
@warehouse_option
def scan(input_path: Path, report_path: Path, as_json: bool, warehouse: Path | None, **options: Any) -> None:
    """Report which columns of a CSV/Parquet file hold which PII entities."""
    from transforms.detect_pii.files import read_file
    from transforms.detect_pii.pipeline import run

    spark = _spark(warehouse)
    df = read_file(spark, input_path)
    result = run(df, table=input_path.name, **_params(**options), action="DETECT")
    markdown = result.report.write(report_path)
    _print_report(result.report, as_json, {"report": str(report_path), "markdown": str(markdown)})


@pii.command()
@click.option("--input", "input_path", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--output", "output_path", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option(
    "--report",
    "report_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also write the JSON (+ Markdown) report here.",
)
@_detection_options
@_masking_options
@click.option("--json", "as_json", is_flag=True, help="Print a JSON summary instead of a table.")
@warehouse_option
def mask(
    input_path: Path, output_path: Path, report_path: Path | None, as_json: bool, warehouse: Path | None, **options: Any
) -> None:
    """Write a copy of a CSV/Parquet file with detected PII masked (same rows, columns and format)."""
    from glueforge.errors import InputError
    from transforms.detect_pii.files import file_format, read_file, write_file
    from transforms.detect_pii.pipeline import run

    if input_path.resolve() == output_path.resolve():
        raise InputError("--output must differ from --input", where="pii mask")
    fmt = file_format(input_path)
    if file_format(output_path) != fmt:
        raise InputError(f"--output must be a .{fmt} file like the input", where=str(output_path))
    spark = _spark(warehouse)
    df = read_file(spark, input_path)
    result = run(df, table=input_path.name, **_params(**options))
    write_file(result.frame, output_path, fmt)  # fails closed: nothing at output_path unless all went well
    extra: dict[str, Any] = {"output": str(output_path)}
    if report_path is not None:
        extra["report"] = str(report_path)
        result.report.write(report_path)
    _print_report(result.report, as_json, extra)


def _jdbc_options(func: F) -> F:
    options = [
        click.option("--url", default=None, help="JDBC URL (e.g. jdbc:postgresql://127.0.0.1:5432/test)."),
        click.option(
            "--database",
            "database_name",
            default=None,
            help="A database named in settings (glueforge.toml [databases.NAME]) instead of --url.",
        ),
        click.option("--table", required=True, help="Table name, optionally schema.table."),
        click.option("--user", default=None),
        click.option("--password-env", default=None, help="Environment variable holding the password."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _target(url: str | None, database_name: str | None, table: str, user: str | None, password_env: str | None) -> Any:
    from glueforge.errors import ConfigError
    from glueforge.settings import load_settings
    from transforms.detect_pii.tables import JdbcTarget

    password = os.environ.get(password_env) if password_env else None
    if url is None:
        if database_name is None:
            raise ConfigError("give --url or --database", where="pii")
        databases = load_settings().databases
        if database_name not in databases:
            raise ConfigError(f"no database named {database_name!r} (known: {', '.join(databases)})", where="pii")
        db = databases[database_name]
        url, user = db.url, user or db.user
        password = password or (db.password.get_secret_value() if db.password else None)
    return JdbcTarget(url, table, user, password)


@pii.command("scan-table")
@_jdbc_options
@click.option("--report", "report_path", type=click.Path(dir_okay=False, path_type=Path), required=True)
@_detection_options
@click.option("--json", "as_json", is_flag=True)
@warehouse_option
def scan_table(
    url: str | None,
    database_name: str | None,
    table: str,
    user: str | None,
    password_env: str | None,
    report_path: Path,
    as_json: bool,
    warehouse: Path | None,
    **options: Any,
) -> None:
    """Report the PII columns of a relational table read over JDBC (the seed's Redshift scan)."""
    from transforms.detect_pii import tables

    target = _target(url, database_name, table, user, password_env)
    result = tables.scan_table(_spark(warehouse), target, **_params(**options))
    result.report.write(report_path)
    _print_report(result.report, as_json, {"report": str(report_path)})


@pii.command("mask-table")
@_jdbc_options
@click.option("--key", "key_columns", default="", help="Comma-separated row key (default: the primary key).")
@click.option("--report", "report_path", type=click.Path(dir_okay=False, path_type=Path), default=None)
@_detection_options
@_masking_options
@click.option("--json", "as_json", is_flag=True)
@warehouse_option
def mask_table(
    url: str | None,
    database_name: str | None,
    table: str,
    user: str | None,
    password_env: str | None,
    key_columns: str,
    report_path: Path | None,
    as_json: bool,
    warehouse: Path | None,
    **options: Any,
) -> None:
    """Mask a table's PII columns in place: staging table + one transactional UPDATE ... FROM (PostgreSQL)."""
    from transforms.detect_pii import tables

    target = _target(url, database_name, table, user, password_env)
    keys = [k.strip() for k in key_columns.split(",") if k.strip()]
    result, updated = tables.mask_table(_spark(warehouse), target, keys or None, **_params(**options))
    if report_path is not None:
        result.report.write(report_path)
    _print_report(result.report, as_json, {"rows_updated": updated})
