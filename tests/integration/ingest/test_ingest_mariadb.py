"""Incremental ingest against a real MariaDB (jdbc:mysql: URLs): merge, soft deletes, hash partitions, logins."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from glueforge.errors import SourceError

COLUMNS = ["id", "name", "is_deleted", "updated_at"]


def test_mariadb_merge_soft_delete_and_hash_partitions(
    maria_source: Any,
    mariadb_db: Any,
    run_ingest: Callable[..., Any],
    same_rows: Callable[..., None],
    lakehouse: Any,
) -> None:
    table = mariadb_db.unique_table("cust")
    maria_source.run(
        f"CREATE TABLE {table} (id INT PRIMARY KEY, name VARCHAR(40), is_deleted BOOLEAN NOT NULL DEFAULT 0, "
        f"updated_at DATETIME(6))"
    )
    for i in range(1, 11):
        maria_source.run(
            f"INSERT INTO {table} VALUES (:id, :name, 0, TIMESTAMP '2026-01-01 00:00:00' + INTERVAL :m MINUTE)",
            id=i,
            name=f"c{i}",
            m=min(i, 9),
        )
    target = "bronze.maria_cust"
    params = {
        "table": table,
        "cursor_column": "updated_at",
        "primary_keys": "id",
        "target_table": target,
        "delete_handling": "soft_delete",
        "soft_delete_column": "is_deleted",
        "hashfield": "id",
        "partitions": 2,
    }
    first = run_ingest(mariadb_db, **params).summary
    assert (first.inserted, first.partitions, first.watermark_after) == (10, 2, "2026-01-01T00:09:00.000000+00:00")
    same_rows(maria_source, f"SELECT {', '.join(COLUMNS)} FROM {table}", target, COLUMNS)

    maria_source.run(
        f"UPDATE {table} SET is_deleted = 1, updated_at = TIMESTAMP '2026-01-02 00:00:00' WHERE id IN (3, 4)",
        f"UPDATE {table} SET name = 'renamed', updated_at = TIMESTAMP '2026-01-02 00:00:00' WHERE id = 5",
        f"INSERT INTO {table} VALUES (11, 'c11', 0, TIMESTAMP '2026-01-01 00:09:00')",  # late tie at the watermark
        f"INSERT INTO {table} VALUES (12, 'gone', 1, TIMESTAMP '2026-01-02 00:00:00')",  # deleted before seen
    )
    second = run_ingest(mariadb_db, **params).summary
    assert (second.deleted, second.updated, second.inserted) == (2, 1, 1)
    same_rows(maria_source, f"SELECT {', '.join(COLUMNS)} FROM {table} WHERE NOT is_deleted", target, COLUMNS)


def test_mariadb_wrong_password_is_a_clear_error(
    mariadb_db: Any, run_ingest: Callable[..., Any], monkeypatch: pytest.MonkeyPatch, lakehouse: Any
) -> None:
    monkeypatch.setenv("GF_TEST_MARIA_PASSWORD", "definitely-wrong-pw")
    with pytest.raises(SourceError, match="login refused") as info:
        run_ingest(
            mariadb_db,
            table="anything",
            cursor_column="u",
            primary_keys="id",
            target_table="bronze.maria_pw",
            password_env="GF_TEST_MARIA_PASSWORD",
        )
    assert "definitely-wrong-pw" not in str(info.value)
    assert not lakehouse.spark.catalog.tableExists("bronze.maria_pw")
