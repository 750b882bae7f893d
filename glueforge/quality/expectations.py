"""Rule -> GX expectation: one small builder per rule type, collected in a registry.

GX is imported inside the builders (its import costs 3-4 s), so importing this module stays cheap.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from glueforge.quality.rules import (
    AllowedValuesRule,
    FreshnessRule,
    NotNullRule,
    RangeRule,
    RegexRule,
    RowCountRule,
    Rule,
    UniqueRule,
)

Builder = Callable[[Any, Any, datetime], Any]
"""(rule, great_expectations.expectations module, now) -> one GX expectation."""


def _mostly(rule: Rule) -> dict[str, float]:
    return {"mostly": rule.mostly} if rule.mostly < 1.0 else {}


def _not_null(rule: NotNullRule, gxe: Any, now: datetime) -> Any:
    return gxe.ExpectColumnValuesToNotBeNull(column=rule.column, **_mostly(rule))


def _unique(rule: UniqueRule, gxe: Any, now: datetime) -> Any:
    columns = rule.columns()
    if len(columns) == 1:
        return gxe.ExpectColumnValuesToBeUnique(column=columns[0], **_mostly(rule))
    return gxe.ExpectCompoundColumnsToBeUnique(column_list=columns, **_mostly(rule))


def _range(rule: RangeRule, gxe: Any, now: datetime) -> Any:
    return gxe.ExpectColumnValuesToBeBetween(
        column=rule.column,
        min_value=rule.min,
        max_value=rule.max,
        strict_min=rule.strict_min,
        strict_max=rule.strict_max,
        **_mostly(rule),
    )


def _regex(rule: RegexRule, gxe: Any, now: datetime) -> Any:
    return gxe.ExpectColumnValuesToMatchRegex(column=rule.column, regex=rule.pattern, **_mostly(rule))


def _allowed(rule: AllowedValuesRule, gxe: Any, now: datetime) -> Any:
    return gxe.ExpectColumnValuesToBeInSet(column=rule.column, value_set=list(rule.values), **_mostly(rule))


def _row_count(rule: RowCountRule, gxe: Any, now: datetime) -> Any:
    return gxe.ExpectTableRowCountToBeBetween(min_value=rule.min, max_value=rule.max)


def _freshness(rule: FreshnessRule, gxe: Any, now: datetime) -> Any:
    # Spark hands timestamps to Python as naive datetimes in the session time zone, which glueforge pins to UTC.
    naive_now = now.astimezone(UTC).replace(tzinfo=None)
    oldest = naive_now - timedelta(hours=rule.max_age_hours)
    newest = naive_now - timedelta(hours=rule.min_age_hours) if rule.min_age_hours is not None else None
    if rule.applies_to == "newest":
        return gxe.ExpectColumnMaxToBeBetween(column=rule.column, min_value=oldest, max_value=newest)
    return gxe.ExpectColumnValuesToBeBetween(column=rule.column, min_value=oldest, max_value=newest, **_mostly(rule))


BUILDERS: dict[type, Builder] = {
    NotNullRule: _not_null,
    UniqueRule: _unique,
    RangeRule: _range,
    RegexRule: _regex,
    AllowedValuesRule: _allowed,
    RowCountRule: _row_count,
    FreshnessRule: _freshness,
}


def to_expectation(rule: Rule, now: datetime | None = None) -> Any:
    """The GX expectation that checks ``rule`` (``now`` fixes the clock for freshness rules)."""
    import great_expectations.expectations as gxe

    expectation = BUILDERS[type(rule)](rule, gxe, now or datetime.now(UTC))
    expectation.meta = {"glueforge_rule": rule.describe(), "critical": rule.critical}
    return expectation
