"""PostgreSQL as the EDLS metadata database (the production RDS engine): same output as from SQLite."""

from __future__ import annotations

import uuid
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import create_engine, text

from glueforge.cli import cli
from migration.sample import SAMPLE_SQL, SCHEMA_SQL, build_sqlite, sql_statements


def files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_postgres_metadata_gives_the_same_jobs_as_sqlite(postgres_db, tmp_path: Path) -> None:
    schema = f"edls_{uuid.uuid4().hex[:10]}"
    engine = create_engine(postgres_db.sqlalchemy_url)
    try:
        with engine.begin() as conn:
            conn.execute(text(f"CREATE SCHEMA {schema}"))
            conn.execute(text(f"SET LOCAL search_path TO {schema}"))
            for path in (SCHEMA_SQL, SAMPLE_SQL):
                for statement in sql_statements(path):
                    conn.exec_driver_sql(statement.replace("%", "%%"))
        runner = CliRunner()
        pg_out, sqlite_out = tmp_path / "pg", tmp_path / "sqlite"
        result = runner.invoke(
            cli,
            [
                "migrate",
                "--metadata",
                postgres_db.sqlalchemy_url,
                "--metadata-schema",
                schema,
                "--out",
                str(pg_out),
                "--no-svg",
            ],
            catch_exceptions=False,
        )
        assert result.exit_code == 0, result.output
        db = build_sqlite(tmp_path / "edls.db")
        result = runner.invoke(
            cli,
            ["migrate", "--metadata", f"sqlite:///{db}", "--out", str(sqlite_out), "--no-svg"],
            catch_exceptions=False,
        )
        assert result.exit_code == 0, result.output
        pg_files, sqlite_files = files(pg_out), files(sqlite_out)
        assert len(pg_files) == 8  # 3 requests + 3 scripts + report.json + report.md
        assert pg_files == sqlite_files
    finally:
        with engine.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        engine.dispose()
