"""`glueforge quality check` on real Iceberg tables: pass, fail on purpose (critical vs not), Data Docs + JSON,
and clear errors for an unknown table or column."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from glueforge.cli import main
from pipelines.dbt_sources import write_demo_sources

if TYPE_CHECKING:
    from conftest import Lakehouse

SHIPPED = Path(__file__).resolve().parents[3] / "dbt_project" / "quality"


def _check(lakehouse: Lakehouse, *args: str) -> list[str]:
    return ["quality", "check", "--warehouse", str(lakehouse.warehouse), *args]


def test_shipped_bronze_suite_passes_with_data_docs(lakehouse: Lakehouse, capsys: pytest.CaptureFixture[str]) -> None:
    write_demo_sources(lakehouse.spark, customer_count=20, order_count=100)
    code = main(_check(lakehouse, "--suite", str(SHIPPED / "bronze_orders.yml"), "--json"))
    result = json.loads(capsys.readouterr().out)
    assert code == 0 and result["passed"], result
    assert result["table"] == "bronze.orders"
    freshness = next(o for o in result["outcomes"] if o["expectation"] == "expect_column_max_to_be_between")
    assert freshness["critical"] is False and freshness["passed"] is False  # 2026 demo data is stale: warns only
    assert not result["all_passed"]
    docs = Path(result["data_docs"])
    assert docs.name == "index.html" and docs.is_file()
    assert docs.is_relative_to(lakehouse.warehouse.parent / "out" / "quality")
    assert any(docs.parent.glob("validations/**/*.html"))
    saved = json.loads((docs.parent.parent / "result.json").read_text())
    assert saved["passed"] is True and saved["gx_result"]["success"] is False


def test_critical_failure_exits_non_zero(
    lakehouse: Lakehouse, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spark = lakehouse.spark
    spark.sql("create namespace if not exists bronze")
    spark.sql("create table bronze.items (id int, price double, code string) using iceberg")
    spark.sql("insert into bronze.items values (1, 5.0, 'A1'), (2, -3.0, 'B2'), (2, 7.0, 'zz'), (4, null, 'C3')")
    suite = tmp_path / "items.yml"
    suite.write_text(
        "suite: items\nrules:\n"
        "  - {type: unique, columns: [id]}\n"
        "  - {type: range, column: price, min: 0, critical: false}\n"
        "  - {type: regex, column: code, pattern: '^[A-Z][0-9]$'}\n"
        "  - {type: row_count, min: 1, max: 10}\n"
    )
    code = main(_check(lakehouse, "--suite", str(suite), "--table", "bronze.items", "--json"))
    captured = capsys.readouterr()
    result = json.loads(captured.out)
    assert code == 1
    assert [o["passed"] for o in result["outcomes"]] == [False, False, False, True]
    assert result["outcomes"][0]["message"].startswith("2 of 4 rows failed")
    assert "2 critical rule(s) failed" in captured.err

    # the same suite minus its critical failures only warns
    suite.write_text("suite: items\nrules:\n  - {type: range, column: price, min: 0, critical: false}\n")
    assert main(_check(lakehouse, "--suite", str(suite), "--table", "bronze.items")) == 0


def test_unknown_table_and_column_are_clear_errors(
    lakehouse: Lakehouse, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    suite = tmp_path / "s.yml"
    suite.write_text("suite: s\nrules:\n  - {type: not_null, column: nope}\n")
    with pytest.raises(SystemExit) as exited:
        main(_check(lakehouse, "--suite", str(suite), "--table", "bronze.missing"))
    assert exited.value.code == 2
    assert "table bronze.missing does not exist" in capsys.readouterr().err

    lakehouse.spark.sql("create namespace if not exists bronze")
    lakehouse.spark.sql("create table bronze.t (id int) using iceberg")
    with pytest.raises(SystemExit) as exited:
        main(_check(lakehouse, "--suite", str(suite), "--table", "bronze.t"))
    assert exited.value.code == 2
    assert "unknown column(s) nope; available: id" in capsys.readouterr().err
