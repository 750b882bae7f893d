"""YAML suites: the shipped ones load; malformed or empty suites give clear errors (no JVM)."""

from __future__ import annotations

from pathlib import Path

import pytest

from glueforge.errors import InputError, NotFoundError
from glueforge.quality.rules import AllowedValuesRule, FreshnessRule
from glueforge.quality.suites import load_suite

SHIPPED = Path(__file__).resolve().parents[3] / "dbt_project" / "quality"


@pytest.mark.parametrize(
    "name", ["bronze_orders", "bronze_customers_masked", "gold_daily_revenue", "gold_customer_lifetime_value"]
)
def test_shipped_suites_load_by_name(name: str) -> None:
    suite = load_suite(name, [SHIPPED])
    assert suite.name == name and suite.rules and suite.table


def test_bronze_orders_suite_content() -> None:
    suite = load_suite(SHIPPED / "bronze_orders.yml")
    statuses = next(r for r in suite.rules if isinstance(r, AllowedValuesRule))
    assert statuses.values == ["placed", "shipped", "delivered", "cancelled", "refunded"]
    freshness = next(r for r in suite.rules if isinstance(r, FreshnessRule))
    assert freshness.critical is False and freshness.applies_to == "newest"


@pytest.mark.parametrize(
    ("text", "error", "fragment"),
    [
        ("", InputError, "the suite is empty"),
        ("suite: s\nrules: []\n", InputError, "has no rules"),
        ("suite: s\n", InputError, "has no rules"),
        ("suite: s\nrules:\n  - {type: not_null, column: a\n", InputError, "malformed YAML at line"),
        ("- a\n- b\n", InputError, "must be a mapping"),
        ("suite: s\nrulez: []\n", InputError, "unknown suite key(s) rulez"),
        ("suite: s\nrules:\n  - {type: median, column: a}\n", InputError, "rules[0]: unknown rule type 'median'"),
        ("suite: 'bad name!'\nrules:\n  - {type: not_null, column: a}\n", InputError, "invalid suite"),
    ],
)
def test_bad_suites_name_file_and_problem(tmp_path: Path, text: str, error: type[Exception], fragment: str) -> None:
    path = tmp_path / "suite.yml"
    path.write_text(text)
    with pytest.raises(error) as caught:
        load_suite(path)
    assert fragment in str(caught.value)
    assert str(path) in str(caught.value)


def test_unknown_suite_lists_known_ones(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match=r"no suite named .nope.*known: bronze_customers_masked, bronze_orders"):
        load_suite("nope", [SHIPPED])
    with pytest.raises(NotFoundError, match="does not exist"):
        load_suite(tmp_path / "missing.yml")
