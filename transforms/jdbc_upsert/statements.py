"""The statement that upserts a staging table into the target, one per SQL dialect (a registry).

PostgreSQL and SQLite name the conflict target (``ON CONFLICT (keys)``), MySQL/MariaDB use any unique key
(``ON DUPLICATE KEY UPDATE``: the caller checks that one covers exactly the keys), the others ``MERGE``.
All quote every identifier of the target (validated first), so no value of the options reaches SQL unquoted.
The staging table is named as Spark created it (``staging_sql``): a generated name, validated, not quoted.
"""

from __future__ import annotations

from collections.abc import Callable

from transforms.incremental_jdbc_ingest.dialects import Dialect, check_identifier

Statement = Callable[[Dialect, str, str, list[str], tuple[str, ...]], str]
STATEMENTS: dict[str, Statement] = {}


def statement(*dialects: str) -> Callable[[Statement], Statement]:
    def register(func: Statement) -> Statement:
        for name in dialects:
            STATEMENTS[name] = func
        return func

    return register


def upsert_statement(dialect: Dialect, target: str, staging: str, columns: list[str], keys: tuple[str, ...]) -> str:
    """``staging``'s rows into ``target`` (both table names as given: validated and quoted here): a row whose
    keys exist replaces the target's values of ``columns``, any other row is inserted."""
    return STATEMENTS.get(dialect.name, merge)(dialect, target, staging, columns, keys)


DROP_IF_EXISTS = {"postgresql", "redshift", "mysql", "mariadb", "sqlite", "sqlserver"}


def staging_sql(staging: str) -> str:
    """The staging table as Spark's ``CREATE TABLE`` wrote it (unquoted: the database stores it in its own case)."""
    for part in staging.split("."):
        check_identifier(part, "staging table")
    return staging


def drop_statement(dialect: Dialect, staging: str) -> str:
    exists = "IF EXISTS " if dialect.name in DROP_IF_EXISTS else ""
    return f"DROP TABLE {exists}{staging_sql(staging)}"


def new_keys_statement(dialect: Dialect, target: str, staging: str, keys: tuple[str, ...]) -> str:
    """How many staging rows have keys the target does not hold yet (run before the upsert, in its transaction:
    the rows it inserts; the others it updates)."""
    match = _same_keys([dialect.quote(k, "primary key column") for k in keys])
    return (
        f"SELECT COUNT(*) FROM {staging_sql(staging)} gf_s WHERE NOT EXISTS "
        f"(SELECT 1 FROM {dialect.quote_table(target)} gf_t WHERE {match})"
    )


def _same_keys(quoted_keys: list[str]) -> str:
    """Target row ``gf_t`` and staging row ``gf_s`` have equal keys."""
    return " AND ".join(f"gf_t.{k} = gf_s.{k}" for k in quoted_keys)


def _parts(dialect: Dialect, columns: list[str], keys: tuple[str, ...]) -> tuple[str, list[str], list[str]]:
    quoted = [dialect.quote(c) for c in columns]
    lowered = {k.lower() for k in keys}
    updated = [dialect.quote(c) for c in columns if c.lower() not in lowered]
    return ", ".join(quoted), updated, [dialect.quote(k, "primary key column") for k in keys]


@statement("postgresql", "sqlite")
def on_conflict(dialect: Dialect, target: str, staging: str, columns: list[str], keys: tuple[str, ...]) -> str:
    names, updated, quoted_keys = _parts(dialect, columns, keys)
    action = "DO UPDATE SET " + ", ".join(f"{c} = EXCLUDED.{c}" for c in updated) if updated else "DO NOTHING"
    # SQLite would read ON CONFLICT right after the SELECT's FROM as a join constraint: a WHERE ends it first
    where = " WHERE true" if dialect.name == "sqlite" else ""
    return (
        f"INSERT INTO {dialect.quote_table(target)} ({names}) SELECT {names} FROM {staging_sql(staging)}{where} "
        f"ON CONFLICT ({', '.join(quoted_keys)}) {action}"
    )


@statement("mysql", "mariadb")
def on_duplicate_key(dialect: Dialect, target: str, staging: str, columns: list[str], keys: tuple[str, ...]) -> str:
    names, updated, quoted_keys = _parts(dialect, columns, keys)
    # VALUES(c): the value the row would have inserted (MariaDB's only form; MySQL 8 still accepts it)
    assignments = [f"{c} = VALUES({c})" for c in updated] or [f"{quoted_keys[0]} = {quoted_keys[0]}"]
    return (
        f"INSERT INTO {dialect.quote_table(target)} ({names}) SELECT {names} FROM {staging_sql(staging)} "
        f"ON DUPLICATE KEY UPDATE {', '.join(assignments)}"
    )


def merge(dialect: Dialect, target: str, staging: str, columns: list[str], keys: tuple[str, ...]) -> str:
    """ANSI ``MERGE`` (Oracle, SQL Server, SAP HANA, Redshift): aliases without ``AS`` (Oracle refuses it)."""
    names, updated, quoted_keys = _parts(dialect, columns, keys)
    condition = _same_keys(quoted_keys)
    values = ", ".join(f"gf_s.{dialect.quote(c)}" for c in columns)
    matched = f"WHEN MATCHED THEN UPDATE SET {', '.join(f'{c} = gf_s.{c}' for c in updated)} " if updated else ""
    text = (
        f"MERGE INTO {dialect.quote_table(target)} gf_t USING {staging_sql(staging)} gf_s ON ({condition}) "
        f"{matched}WHEN NOT MATCHED THEN INSERT ({names}) VALUES ({values})"
    )
    return text + ";" if dialect.name == "sqlserver" else text  # SQL Server requires MERGE to be terminated
