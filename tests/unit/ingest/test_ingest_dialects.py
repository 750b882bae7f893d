"""SQL generation per dialect: quoting, typed literals, database time, hash buckets, URL detection."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from glueforge.errors import InputError
from transforms.incremental_jdbc_ingest.dialects import DIALECTS, dialect_for, redact_url

TS = datetime(2026, 3, 4, 5, 6, 7, 890123, tzinfo=UTC)

EXPECTED_TIMESTAMP = {
    "postgresql": "TIMESTAMP '2026-03-04 05:06:07.890123'",
    "redshift": "TIMESTAMP '2026-03-04 05:06:07.890123'",
    "mysql": "TIMESTAMP '2026-03-04 05:06:07.890123'",
    "mariadb": "TIMESTAMP '2026-03-04 05:06:07.890123'",
    "oracle": "TIMESTAMP '2026-03-04 05:06:07.890123'",
    "sqlserver": "CAST('2026-03-04 05:06:07.890123' AS DATETIME2(7))",
    "saphana": "TO_TIMESTAMP('2026-03-04 05:06:07.890123', 'YYYY-MM-DD HH24:MI:SS.FF6')",
    "sqlite": "'2026-03-04 05:06:07.890123'",
}
EXPECTED_QUOTE = {
    "postgresql": '"Order"."updated_at"',
    "redshift": '"Order"."updated_at"',
    "mysql": "`Order`.`updated_at`",
    "mariadb": "`Order`.`updated_at`",
    "oracle": '"Order"."updated_at"',
    "sqlserver": "[Order].[updated_at]",
    "saphana": '"Order"."updated_at"',
    "sqlite": '"Order"."updated_at"',
}


def test_every_supported_database_has_a_dialect() -> None:
    assert set(DIALECTS) == set(EXPECTED_TIMESTAMP)


@pytest.mark.parametrize("name", sorted(EXPECTED_TIMESTAMP))
def test_timestamp_literal_is_typed_and_in_utc(name: str) -> None:
    dialect = DIALECTS[name]
    assert dialect.literal(TS) == EXPECTED_TIMESTAMP[name]
    # the same instant given in another zone renders identically (no local-time drift)
    shifted = TS.astimezone(timezone(timedelta(hours=-5)))
    assert dialect.literal(shifted) == EXPECTED_TIMESTAMP[name]


@pytest.mark.parametrize("name", sorted(EXPECTED_QUOTE))
def test_table_quoting(name: str) -> None:
    assert DIALECTS[name].quote_table("Order.updated_at") == EXPECTED_QUOTE[name]


@pytest.mark.parametrize("name", sorted(DIALECTS))
@pytest.mark.parametrize(
    "evil", ['x"; DROP TABLE t; --', "a b", "t`", "[x]", "1abc", "", "a.b.c.d", "x'--", "name\u00e9"]
)
def test_injection_attempts_in_identifiers_are_refused(name: str, evil: str) -> None:
    with pytest.raises(InputError):
        DIALECTS[name].quote_table(evil)


@pytest.mark.parametrize("name", sorted(DIALECTS))
def test_number_and_date_literals(name: str) -> None:
    dialect = DIALECTS[name]
    assert dialect.literal(42) == "42"
    assert dialect.literal(Decimal("-1.50")) == "-1.50"
    expected_date = {"sqlserver": "CAST('2026-03-04' AS DATE)", "sqlite": "'2026-03-04'"}.get(name, "DATE '2026-03-04'")
    assert dialect.literal(date(2026, 3, 4)) == expected_date
    with pytest.raises(InputError):
        dialect.number_literal("1; DROP TABLE x")  # type: ignore[arg-type]


def test_sqlite_literal_matches_stored_text_shape() -> None:
    sqlite = DIALECTS["sqlite"]
    assert sqlite.literal(datetime(2026, 1, 1, 0, 1, tzinfo=UTC)) == "'2026-01-01 00:01:00'"
    assert sqlite.literal(datetime(2026, 1, 1, 0, 1, 0, 120000, tzinfo=UTC)) == "'2026-01-01 00:01:00.12'"


def test_database_time_and_dual() -> None:
    assert DIALECTS["oracle"].select_now_sql() == "SELECT SYS_EXTRACT_UTC(SYSTIMESTAMP) AS gf_now FROM DUAL"
    assert DIALECTS["saphana"].select_now_sql() == "SELECT CURRENT_UTCTIMESTAMP AS gf_now FROM DUMMY"
    assert DIALECTS["sqlserver"].select_now_sql() == "SELECT SYSUTCDATETIME() AS gf_now"
    assert DIALECTS["mysql"].now_utc() == "UTC_TIMESTAMP(6)"
    assert "UTC" in DIALECTS["postgresql"].now_utc()


def test_hash_buckets() -> None:
    assert DIALECTS["postgresql"].hash_bucket('"k"', 4) == 'MOD(ABS(HASHTEXT(CAST("k" AS TEXT))), 4)'
    assert DIALECTS["mysql"].hash_bucket("`k`", 4) == "MOD(CRC32(`k`), 4)"
    assert DIALECTS["oracle"].hash_bucket('"K"', 4) == 'ORA_HASH("K", 3)'
    assert DIALECTS["sqlserver"].hash_bucket("[k]", 4) == "(ABS(CAST(CHECKSUM([k]) AS BIGINT)) % 4)"
    assert DIALECTS["sqlite"].hash_bucket('"k"', 3) == '(ABS("k") % 3)'


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("jdbc:postgresql://h:5432/db", "postgresql"),
        ("jdbc:mysql://h:3306/db", "mysql"),
        ("jdbc:mariadb://h:3306/db", "mariadb"),
        ("jdbc:oracle:thin:@h:1521/svc", "oracle"),
        ("jdbc:sqlserver://h:1433;databaseName=db", "sqlserver"),
        ("jdbc:sap://h:30015", "saphana"),
        ("jdbc:redshift://h:5439/db", "redshift"),
        ("jdbc:sqlite:/tmp/x.db", "sqlite"),
    ],
)
def test_dialect_from_url(url: str, name: str) -> None:
    assert dialect_for(url).name == name


def test_database_type_overrides_and_unknowns() -> None:
    assert dialect_for("jdbc:mysql://h/db", "mariadb").name == "mariadb"
    with pytest.raises(InputError, match="unknown database type"):
        dialect_for("jdbc:mysql://h/db", "db2")
    with pytest.raises(InputError, match="cannot tell"):
        dialect_for("jdbc:db2://h/db?password=hunter2")


def test_redact_url_hides_passwords() -> None:
    assert "hunter2" not in redact_url("jdbc:mysql://h/db?user=a&password=hunter2")
    assert "hunter2" not in redact_url("jdbc:sqlserver://h;user=a;password=hunter2")
    assert "hunter2" not in redact_url("jdbc:postgresql://bob:hunter2@h/db")


def test_first_rows_limits_in_each_dialects_syntax() -> None:
    source = "(SELECT * FROM t) c WHERE c.x >= 1"
    assert DIALECTS["postgresql"].first_rows(source, 5) == f"SELECT 1 AS gf_one FROM {source} LIMIT 5"
    assert DIALECTS["mysql"].first_rows(source, 5).endswith("WHERE c.x >= 1 LIMIT 5")
    assert DIALECTS["sqlite"].first_rows(source, 5).endswith(" LIMIT 5")
    assert DIALECTS["oracle"].first_rows(source, 5).endswith("WHERE c.x >= 1 FETCH FIRST 5 ROWS ONLY")
    assert DIALECTS["sqlserver"].first_rows(source, 5) == f"SELECT TOP (5) 1 AS gf_one FROM {source}"
