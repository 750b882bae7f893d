"""Window math, watermark text forms, the {lastmdfdtmst} template and option parsing (no JVM)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from glueforge.errors import InputError
from transforms.incremental_jdbc_ingest.dialects import DIALECTS
from transforms.incremental_jdbc_ingest.options import parse_options
from transforms.incremental_jdbc_ingest.template import bind_template, check_template
from transforms.incremental_jdbc_ingest.window import (
    CursorKind,
    ReadWindow,
    format_watermark,
    kind_for_spark_type,
    lower_bound,
    next_watermark,
    parse_watermark,
)

T0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


def test_lower_bound_subtracts_lookback_per_kind() -> None:
    assert lower_bound(None, CursorKind.TIMESTAMP, 300) is None
    assert lower_bound(T0, CursorKind.TIMESTAMP, 300) == T0 - timedelta(minutes=5)
    assert lower_bound(T0, CursorKind.TIMESTAMP, 0) == T0
    assert lower_bound(date(2026, 1, 10), CursorKind.DATE, 1) == date(2026, 1, 9)  # rounded up to a day
    assert lower_bound(date(2026, 1, 10), CursorKind.DATE, 86400 * 2) == date(2026, 1, 8)
    assert lower_bound(100, CursorKind.INTEGER, 7) == 93
    assert lower_bound(Decimal("10.5"), CursorKind.DECIMAL, 1) == Decimal("9.5")


def test_watermark_never_moves_backwards() -> None:
    assert next_watermark(None, T0) == T0
    assert next_watermark(T0, None) == T0
    assert next_watermark(T0, T0 - timedelta(seconds=1)) == T0
    assert next_watermark(T0, T0 + timedelta(seconds=1)) == T0 + timedelta(seconds=1)
    assert next_watermark(5, 3) == 5


def test_window_rejects_inverted_bounds() -> None:
    with pytest.raises(ValueError, match="empty window"):
        ReadWindow(T0, T0 - timedelta(seconds=1))
    assert ReadWindow(T0, T0).lower == T0  # a single instant is a valid (tie) window


def test_watermark_round_trip_is_utc() -> None:
    plus_two = datetime(2026, 1, 1, 14, 0, tzinfo=timezone(timedelta(hours=2)))
    text = format_watermark(plus_two)
    assert text == "2026-01-01T12:00:00.000000+00:00"
    assert parse_watermark(text, CursorKind.TIMESTAMP) == T0
    assert parse_watermark("2026-01-01T12:00:00Z", CursorKind.TIMESTAMP) == T0
    assert parse_watermark("2026-01-01 12:00:00", CursorKind.TIMESTAMP) == T0  # naive = UTC
    assert parse_watermark("2026-01-05", CursorKind.DATE) == date(2026, 1, 5)
    assert parse_watermark("42", CursorKind.INTEGER) == 42
    assert format_watermark(Decimal("1.50")) == "1.50"
    for bad, kind in (("yesterday", CursorKind.TIMESTAMP), ("1e999x", CursorKind.INTEGER), ("NaN", CursorKind.DECIMAL)):
        with pytest.raises(InputError):
            parse_watermark(bad, kind)


def test_cursor_kinds() -> None:
    assert kind_for_spark_type("timestamp", "c") is CursorKind.TIMESTAMP
    assert kind_for_spark_type("decimal(10,2)", "c") is CursorKind.DECIMAL
    assert kind_for_spark_type("bigint", "c") is CursorKind.INTEGER
    for unusable in ("string", "boolean", "binary", "double"):
        with pytest.raises(InputError, match="cursor column"):
            kind_for_spark_type(unusable, "c")


def test_template_binds_a_typed_literal_and_absorbs_quotes() -> None:
    pg = DIALECTS["postgresql"]
    seed_style = "SELECT * FROM orders WHERE updated_at > '{lastmdfdtmst}'"
    assert bind_template(seed_style, T0, pg, T0) == (
        "SELECT * FROM orders WHERE updated_at > TIMESTAMP '2026-01-01 12:00:00.000000'"
    )
    assert bind_template("SELECT * FROM t WHERE n >= {lastmdfdtmst}", 7, pg, 0) == "SELECT * FROM t WHERE n >= 7"
    # no state yet: the floor value
    assert bind_template("SELECT * FROM t WHERE n >= {lastmdfdtmst}", None, pg, -1) == "SELECT * FROM t WHERE n >= -1"
    assert bind_template("SELECT '{{x}}' AS j FROM t", None, pg, 0) == "SELECT '{x}' AS j FROM t"


@pytest.mark.parametrize(
    "bad",
    [
        "SELECT * FROM t WHERE a > {other}",
        "SELECT * FROM t WHERE a > {lastmdfdtmst!r}",
        "SELECT * FROM t WHERE a > {lastmdfdtmst:%Y}",
        "SELECT * FROM t WHERE a > {lastmdfdtmst",
        "SELECT * FROM t WHERE a > }",
        "SELECT 1; DROP TABLE t",
        "SELECT 1 -- {lastmdfdtmst}",
        "DELETE FROM t",
        "",
    ],
)
def test_malformed_templates_are_refused(bad: str) -> None:
    with pytest.raises(InputError):
        check_template(bad)


BASE = {"url": "jdbc:sqlite:/tmp/x.db", "table": "t", "cursor_column": "u", "target_table": "bronze.t"}


def test_options_parse_glue_strings() -> None:
    options = parse_options(
        {
            **BASE,
            "primary_keys": "a, b",
            "lookback_seconds": "30",
            "fetch_size": "500",
            "partitions": "",
            "hashfield": None,
        }
    )
    assert options.primary_keys == ("a", "b")
    assert options.lookback_seconds == 30
    assert options.fetch_size == 500
    assert options.key == "bronze.t"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"primary_keys": None}, "merge mode needs primary_keys"),
        ({"query": "SELECT 1", "primary_keys": "a"}, "exactly one of table or query"),
        ({"url": None, "primary_keys": "a"}, "url or a Glue connection_name"),
        ({"primary_keys": "a", "target_table": "t"}, "NAMESPACE.TABLE"),
        ({"primary_keys": "a", "password": "secret"}, "password"),
        ({"primary_keys": "a;drop"}, "not a valid primary key"),
        ({"primary_keys": "a", "cursor_column": "u or 1=1"}, "not a valid column"),
        ({"primary_keys": "a", "lookback_seconds": -1}, "lookback_seconds"),
        ({"primary_keys": "a", "delete_handling": "soft_delete"}, "soft_delete_column"),
        ({"primary_keys": "a", "state_store": "dynamodb"}, "state_location"),
    ],
)
def test_options_reject_bad_input(change: dict[str, object], message: str) -> None:
    params = {**BASE, **change}
    with pytest.raises(InputError, match=message) as info:
        parse_options({k: v for k, v in params.items() if v is not None})
    assert "secret" not in str(info.value) or message == "password"
