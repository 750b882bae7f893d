"""SQLite sources: the demo domain, append mode with a file state store, integer cursors, state reset."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from glueforge.cli.ingest import ingest as ingest_command
from pipelines import demo_data

from .conftest import Source


def test_sqlite_append_mode_with_file_state_and_integer_cursor(
    sqlite_db: Any, run_ingest: Callable[..., Any], tmp_path: Path, lakehouse: Any
) -> None:
    source = Source(sqlite_db)
    source.run("CREATE TABLE events (seq INTEGER, payload TEXT)")
    source.run("INSERT INTO events VALUES (1, 'a'), (2, 'b'), (3, 'c')")
    state_file = tmp_path / "state.json"
    params = {
        "table": "events",
        "cursor_column": "seq",
        "write_mode": "append",
        "target_table": "bronze.events",
        "state_store": "file",
        "state_location": str(state_file),
    }
    assert run_ingest(sqlite_db, **params).summary.inserted == 3
    assert json.loads(state_file.read_text())["bronze.events"]["watermark"] == "3"
    source.run("INSERT INTO events VALUES (4, 'd'), (5, 'e')")
    second = run_ingest(sqlite_db, **params).summary
    # append mode re-reads the boundary row (seq = 3) only if it changed; here it did not
    assert (second.watermark_before, second.watermark_after, second.inserted) == ("3", "5", 2)
    rows = sorted(r[0] for r in lakehouse.spark.sql("SELECT seq FROM bronze.events").collect())
    assert rows == [1, 2, 3, 4, 5]


def test_sqlite_demo_domain_and_state_commands(
    sqlite_db: Any, run_ingest: Callable[..., Any], same_rows: Callable[..., None], lakehouse: Any
) -> None:
    path = Path(sqlite_db.jdbc_url.removeprefix("jdbc:sqlite:"))
    demo_data.write_sqlite(path, "orders", demo_data.orders(30, 10), "order_id")
    source = Source(sqlite_db)
    params = {
        "table": "orders",
        "cursor_column": "updated_at",
        "primary_keys": "order_id",
        "target_table": "bronze.orders",
    }
    first = run_ingest(sqlite_db, **params).summary
    assert first.inserted == 30
    columns = ["order_id", "customer_id", "status", "amount"]
    same_rows(source, f"SELECT {', '.join(columns)} FROM orders", "bronze.orders", columns)

    runner = CliRunner()
    warehouse = ["--warehouse", str(lakehouse.warehouse)]
    shown = runner.invoke(ingest_command, ["state", "show", "--target", "bronze.orders", *warehouse])
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.output.strip().splitlines()[-1])["watermark"] == first.watermark_after

    reset = runner.invoke(ingest_command, ["state", "reset", "--target", "bronze.orders", *warehouse])
    assert reset.exit_code == 0, reset.output
    source.run("UPDATE orders SET status = 'refunded', updated_at = '2026-06-01 00:00:00' WHERE order_id = 7")
    after_reset = run_ingest(sqlite_db, **params).summary
    assert after_reset.watermark_before is None and after_reset.rows_read == 30  # full re-read after reset
    assert (after_reset.upserted, after_reset.unchanged) == (1, 29)
    same_rows(source, f"SELECT {', '.join(columns)} FROM orders", "bronze.orders", columns)
