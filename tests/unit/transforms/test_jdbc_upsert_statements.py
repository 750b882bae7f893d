"""``jdbc_upsert``'s statements per dialect, its staging names and its options (no database needed: the
PostgreSQL, MariaDB and SQLite forms also run for real in the integration tests)."""

from __future__ import annotations

import re

import pytest

from glueforge.errors import InputError
from transforms.incremental_jdbc_ingest.dialects import DIALECTS
from transforms.jdbc_upsert.options import parse_options
from transforms.jdbc_upsert.statements import drop_statement, new_keys_statement, upsert_statement
from transforms.jdbc_upsert.upsert import MAX_NAME, staging_name

COLUMNS = ["id", "day", "amount"]
KEYS = ("id", "day")


def sql(dialect: str, columns: list[str] = COLUMNS, keys: tuple[str, ...] = KEYS) -> str:
    return upsert_statement(DIALECTS[dialect], "sales.totals", "sales.gf_stage_totals_0a1b", columns, keys)


def test_postgresql_updates_every_non_key_column_on_conflict() -> None:
    assert sql("postgresql") == (
        'INSERT INTO "sales"."totals" ("id", "day", "amount") SELECT "id", "day", "amount" FROM '
        'sales.gf_stage_totals_0a1b ON CONFLICT ("id", "day") DO UPDATE SET "amount" = EXCLUDED."amount"'
    )


def test_only_key_columns_insert_missing_keys_and_change_nothing() -> None:
    assert sql("postgresql", ["id", "day"]).endswith('ON CONFLICT ("id", "day") DO NOTHING')
    assert sql("sqlite", ["id", "day"]).endswith('ON CONFLICT ("id", "day") DO NOTHING')
    assert sql("mysql", ["id", "day"]).endswith("ON DUPLICATE KEY UPDATE `id` = `id`")
    assert "WHEN MATCHED" not in sql("oracle", ["id", "day"])


def test_mysql_and_mariadb_use_on_duplicate_key_with_backticks() -> None:
    for dialect in ("mysql", "mariadb"):
        assert sql(dialect) == (
            "INSERT INTO `sales`.`totals` (`id`, `day`, `amount`) SELECT `id`, `day`, `amount` FROM "
            "sales.gf_stage_totals_0a1b ON DUPLICATE KEY UPDATE `amount` = VALUES(`amount`)"
        )


def test_sqlite_needs_a_where_before_on_conflict() -> None:
    assert 'FROM sales.gf_stage_totals_0a1b WHERE true ON CONFLICT ("id", "day")' in sql("sqlite")
    assert sql("sqlite").endswith('DO UPDATE SET "amount" = EXCLUDED."amount"')


@pytest.mark.parametrize("dialect", ["oracle", "sqlserver", "saphana", "redshift", "ansi"])
def test_other_databases_merge_on_the_keys(dialect: str) -> None:
    d = DIALECTS.get(dialect)
    if d is None:  # the ANSI base dialect is not registered by name
        from transforms.incremental_jdbc_ingest.dialects import Dialect

        d = Dialect()
    text = upsert_statement(d, "sales.totals", "sales.gf_stage_totals_0a1b", COLUMNS, KEYS)
    q = d.quote
    assert text.startswith(f"MERGE INTO {q('sales')}.{q('totals')} gf_t USING sales.gf_stage_totals_0a1b gf_s ON (")
    assert f"gf_t.{q('id')} = gf_s.{q('id')} AND gf_t.{q('day')} = gf_s.{q('day')}" in text
    assert f"WHEN MATCHED THEN UPDATE SET {q('amount')} = gf_s.{q('amount')}" in text
    assert f"WHEN NOT MATCHED THEN INSERT ({q('id')}, {q('day')}, {q('amount')}) VALUES (gf_s.{q('id')}, " in text
    assert " AS " not in text  # Oracle refuses AS before a table alias
    assert text.endswith(";") == (dialect == "sqlserver")  # SQL Server requires MERGE to be terminated


def test_identifiers_are_validated_before_any_sql_is_built() -> None:
    with pytest.raises(InputError, match="not a valid"):
        sql("postgresql", ["id", 'amount"; DROP TABLE x; --'])
    with pytest.raises(InputError, match="staging table"):
        upsert_statement(DIALECTS["postgresql"], "t", "s; DROP TABLE t", COLUMNS, KEYS)


def test_the_new_keys_count_is_an_anti_join_on_the_keys() -> None:
    text = new_keys_statement(DIALECTS["mysql"], "sales.totals", "sales.gf_stage_totals_0a1b", KEYS)
    assert text == (
        "SELECT COUNT(*) FROM sales.gf_stage_totals_0a1b gf_s WHERE NOT EXISTS (SELECT 1 FROM `sales`.`totals` gf_t "
        "WHERE gf_t.`id` = gf_s.`id` AND gf_t.`day` = gf_s.`day`)"
    )


def test_drop_uses_if_exists_where_the_database_has_it() -> None:
    assert drop_statement(DIALECTS["postgresql"], "s.gf_stage_t_1") == "DROP TABLE IF EXISTS s.gf_stage_t_1"
    assert drop_statement(DIALECTS["mariadb"], "gf_stage_t_1") == "DROP TABLE IF EXISTS gf_stage_t_1"
    assert drop_statement(DIALECTS["oracle"], "gf_stage_t_1") == "DROP TABLE gf_stage_t_1"


def test_staging_names_are_fresh_lower_case_short_enough_and_dated() -> None:
    name = staging_name("Sales.Customer_Totals", now=0x6A1B2C3D)
    assert re.fullmatch(r"Sales\.gf_stage_customer_totals_6a1b2c3d[0-9a-f]{8}", name)  # created, then random
    assert staging_name("t") != staging_name("t")
    assert len(staging_name("x" * 120)) <= MAX_NAME


def test_options_split_keys_and_name_what_is_wrong() -> None:
    options = parse_options({"table": "t", "primary_keys": " id , day ", "url": "jdbc:sqlite:x.db"})
    assert options.primary_keys == ("id", "day") and options.write_partitions == 4
    given_as_text = parse_options({"table": "t", "primary_keys": "id", "url": "u", "write_partitions": "2"})
    assert given_as_text.write_partitions == 2
    with pytest.raises(InputError) as missing_login:
        parse_options({"table": "t", "primary_keys": "id"})
    assert "connection_name" in str(missing_login.value)
    with pytest.raises(InputError) as bad_key:
        parse_options({"table": "t", "primary_keys": "id, 2x", "url": "u"})
    assert "'2x' is not a valid primary key" in str(bad_key.value)
    with pytest.raises(InputError):
        parse_options({"table": "t", "primary_keys": "id", "url": "u", "password": "secret"})  # never a value
