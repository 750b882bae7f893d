"""A legacy RDS upsert migrates to the ``jdbc_upsert`` transform and runs locally against real PostgreSQL:
run twice, the table holds each key once, with the file's values."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from sqlalchemy import create_engine, inspect, text

from glueforge.cli import cli
from migration.generator import MetadataBuilder, file_ingest
from migration.migrator import Migrator


def migrated_upsert_job(folder: Path) -> Path:
    builder = MetadataBuilder()
    builder.job(7, "customers_upsert")
    read = builder.step(7, "read_customers", "FILE_INGEST", file_ingest("s3://landing/customers/"), 1)
    target = {"type": "rds", "connection": "sales_pg", "table": "reporting.customers", "mode": "upsert", "keys": ["id"]}
    write = builder.step(7, "write_customers", "DATA_PERSISTENCE", {"target": target}, 2)
    builder.edge(write, read)
    result = Migrator(builder.metadata()).migrate(builder.metadata().jobs[0])
    assert result.errors == [] and result.request is not None, result.errors
    path = folder / "customers_upsert.json"
    path.write_text(json.dumps(result.request), encoding="utf-8")
    return path


def test_a_migrated_rds_upsert_runs_twice_without_duplicates(tmp_path: Path, lakehouse: Any, postgres_db: Any) -> None:
    table = postgres_db.unique_table("customers")
    engine = create_engine(postgres_db.sqlalchemy_url)
    with engine.begin() as conn:
        conn.execute(text(f"CREATE TABLE {table} (id INT PRIMARY KEY, name TEXT, amount DOUBLE PRECISION)"))
        conn.execute(text(f"INSERT INTO {table} VALUES (1, 'old', 0), (9, 'kept', 9)"))
    landing = Path(lakehouse.data_root) / "landing" / "customers"
    landing.mkdir(parents=True)
    (landing / "part-0.csv").write_text("id,name,amount\n1,ada,10.5\n2,bob,20.0\n3,cy,30.25\n", encoding="utf-8")
    job = migrated_upsert_job(tmp_path)
    arguments = [
        "run-job", str(job), "--local", "--data-root", str(lakehouse.data_root),
        "--warehouse", str(lakehouse.warehouse),
        "--connection", "sales_pg=postgres", "--table", f"reporting.customers={table}",
    ]  # fmt: skip
    for _ in range(2):
        outcome = CliRunner().invoke(cli, arguments, catch_exceptions=False)
        assert outcome.exit_code == 0, outcome.output
        assert list(json.loads(outcome.output.strip().splitlines()[-1])["written"].values()) == [3]
    with engine.connect() as conn:
        rows = [tuple(r) for r in conn.execute(text(f"SELECT id, name, amount FROM {table} ORDER BY id"))]
    staging = [t for t in inspect(engine).get_table_names() if t.startswith("gf_stage_")]
    engine.dispose()
    assert rows == [(1, "ada", 10.5), (2, "bob", 20.0), (3, "cy", 30.25), (9, "kept", 9.0)]
    assert staging == []
