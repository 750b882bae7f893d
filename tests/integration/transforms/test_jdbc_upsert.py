"""``jdbc_upsert`` against real PostgreSQL, MariaDB and SQLite: inserts and updates in one transaction, the
staging table always dropped, and every bad input refused before the target changes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa

from glueforge.errors import InputError, SourceError
from transforms.jdbc_upsert import upsert

SCHEMA = "id INT, name STRING, amount DECIMAL(10,2), updated_at TIMESTAMP"


@pytest.fixture(params=["postgres_db", "mariadb_db", "sqlite_db"])
def db(request: pytest.FixtureRequest) -> Any:
    return request.getfixturevalue(request.param)


@pytest.fixture
def engine(db: Any) -> Iterator[sa.Engine]:
    engine = sa.create_engine(db.sqlalchemy_url)
    yield engine
    engine.dispose()


def login(db: Any) -> dict[str, Any]:
    return {"url": db.jdbc_url, **({"user": db.user} if db.user else {})}


def rows(engine: sa.Engine, table: str) -> list[tuple[Any, ...]]:
    with engine.connect() as conn:
        result = conn.execute(sa.text(f"SELECT id, name, amount FROM {table} ORDER BY id"))
        return [(r[0], r[1], Decimal(str(r[2])) if r[2] is not None else None) for r in result]


def staging_tables(engine: sa.Engine) -> list[str]:
    return [t for t in sa.inspect(engine).get_table_names() if t.startswith("gf_stage_")]


def create_customers(engine: sa.Engine, table: str, key: str = "PRIMARY KEY (id)") -> None:
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                f"CREATE TABLE {table} (id INT NOT NULL, name VARCHAR(40) NOT NULL, amount DECIMAL(10,2), "
                f"updated_at TIMESTAMP NULL, {key})"
            )
        )
        conn.execute(
            sa.text(f"INSERT INTO {table} (id, name, amount) VALUES (1, 'a', 1.00), (2, 'b', 2.00), (3, 'c', 3.00)")
        )


def test_new_keys_are_inserted_and_existing_ones_updated(spark: Any, db: Any, engine: sa.Engine) -> None:
    table = db.unique_table("cust")
    create_customers(engine, table)
    at = datetime(2026, 11, 28, 6, 0)
    batch = spark.createDataFrame(
        [(2, "b2", Decimal("20.50"), at), (3, "c2", None, at), (4, "d", Decimal("4.00"), at), (5, "e", None, at)],
        SCHEMA,
    )
    summary = upsert(batch, table=table, primary_keys="id", **login(db))
    assert (summary.rows, summary.inserted, summary.updated) == (4, 2, 2) and summary.affected >= 4
    assert rows(engine, table) == [
        (1, "a", Decimal("1.00")),  # not in the batch: untouched
        (2, "b2", Decimal("20.50")),
        (3, "c2", None),
        (4, "d", Decimal("4.00")),
        (5, "e", None),
    ]
    assert staging_tables(engine) == []
    again = upsert(batch, table=table, primary_keys="id", **login(db))  # a re-run changes nothing
    assert (again.rows, again.inserted, again.updated) == (4, 0, 4) and len(rows(engine, table)) == 5


def test_a_unique_index_on_several_columns_is_a_key(spark: Any, postgres_db: Any) -> None:
    engine = sa.create_engine(postgres_db.sqlalchemy_url)
    table = postgres_db.unique_table("pair")
    with engine.begin() as conn:
        conn.execute(sa.text(f"CREATE TABLE {table} (a INT, b INT, v TEXT)"))
        conn.execute(sa.text(f"CREATE UNIQUE INDEX ON {table} (a, b)"))
        conn.execute(sa.text(f"INSERT INTO {table} VALUES (1, 1, 'x'), (1, 2, 'y')"))
    batch = spark.createDataFrame([(1, 2, "y2"), (2, 1, "z")], "a INT, b INT, v STRING")
    upsert(batch, table=table, primary_keys="a, b", url=postgres_db.jdbc_url, user=postgres_db.user)
    with engine.connect() as conn:
        found = conn.execute(sa.text(f"SELECT a, b, v FROM {table} ORDER BY a, b")).fetchall()
    engine.dispose()
    assert [tuple(r) for r in found] == [(1, 1, "x"), (1, 2, "y2"), (2, 1, "z")]


def test_input_columns_match_the_target_case_blind(spark: Any, db: Any, engine: sa.Engine) -> None:
    table = db.unique_table("cust")
    create_customers(engine, table)
    batch = spark.createDataFrame(
        [(2, "B", Decimal("5.00")), (7, "G", None)], "ID INT, Name STRING, AMOUNT DECIMAL(10,2)"
    )
    upsert(batch, table=table, primary_keys="Id", **login(db))
    assert rows(engine, table)[1:] == [(2, "B", Decimal("5.00")), (3, "c", Decimal("3.00")), (7, "G", None)]


def test_a_row_the_database_refuses_changes_nothing(spark: Any, db: Any, engine: sa.Engine) -> None:
    table = db.unique_table("cust")
    create_customers(engine, table)
    batch = spark.createDataFrame([(1, "a2", None, None), (9, None, None, None)], SCHEMA)  # name is NOT NULL
    with pytest.raises(SourceError) as raised:
        upsert(batch, table=table, primary_keys="id", **login(db))
    assert "jdbc_upsert into" in str(raised.value)
    assert rows(engine, table)[0] == (1, "a", Decimal("1.00"))  # the update of key 1 was rolled back too
    assert len(rows(engine, table)) == 3
    assert staging_tables(engine) == []


def test_two_rows_with_one_key_are_refused(spark: Any, db: Any, engine: sa.Engine) -> None:
    table = db.unique_table("cust")
    create_customers(engine, table)
    batch = spark.createDataFrame([(2, "x", None, None), (2, "y", None, None)], SCHEMA)
    with pytest.raises(InputError, match=r"more than one row for key \(id\) = 2"):
        upsert(batch, table=table, primary_keys="id", **login(db))
    assert rows(engine, table)[1] == (2, "b", Decimal("2.00"))
    assert staging_tables(engine) == []


def test_a_target_without_a_unique_key_on_the_keys_is_refused(spark: Any, db: Any, engine: sa.Engine) -> None:
    # MySQL/MariaDB would otherwise insert every row: ON DUPLICATE KEY needs a unique key to collide with
    table = db.unique_table("cust")
    create_customers(engine, table, key="CHECK (id > 0)")
    batch = spark.createDataFrame([(2, "x", None, None)], SCHEMA)
    with pytest.raises(InputError, match=r"no primary key or unique index on exactly \(id\)"):
        upsert(batch, table=table, primary_keys="id", **login(db))
    assert len(rows(engine, table)) == 3


def test_columns_the_target_lacks_and_keys_the_batch_lacks_are_named(spark: Any, sqlite_db: Any) -> None:
    engine = sa.create_engine(sqlite_db.sqlalchemy_url)
    table = sqlite_db.unique_table("cust")
    create_customers(engine, table)
    engine.dispose()
    extra = spark.createDataFrame([(1, "a", "x")], "id INT, name STRING, colour STRING")
    with pytest.raises(InputError, match="the target has no column 'colour'"):
        upsert(extra, table=table, primary_keys="id", url=sqlite_db.jdbc_url)
    keyless = spark.createDataFrame([("a",)], "name STRING")
    with pytest.raises(InputError, match="the batch has no key column 'id'"):
        upsert(keyless, table=table, primary_keys="id", url=sqlite_db.jdbc_url)


def test_an_unknown_table_and_bad_options_are_clear_errors(spark: Any, sqlite_db: Any) -> None:
    batch = spark.createDataFrame([(1, "a", None, None)], SCHEMA)
    with pytest.raises(Exception, match="unknown table"):
        upsert(batch, table="no_such_table", primary_keys="id", url=sqlite_db.jdbc_url)
    with pytest.raises(InputError, match="primary_keys"):
        upsert(batch, table="t", primary_keys="", url=sqlite_db.jdbc_url)
    with pytest.raises(InputError, match="not a valid table"):
        upsert(batch, table="t; DROP TABLE x", primary_keys="id", url=sqlite_db.jdbc_url)
    with pytest.raises(InputError, match="url"):
        upsert(batch, table="t", primary_keys="id")


def test_the_glue_binding_upserts_and_returns_its_input(spark: Any, sqlite_db: Any) -> None:
    from glueforge.glue_runtime import install_local_awsglue

    install_local_awsglue()
    from awsglue.context import GlueContext
    from awsglue.dynamicframe import DynamicFrame

    import transforms.jdbc_upsert.jdbc_upsert  # noqa: F401  (adds DynamicFrame.jdbc_upsert, as Glue Studio does)

    engine = sa.create_engine(sqlite_db.sqlalchemy_url)
    table = sqlite_db.unique_table("cust")
    create_customers(engine, table)
    glue_context = GlueContext(spark.sparkContext)
    frame = DynamicFrame.fromDF(spark.createDataFrame([(3, "c3", None, None)], SCHEMA), glue_context, "in")
    out = frame.jdbc_upsert(table=table, primary_keys="id", url=sqlite_db.jdbc_url, write_partitions="1")
    assert out.count() == 1
    assert rows(engine, table)[2] == (3, "c3", None)
    engine.dispose()


def test_a_larger_batch_in_several_partitions(spark: Any, db: Any, engine: sa.Engine) -> None:
    table = db.unique_table("cust")
    create_customers(engine, table)
    batch = spark.range(1, 3001).selectExpr(
        "CAST(id AS INT) AS id", "concat('n', id) AS name", "CAST(id / 100 AS DECIMAL(10,2)) AS amount",
        "CAST(NULL AS TIMESTAMP) AS updated_at",
    ).repartition(4)  # fmt: skip
    summary = upsert(batch, table=table, primary_keys="id", write_partitions=4, **login(db))
    assert (summary.rows, summary.inserted, summary.updated) == (3000, 2997, 3)
    found = rows(engine, table)
    assert (
        len(found) == 3000 and found[0] == (1, "n1", Decimal("0.01")) and found[-1] == (3000, "n3000", Decimal("30.00"))
    )
    assert staging_tables(engine) == []


def test_staging_tables_a_killed_run_left_are_dropped_by_the_next_upsert_after_a_day(
    spark: Any, db: Any, engine: sa.Engine
) -> None:
    import time

    from transforms.jdbc_upsert.upsert import STALE_AFTER_SECONDS, staging_name

    table = db.unique_table("killed")
    create_customers(engine, table)
    left = staging_name(table, now=time.time() - STALE_AFTER_SECONDS - 60)  # a run killed over a day ago
    running = staging_name(table, now=time.time() - 60)  # a run that may still be going
    other = staging_name(db.unique_table("other"), now=time.time() - 2 * STALE_AFTER_SECONDS)  # another target's
    with engine.begin() as conn:
        for name in (left, running, other):
            conn.execute(sa.text(f"CREATE TABLE {name} (id INT)"))
    batch = spark.createDataFrame([(1, "a2", Decimal("1.50"), None)], SCHEMA)
    summary = upsert(batch, table=table, primary_keys="id", **login(db))
    assert summary.stale_staging_dropped == (left,) and (summary.rows, summary.updated) == (1, 1)
    assert sorted(staging_tables(engine)) == sorted([running, other])
    with engine.begin() as conn:  # leave no tables of ours behind
        for name in (running, other):
            conn.execute(sa.text(f"DROP TABLE {name}"))
