"""``check_sources``: a dbt command on a lakehouse without the project's sources fails early, naming each one."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from glueforge.dbt_runner import check_sources
from glueforge.errors import NotFoundError

if TYPE_CHECKING:
    from conftest import Lakehouse

PROJECT = Path(__file__).resolve().parents[3] / "dbt_project"


def test_missing_sources_are_named_until_each_exists(lakehouse: Lakehouse) -> None:
    spark = lakehouse.spark
    with pytest.raises(NotFoundError) as missing_all:
        check_sources(spark, PROJECT)
    message = str(missing_all.value)
    for table in ("bronze.orders", "bronze.customers_masked", "nyctaxi.records"):
        assert table in message
    assert repr(lakehouse.catalog) in message

    spark.sql("CREATE TABLE bronze.orders (id bigint) USING iceberg")
    spark.sql("CREATE TABLE bronze.customers_masked (id bigint) USING iceberg")
    with pytest.raises(NotFoundError) as missing_one:
        check_sources(spark, PROJECT)
    assert "nyctaxi.records" in str(missing_one.value)
    assert "bronze.orders" not in str(missing_one.value)

    spark.sql("CREATE TABLE nyctaxi.records (id bigint) USING iceberg")
    check_sources(spark, PROJECT)  # every source exists: no error
