"""DQDL subset -> glueforge rules (no JVM): every supported form, and clear errors for bad input."""

from __future__ import annotations

import pytest

from glueforge.errors import InputError
from glueforge.quality.dqdl import parse_dqdl
from glueforge.quality.rules import (
    AllowedValuesRule,
    FreshnessRule,
    NotNullRule,
    RangeRule,
    RegexRule,
    RowCountRule,
    UniqueRule,
)

MIGRATOR_SUBSET = """Rules = [
    IsComplete "order_id",
    IsUnique "order_id",
    ColumnValues "amount" between 0 and 100,
    ColumnValues "amount" >= 0,
    ColumnValues "qty" <= 10,
    ColumnValues "email" matches "^[^@]+@[^@]+$",
    ColumnValues "status" in ["NEW", "SHIPPED", "CANCELLED"],
    RowCount > 0,
    RowCount between 10 and 100,
    DataFreshness "last_modified" <= 24 hours
]"""


def test_parses_the_migrator_subset_into_typed_rules() -> None:
    rules = parse_dqdl(MIGRATOR_SUBSET)
    assert [type(r) for r in rules] == [
        NotNullRule,
        UniqueRule,
        RangeRule,
        RangeRule,
        RangeRule,
        RegexRule,
        AllowedValuesRule,
        RowCountRule,
        RowCountRule,
        FreshnessRule,
    ]
    assert rules[0].column == "order_id"
    assert rules[1].columns() == ["order_id"]
    assert (rules[2].min, rules[2].max, rules[2].strict_min, rules[2].strict_max) == (0, 100, False, False)
    assert (rules[3].min, rules[3].max) == (0, None)
    assert (rules[4].min, rules[4].max) == (None, 10)
    assert rules[5].pattern == "^[^@]+@[^@]+$"
    assert rules[6].values == ["NEW", "SHIPPED", "CANCELLED"]
    assert (rules[7].min, rules[7].max) == (1, None)
    assert (rules[8].min, rules[8].max) == (10, 100)
    assert (rules[9].max_age_hours, rules[9].applies_to) == (24, "every_row")
    # each rule keeps its DQDL text for reports
    assert rules[2].describe() == 'ColumnValues "amount" between 0 and 100'
    assert all(r.critical for r in rules)


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ('ColumnValues "x" > 0', {"min": 0, "strict_min": True, "max": None}),
        ('ColumnValues "x" < 5', {"max": 5, "strict_max": True, "min": None}),
        ('ColumnValues "x" = 5', {"min": 5, "max": 5}),
        ('ColumnValues "x" between -1.5 and 2.25', {"min": -1.5, "max": 2.25}),
    ],
)
def test_column_value_comparisons(rule: str, expected: dict[str, object]) -> None:
    (parsed,) = parse_dqdl(f"Rules = [ {rule} ]")
    assert isinstance(parsed, RangeRule)
    for key, value in expected.items():
        assert getattr(parsed, key) == value


@pytest.mark.parametrize(
    ("rule", "bounds"),
    [
        ("RowCount > 0", (1, None)),
        ("RowCount >= 3", (3, None)),
        ("RowCount < 100", (None, 99)),
        ("RowCount <= 100", (None, 100)),
        ("RowCount = 7", (7, 7)),
        ("RowCount between 10 and 100", (10, 100)),
    ],
)
def test_row_count_bounds_are_integers(rule: str, bounds: tuple[int | None, int | None]) -> None:
    (parsed,) = parse_dqdl(f"Rules = [ {rule} ]")
    assert isinstance(parsed, RowCountRule)
    assert (parsed.min, parsed.max) == bounds


def test_string_equality_threshold_units_comments_and_escapes() -> None:
    rules = parse_dqdl(
        'Rules = [\n  # a comment\n  ColumnValues "status" = "NEW",\n'
        '  ColumnValues "code" matches "\\d{3}-\\"x\\"",\n'
        '  IsComplete "email" with threshold > 0.95,\n'
        '  DataFreshness "ts" between 2 days and 5 days,\n'
        '  DataFreshness "ts" < 90 minutes\n]'
    )
    assert isinstance(rules[0], AllowedValuesRule) and rules[0].values == ["NEW"]
    assert isinstance(rules[1], RegexRule) and rules[1].pattern == '\\d{3}-"x"'
    assert isinstance(rules[2], NotNullRule) and rules[2].mostly == 0.95
    assert isinstance(rules[3], FreshnessRule) and (rules[3].min_age_hours, rules[3].max_age_hours) == (48, 120)
    assert isinstance(rules[4], FreshnessRule) and rules[4].max_age_hours == 1.5


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "empty"),
        ('IsComplete "a"', "Rules = ["),
        ("Rules = [ ]", "no rules"),
        ('Rules = [ IsComplete "a", ]', "trailing comma"),
        ('Rules = [ Completeness "a" > 0.5 ]', "Completeness"),
        ('Rules = [ ColumnValues "a" between 5 ]', 'ColumnValues "a" between 5'),
        ('Rules = [ ColumnValues "a" matches "(" ]', "invalid regular expression"),
        ('Rules = [ ColumnValues "a" in ["x" "y"] ]', "value list"),
        ("Rules = [ RowCount > ]", "RowCount >"),
        ('Rules = [ DataFreshness "ts" <= 24 weeks ]', "weeks"),
        ('Rules = [ DataFreshness "ts" >= 24 hours ]', "DataFreshness supports"),
        ('Rules = [ IsComplete "a" extra ]', "unexpected 'extra'"),
        ('Rules = [ ColumnValues "a" between 9 and 1 ]', "greater than max"),
        ("Rules = [ IsComplete 'a' ]", "cannot read DQDL"),
        ("Rules = [ RowCount > 5 with threshold > 0.5 ]", "does not take a threshold"),
    ],
)
def test_malformed_rules_raise_input_error_naming_the_rule(text: str, fragment: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_dqdl(text)
    assert fragment in str(caught.value)
