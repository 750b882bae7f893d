"""Legacy EDLS DQ_CHECK rules -> typed rules -> GX expectations (no JVM; GX objects only)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from glueforge.errors import InputError
from glueforge.quality.expectations import to_expectation
from glueforge.quality.rules import parse_rules

LEGACY_RULES = [  # the example from legacy-edls/SCHEMA.md
    {"type": "not_null", "column": "order_id"},
    {"type": "unique", "columns": ["order_id"]},
    {"type": "range", "column": "amount", "min": 0, "max": 1000000},
    {"type": "regex", "column": "email", "pattern": "^[^@]+@[^@]+$"},
    {"type": "allowed_values", "column": "status", "values": ["NEW", "SHIPPED", "CANCELLED"]},
    {"type": "row_count", "min": 1, "max": None},
    {"type": "freshness", "column": "last_modified", "max_age_hours": 48},
]


def test_legacy_rules_translate_to_the_matching_expectations() -> None:
    now = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
    rules = parse_rules(LEGACY_RULES)
    expectations = [to_expectation(rule, now) for rule in rules]
    assert [e.expectation_type for e in expectations] == [
        "expect_column_values_to_not_be_null",
        "expect_column_values_to_be_unique",
        "expect_column_values_to_be_between",
        "expect_column_values_to_match_regex",
        "expect_column_values_to_be_in_set",
        "expect_table_row_count_to_be_between",
        "expect_column_max_to_be_between",
    ]
    assert (expectations[2].min_value, expectations[2].max_value) == (0, 1000000)
    assert expectations[3].regex == "^[^@]+@[^@]+$"
    assert set(expectations[4].value_set) == {"NEW", "SHIPPED", "CANCELLED"}
    assert (expectations[5].min_value, expectations[5].max_value) == (1, None)
    assert expectations[6].min_value == (now - timedelta(hours=48)).replace(tzinfo=None)
    assert all(e.meta["critical"] for e in expectations)


def test_compound_unique_and_mostly() -> None:
    rules = parse_rules([{"type": "unique", "columns": ["a", "b"], "mostly": 0.9, "critical": False}])
    expectation = to_expectation(rules[0])
    assert expectation.expectation_type == "expect_compound_columns_to_be_unique"
    assert expectation.column_list == ["a", "b"]
    assert expectation.mostly == 0.9
    assert expectation.meta["critical"] is False


@pytest.mark.parametrize(
    ("rules", "fragment"),
    [
        ([{"type": "median", "column": "a"}], "rules[0]: unknown rule type 'median'"),
        ([{"type": "not_null"}], "rules[0]: invalid not_null rule: column: Field required"),
        ([{"type": "range", "column": "a"}], "needs min and/or max"),
        ([{"type": "range", "column": "a", "min": 5, "max": 1}], "greater than max"),
        ([{"type": "regex", "column": "a", "pattern": "("}], "invalid regular expression"),
        ([{"type": "allowed_values", "column": "a", "values": []}], "values"),
        ([{"type": "not_null", "column": "a", "colour": "red"}], "colour"),
        (["not_null"], "must be a mapping"),
    ],
)
def test_bad_rules_name_the_rule(rules: list[object], fragment: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_rules(rules)
    assert fragment in str(caught.value)
