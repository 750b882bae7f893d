"""Legacy DQ rules -> DQDL (the subset glueforge's local evaluator implements), one registry entry per rule type."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from migration.legacy_model import DqRule


class DqdlError(ValueError):
    pass


RuleWriter = Callable[[dict[str, Any]], list[str]]
RULE_WRITERS: dict[str, RuleWriter] = {}


def rule_writer(kind: str) -> Callable[[RuleWriter], RuleWriter]:
    def register(func: RuleWriter) -> RuleWriter:
        RULE_WRITERS[kind] = func
        return func

    return register


def literal(value: Any) -> str:
    """A DQDL string literal: ``"`` escaped as ``\\"``, other backslashes kept (regexes pass through as written).

    The Ruleset field only accepts printable ASCII and newlines.
    """
    text = str(value)
    if not (text.isascii() and text.isprintable()):
        raise DqdlError(f"{text!r} holds characters outside printable ASCII, which a DQDL ruleset cannot carry")
    return '"' + text.replace('"', '\\"') + '"'


def number(value: Any, what: str) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise DqdlError(f"{what} must be a number, got {value!r}")
    return repr(value) if isinstance(value, float) else str(value)


def column(rule: dict[str, Any]) -> str:
    name = rule.get("column")
    if not isinstance(name, str) or not name:
        raise DqdlError(f"rule {rule.get('type')!r} needs a 'column'")
    return literal(name)


@rule_writer("not_null")
def _not_null(rule: dict[str, Any]) -> list[str]:
    return [f"IsComplete {column(rule)}"]


@rule_writer("unique")
def _unique(rule: dict[str, Any]) -> list[str]:
    columns = rule.get("columns") or ([rule["column"]] if rule.get("column") else [])
    if len(columns) != 1:
        raise DqdlError(f"unique over {len(columns)} columns {columns} is not expressible as IsUnique (one column)")
    return [f"IsUnique {literal(columns[0])}"]


@rule_writer("range")
def _range(rule: dict[str, Any]) -> list[str]:
    low, high = rule.get("min"), rule.get("max")
    col = column(rule)
    if low is not None and high is not None:
        return [f"ColumnValues {col} between {number(low, 'min')} and {number(high, 'max')}"]
    if low is not None:
        return [f"ColumnValues {col} >= {number(low, 'min')}"]
    if high is not None:
        return [f"ColumnValues {col} <= {number(high, 'max')}"]
    raise DqdlError("range rule needs 'min' and/or 'max'")


@rule_writer("regex")
def _regex(rule: dict[str, Any]) -> list[str]:
    pattern = rule.get("pattern")
    if not isinstance(pattern, str) or not pattern:
        raise DqdlError("regex rule needs a 'pattern'")
    return [f"ColumnValues {column(rule)} matches {literal(pattern)}"]


@rule_writer("allowed_values")
def _allowed(rule: dict[str, Any]) -> list[str]:
    values = rule.get("values")
    if not isinstance(values, list) or not values:
        raise DqdlError("allowed_values rule needs a non-empty 'values' list")
    return [f"ColumnValues {column(rule)} in [{','.join(literal(v) for v in values)}]"]


@rule_writer("row_count")
def _row_count(rule: dict[str, Any]) -> list[str]:
    low, high = rule.get("min"), rule.get("max")
    if low is not None and high is not None:
        return [f"RowCount between {number(low, 'min')} and {number(high, 'max')}"]
    if low is not None:
        return [f"RowCount >= {number(low, 'min')}"]
    if high is not None:
        return [f"RowCount <= {number(high, 'max')}"]
    raise DqdlError("row_count rule needs 'min' and/or 'max'")


@rule_writer("freshness")
def _freshness(rule: dict[str, Any]) -> list[str]:
    hours = rule.get("max_age_hours")
    return [f"DataFreshness {column(rule)} <= {number(hours, 'max_age_hours')} hours"]


def ruleset(rules: list[DqRule]) -> str:
    lines: list[str] = []
    for index, rule in enumerate(rules, 1):
        writer = RULE_WRITERS.get(rule.type)
        if writer is None:
            raise DqdlError(f"rule {index}: unknown rule type {rule.type!r} (known: {', '.join(sorted(RULE_WRITERS))})")
        try:
            lines += writer(rule.model_dump())
        except DqdlError as exc:
            raise DqdlError(f"rule {index} ({rule.type}): {exc}") from None
    return "Rules = [\n    " + ",\n    ".join(lines) + "\n]"
