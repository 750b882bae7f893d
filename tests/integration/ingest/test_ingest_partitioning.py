"""Parallel window reads split on the integer primary key, so a skewed cursor does not leave one read with
every row (PostgreSQL; the bound query both on a plain connection and as the Spark fallback)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.ingest.conftest import Source
from transforms.incremental_jdbc_ingest import parse_options
from transforms.incremental_jdbc_ingest import reader as reader_module
from transforms.incremental_jdbc_ingest.connection import resolve_source
from transforms.incremental_jdbc_ingest.reader import JdbcReader, ReadWindow, partition_key


def _skewed(source: Source, table: str, key_type: str) -> None:
    """40 rows: 39 share one cursor value (a backfill), one changed later."""
    key = "g" if key_type == "bigint" else "lpad(g::text, 3, '0')"
    source.run(
        f"CREATE TABLE {table} (id {key_type} PRIMARY KEY, note text, updated_at timestamptz)",
        f"INSERT INTO {table} SELECT {key}, 'n' || g, TIMESTAMPTZ '2026-01-01 00:00:00+00' "
        "FROM generate_series(1, 39) g",
        f"INSERT INTO {table} SELECT {key}, 'late', TIMESTAMPTZ '2026-06-01 00:00:00+00' FROM (SELECT 40 AS g) s",
    )


def _rows_per_read(spark: Any, postgres_db: Any, table: str) -> tuple[str | None, list[int]]:
    options = parse_options(
        {
            "url": postgres_db.jdbc_url,
            "user": postgres_db.user,
            "table": table,
            "cursor_column": "updated_at",
            "primary_keys": "id",
            "target_table": "bronze.partitioned",
            "partitions": 2,
        }
    )
    reader = JdbcReader(spark, resolve_source(options), options)
    with reader.session():
        shape = reader.probe()
        bounds = reader.bounds(shape, None)
        frame, partitions = reader.read_window(shape, ReadWindow(None, bounds.upper, False), bounds)
    assert partitions == 2
    return partition_key(shape), frame.rdd.glom().map(len).collect()


@pytest.mark.parametrize("fallback", [False, True], ids=["plain-connection", "spark-bound-query"])
def test_integer_key_splits_a_skewed_window_evenly(
    fallback: bool, pg_source: Source, postgres_db: Any, lakehouse: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    table = postgres_db.unique_table("skewed")
    _skewed(pg_source, table, "bigint")
    if fallback:

        def no_driver(self: Any) -> Any:
            raise reader_module._NoDriver

        monkeypatch.setattr(JdbcReader, "_connection", no_driver)
    key, counts = _rows_per_read(lakehouse.spark, postgres_db, table)
    assert key == "id"
    assert sum(counts) == 40 and len(counts) == 2
    assert min(counts) >= 15, counts  # split on the cursor, one read would hold 39 rows


def test_text_key_falls_back_to_cursor_ranges_and_reads_every_row(
    pg_source: Source, postgres_db: Any, lakehouse: Any
) -> None:
    table = postgres_db.unique_table("skewed_text")
    _skewed(pg_source, table, "text")
    key, counts = _rows_per_read(lakehouse.spark, postgres_db, table)
    assert key is None
    assert sorted(counts) == [1, 39]  # the cursor's ranges: what the skew does without an integer key
