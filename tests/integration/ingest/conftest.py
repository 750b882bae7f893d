"""Helpers for the ingest integration tests: run a batch, read source and target, compare row for row."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa

from transforms.incremental_jdbc_ingest import IngestResult, ingest

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def normalise(value: Any) -> Any:
    """Comparable form: instants as epoch microseconds (naive = UTC), numbers as Decimal."""
    if isinstance(value, datetime):
        aware = value.replace(tzinfo=UTC) if value.tzinfo is None else value
        delta = aware - EPOCH
        return (delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int | float | Decimal):
        return Decimal(str(value)).normalize()
    return value


def make_events(source: Source, table: str, count: int, amount_factor: float = 1.5) -> None:
    """``id`` 1..count, ``updated_at`` one minute apart from 2026-01-01 00:01 UTC (a PostgreSQL source)."""
    source.run(f"CREATE TABLE {table} (id bigint PRIMARY KEY, amount numeric(10,2), note text, updated_at timestamptz)")
    source.run(
        f"INSERT INTO {table} SELECT g, g * {amount_factor}, 'n' || g, "
        f"TIMESTAMPTZ '2026-01-01 00:00:00+00' + g * interval '1 minute' FROM generate_series(1, {count}) g"
    )


class Source:
    def __init__(self, db: Any) -> None:
        self.db = db
        self.engine = sa.create_engine(db.sqlalchemy_url)

    def run(self, *statements: str, **params: Any) -> None:
        with self.engine.begin() as conn:
            for statement in statements:
                conn.execute(sa.text(statement), params)

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        with self.engine.connect() as conn:
            return [tuple(normalise(v) for v in row) for row in conn.execute(sa.text(sql))]


def target_rows(spark: Any, table: str, columns: list[str]) -> list[tuple[Any, ...]]:
    from pyspark.sql import functions as F

    df = spark.table(table)
    exprs = []
    for name in columns:
        kind = df.schema[name].dataType.typeName()
        exprs.append(F.unix_micros(F.col(name)).alias(name) if kind.startswith("timestamp") else F.col(name))
    return [tuple(normalise(v) for v in row) for row in df.select(*exprs).collect()]


def assert_same_rows(source: Source, source_sql: str, spark: Any, target: str, columns: list[str]) -> None:
    expected = sorted(source.rows(source_sql), key=repr)
    actual = sorted(target_rows(spark, target, columns), key=repr)
    assert actual == expected


@pytest.fixture
def same_rows(lakehouse: Any) -> Callable[..., None]:
    """``same_rows(source, source_sql, target, columns)``: source and target hold exactly the same rows."""

    def check(source: Source, source_sql: str, target: str, columns: list[str]) -> None:
        assert_same_rows(source, source_sql, lakehouse.spark, target, columns)

    return check


@pytest.fixture
def run_ingest(lakehouse: Any) -> Callable[..., IngestResult]:
    def run(db: Any, **params: Any) -> IngestResult:
        base = {"url": db.jdbc_url, "user": db.user}
        result = ingest(lakehouse.spark, **{k: v for k, v in {**base, **params}.items() if v is not None})
        return result

    return run


@pytest.fixture
def pg_source(postgres_db: Any) -> Iterator[Source]:
    source = Source(postgres_db)
    yield source
    source.engine.dispose()


@pytest.fixture
def maria_source(mariadb_db: Any) -> Iterator[Source]:
    source = Source(mariadb_db)
    yield source
    source.engine.dispose()
