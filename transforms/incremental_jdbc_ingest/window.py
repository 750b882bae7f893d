"""Cursor values, watermarks and the read window: pure Python, no Spark.

A watermark ``W`` means: every source row whose cursor is ``<= W`` at the moment ``W`` was captured is in the
target. The next run reads the closed window ``W - lookback <= cursor <= upper``, where ``upper`` is captured
before reading. The lower end is inclusive so rows that share the boundary value but commit later (ties) are
re-read; re-read rows that did not change are filtered out before the merge, so this costs no rewrite.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any, Union

from glueforge.errors import InputError

CursorValue = Union[datetime, date, int, Decimal]  # noqa: UP007 - runtime alias


class CursorKind(StrEnum):
    TIMESTAMP = "timestamp"
    DATE = "date"
    INTEGER = "integer"
    DECIMAL = "decimal"


# Spark SQL type names (DataType.simpleString()) -> cursor kind; anything else cannot order rows by change time.
SPARK_TYPE_KINDS: dict[str, CursorKind] = {
    "timestamp": CursorKind.TIMESTAMP,
    "timestamp_ntz": CursorKind.TIMESTAMP,
    "date": CursorKind.DATE,
    "tinyint": CursorKind.INTEGER,
    "smallint": CursorKind.INTEGER,
    "int": CursorKind.INTEGER,
    "bigint": CursorKind.INTEGER,
    "decimal": CursorKind.DECIMAL,
}


def kind_for_spark_type(type_name: str, column: str) -> CursorKind:
    base = type_name.split("(")[0]
    kind = SPARK_TYPE_KINDS.get(base)
    if kind is None:
        raise InputError(
            f"cursor column {column!r} has type {type_name}; use a timestamp, date or integer/decimal column",
            where="cursor_column",
        )
    return kind


def utc(value: datetime) -> datetime:
    """Naive datetimes are UTC (the session and JDBC connections run in UTC)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def parse_watermark(text: str, kind: CursorKind, where: str = "watermark") -> CursorValue:
    """The stored/CLI text form back to a typed value."""
    text = text.strip()
    try:
        if kind is CursorKind.TIMESTAMP:
            return utc(datetime.fromisoformat(text.replace("Z", "+00:00")))
        if kind is CursorKind.DATE:
            return date.fromisoformat(text[:10])
        if kind is CursorKind.INTEGER:
            return int(Decimal(text))
        value = Decimal(text)
        if not value.is_finite():
            raise InvalidOperation
        return value
    except (ValueError, InvalidOperation):
        raise InputError(f"{text!r} is not a valid {kind} watermark", where=where) from None


def format_watermark(value: CursorValue) -> str:
    """Stable text form: ISO-8601 UTC for timestamps, ISO dates, plain numbers."""
    if isinstance(value, datetime):
        return utc(value).isoformat(timespec="microseconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def from_epoch_micros(micros: int) -> datetime:
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=micros)


def minus_lookback(value: CursorValue, kind: CursorKind, lookback_seconds: int) -> CursorValue:
    """``value - lookback``: seconds for timestamps, whole days (rounded up) for dates, native units for numbers."""
    if lookback_seconds <= 0:
        return value
    if kind is CursorKind.TIMESTAMP:
        assert isinstance(value, datetime)
        return value - timedelta(seconds=lookback_seconds)
    if kind is CursorKind.DATE:
        assert isinstance(value, date)
        return value - timedelta(days=math.ceil(lookback_seconds / 86400))
    if kind is CursorKind.INTEGER:
        assert isinstance(value, int)
        return value - lookback_seconds
    assert isinstance(value, Decimal)
    return value - Decimal(lookback_seconds)


@dataclass(frozen=True)
class ReadWindow:
    """``lower <= cursor <= upper`` (``lower`` None: from the beginning), plus NULL cursors if asked."""

    lower: CursorValue | None
    upper: CursorValue | None  # None: no non-NULL cursor in range (only NULL-cursor rows are read)
    include_nulls: bool = False

    def __post_init__(self) -> None:
        if self.lower is not None and self.upper is not None and _key(self.lower) > _key(self.upper):
            raise ValueError(f"empty window: {self.lower!r} > {self.upper!r}")


def lower_bound(watermark: CursorValue | None, kind: CursorKind, lookback_seconds: int) -> CursorValue | None:
    return None if watermark is None else minus_lookback(watermark, kind, lookback_seconds)


def next_watermark(before: CursorValue | None, upper: CursorValue | None) -> CursorValue | None:
    """The watermark never moves backwards (a source max below the stored one, e.g. after deletes)."""
    if upper is None:
        return before
    if before is None:
        return upper
    return upper if _key(upper) > _key(before) else before


def _key(value: CursorValue) -> Any:
    return utc(value) if isinstance(value, datetime) else value
