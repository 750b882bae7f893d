"""DQDL rulesets evaluated on a real Spark DataFrame through the GX engine: pass, and fail on purpose."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest

from glueforge.errors import NotFoundError
from glueforge.quality.dqdl import evaluate_dqdl

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession


@pytest.fixture(scope="module")
def orders(spark: SparkSession) -> DataFrame:
    now = datetime.now(UTC).replace(tzinfo=None)
    rows = [
        (i, f"user{i}@example.com", "SHIPPED" if i % 3 else "NEW", float(i * 10), now - timedelta(hours=i))
        for i in range(1, 11)
    ]
    return spark.createDataFrame(
        rows, "order_id int, email string, status string, amount double, last_modified timestamp"
    )


def test_a_satisfied_ruleset_passes_rule_by_rule(orders: DataFrame) -> None:
    result = evaluate_dqdl(
        orders,
        """Rules = [
            IsComplete "order_id", IsUnique "order_id",
            ColumnValues "amount" between 10 and 100, ColumnValues "amount" >= 0, ColumnValues "amount" <= 100,
            ColumnValues "email" matches "^[^@]+@[^@]+$", ColumnValues "status" in ["NEW", "SHIPPED"],
            RowCount > 0, RowCount between 10 and 100, DataFreshness "last_modified" <= 24 hours
        ]""",
    )
    assert result.passed, [o for o in result.outcomes if not o.passed]
    assert len(result.outcomes) == 10
    assert result.outcomes[2].rule == 'ColumnValues "amount" between 10 and 100'


def test_violations_fail_with_messages(orders: DataFrame) -> None:
    result = evaluate_dqdl(
        orders,
        """Rules = [
            IsComplete "order_id",
            ColumnValues "amount" > 10,
            ColumnValues "status" in ["SHIPPED"],
            IsUnique "status",
            RowCount < 10,
            DataFreshness "last_modified" <= 5 hours,
            ColumnValues "amount" < 50 with threshold > 0.3,
            ColumnValues "amount" < 50 with threshold > 0.5
        ]""",
    )
    assert not result.passed
    by_rule = {o.rule: o for o in result.outcomes}
    assert by_rule['IsComplete "order_id"'].passed
    assert not by_rule['ColumnValues "amount" > 10'].passed  # 10.0 is excluded by the strict bound
    assert by_rule['ColumnValues "amount" > 10'].message.startswith("1 of 10 rows failed")
    assert by_rule['ColumnValues "status" in ["SHIPPED"]'].message.startswith("3 of 10 rows failed")
    assert not by_rule['IsUnique "status"'].passed
    assert not by_rule["RowCount < 10"].passed
    assert by_rule["RowCount < 10"].message == "observed 10"
    freshness = by_rule['DataFreshness "last_modified" <= 5 hours']
    assert not freshness.passed and freshness.message.startswith("6 of 10 rows failed")
    assert by_rule['ColumnValues "amount" < 50 with threshold > 0.3'].passed  # 40 % of rows pass
    assert not by_rule['ColumnValues "amount" < 50 with threshold > 0.5'].passed


def test_unknown_column_is_a_clear_error(orders: DataFrame) -> None:
    with pytest.raises(NotFoundError, match=r"unknown column.*amout"):
        evaluate_dqdl(orders, 'Rules = [ ColumnValues "amout" >= 0 ]')
