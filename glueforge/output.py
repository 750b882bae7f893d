"""Rendering rows for people (rich tables) and machines (JSON with stable keys, CSV)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from rich.console import Console
from rich.table import Table


def json_value(value: Any) -> Any:
    """JSON-safe value: timestamps as ISO 8601, decimals as numbers, bytes as hex, nested rows as objects."""
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if _is_integral(value) else float(value)
    if isinstance(value, bytes | bytearray):
        return value.hex()
    if isinstance(value, dict):
        return {str(k): json_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_value(v) for v in value]
    if hasattr(value, "asDict"):
        return json_value(value.asDict(recursive=True))
    return value


def _is_integral(value: Decimal) -> bool:
    exponent = value.as_tuple().exponent
    return isinstance(exponent, int) and exponent >= 0


def rows_to_json(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    return json.dumps([{c: json_value(v) for c, v in zip(columns, row, strict=True)} for row in rows], indent=2)


def rows_to_csv(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if v is None else json_value(v) for v in row])
    return buffer.getvalue()


def rows_to_table(columns: Sequence[str], rows: Sequence[Sequence[Any]], title: str | None = None) -> Table:
    table = Table(title=title, show_lines=False)
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*["[dim]null[/]" if v is None else str(json_value(v)) for v in row])
    return table


def print_rows(fmt: str, columns: Sequence[str], rows: Sequence[Sequence[Any]], console: Console | None = None) -> None:
    console = console or Console()
    renderers: dict[str, Callable[[], None]] = {
        "json": lambda: print(rows_to_json(columns, rows)),
        "csv": lambda: print(rows_to_csv(columns, rows), end=""),
        "table": lambda: console.print(rows_to_table(columns, rows)),
    }
    renderers[fmt]()
