"""The bound query of a first load counts only as far as the count matters (it sizes the parallel reads), on
real PostgreSQL, MariaDB and SQLite; with a watermark it counts the window exactly."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from transforms.incremental_jdbc_ingest import parse_options
from transforms.incremental_jdbc_ingest.connection import resolve_source
from transforms.incremental_jdbc_ingest.reader import JdbcReader, partition_key

ROWS = 40


@pytest.fixture(params=["postgres", "mariadb", "sqlite"])
def database(request: pytest.FixtureRequest) -> Any:
    return request.getfixturevalue(f"{request.param}_db" if request.param != "postgres" else "postgres_db")


def _events(db: Any) -> str:
    table = db.unique_table("capped")
    engine = sa.create_engine(db.sqlalchemy_url)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text(f"CREATE TABLE {table} (id bigint PRIMARY KEY, note varchar(20), version bigint)"))
            conn.execute(
                sa.text(f"INSERT INTO {table} VALUES (:id, :note, :version)"),
                [{"id": i, "note": f"n{i}", "version": 1 + i % 28} for i in range(1, ROWS + 1)],
            )
    finally:
        engine.dispose()
    return table


def _reader(spark: Any, db: Any, table: str) -> JdbcReader:
    options = parse_options(
        {
            "url": db.jdbc_url,
            "user": db.user,
            "table": table,
            "cursor_column": "version",
            "primary_keys": "id",
            "target_table": "bronze.capped",
        }
    )
    return JdbcReader(spark, resolve_source(options), options)


def test_first_load_count_stops_at_the_cap_and_a_window_count_is_exact(
    database: Any, lakehouse: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    table = _events(database)
    reader = _reader(lakehouse.spark, database, table)
    with reader.session():
        shape = reader.probe()
        exact = reader.bounds(shape, None)  # below the real cap: every row counted
        monkeypatch.setattr(JdbcReader, "count_cap", lambda self: 7)
        capped = reader.bounds(shape, None)
        window = reader.bounds(shape, 20)
    assert exact.rows == ROWS
    assert capped.rows == 7
    # min/max of the cursor and of the key are exact either way
    for bounds in (exact, capped):
        assert (bounds.lowest, bounds.upper) == (1, 28)
        keyed = partition_key(shape) is not None  # SQLite's bigint reads as a decimal: no integer key range
        assert (bounds.key_lowest, bounds.key_highest) == ((1, ROWS) if keyed else (None, None))
    assert window.rows == sum(1 for i in range(1, ROWS + 1) if 1 + i % 28 >= 20)  # a watermark: no cap


def test_cap_covers_every_choice_the_count_makes(lakehouse: Any, postgres_db: Any) -> None:
    reader = _reader(lakehouse.spark, postgres_db, "any_table")
    cap = reader.count_cap()
    assert reader.partition_count(cap) == reader.partition_count(10**12)
    assert cap > reader.options.direct_read_max_rows
