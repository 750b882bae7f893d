"""`glueforge ingest many`: several tables in one session; a failing job is reported, the others commit."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner

from glueforge.cli.ingest import ingest as ingest_command
from tests.integration.ingest.conftest import make_events

COLUMNS = ["id", "amount", "note", "updated_at"]


def test_many_tables_in_one_session_with_one_failing_job(
    pg_source: Any, postgres_db: Any, same_rows: Callable[..., None], lakehouse: Any, tmp_path: Path
) -> None:
    orders, customers = postgres_db.unique_table("orders"), postgres_db.unique_table("customers")
    make_events(pg_source, orders, 40)
    make_events(pg_source, customers, 15)
    jobs_file = tmp_path / "jobs.yml"
    jobs_file.write_text(
        yaml.safe_dump(
            {
                "defaults": {"url": postgres_db.jdbc_url, "user": postgres_db.user, "cursor_column": "updated_at"},
                "jobs": [
                    {"name": "orders", "table": orders, "primary_keys": "id", "target_table": "bronze.many_orders"},
                    {"table": "no_such_table", "primary_keys": "id", "target_table": "bronze.many_missing"},
                    {"table": customers, "primary_keys": "id", "target_table": "bronze.many_customers"},
                ],
            }
        )
    )
    runner = CliRunner()
    args = ["many", "--jobs", str(jobs_file), "--warehouse", str(lakehouse.warehouse), "--quiet"]
    first = runner.invoke(ingest_command, args)
    assert first.exit_code == 1, first.output  # one job failed; the others ran
    lines = [json.loads(line) for line in first.output.strip().splitlines()]
    by_name = {line["name"]: line for line in lines[:-1]}
    assert by_name["orders"]["status"] == "committed" and by_name["orders"]["summary"]["inserted"] == 40
    assert by_name["bronze.many_customers"]["summary"]["inserted"] == 15
    failed = by_name["bronze.many_missing"]
    assert failed["status"] == "failed" and "unknown table" in failed["error"] and failed["summary"] is None
    assert lines[-1] == {"jobs": 3, "failed": ["bronze.many_missing"]}
    same_rows(pg_source, f"SELECT {', '.join(COLUMNS)} FROM {orders}", "bronze.many_orders", COLUMNS)
    same_rows(pg_source, f"SELECT {', '.join(COLUMNS)} FROM {customers}", "bronze.many_customers", COLUMNS)
    assert not lakehouse.spark.catalog.tableExists("bronze.many_missing")

    # Second run, the failing job removed: one update arrives, the other table has nothing new.
    spec = yaml.safe_load(jobs_file.read_text())
    del spec["jobs"][1]
    jobs_file.write_text(yaml.safe_dump(spec))
    pg_source.run(f"UPDATE {orders} SET note = 'x', updated_at = TIMESTAMPTZ '2026-03-01 00:00:00+00' WHERE id = 5")
    second = runner.invoke(ingest_command, args)
    assert second.exit_code == 0, second.output
    lines = [json.loads(line) for line in second.output.strip().splitlines()]
    assert [(line["name"], line["status"]) for line in lines[:-1]] == [
        ("orders", "committed"),
        ("bronze.many_customers", "no_change"),
    ]
    assert lines[0]["summary"]["upserted"] == 1
    same_rows(pg_source, f"SELECT {', '.join(COLUMNS)} FROM {orders}", "bronze.many_orders", COLUMNS)
