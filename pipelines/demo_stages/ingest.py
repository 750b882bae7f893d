"""Demo stage: incremental JDBC ingest of the demo domain (SQLite source) into ``bronze.customers`` / ``bronze.orders``.

Run 1 loads everything; then some source rows change (and a row arrives late with an older timestamp inside
the lookback) and run 2 picks up exactly those. Later stages read the two bronze tables.
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING, Any

from rich.table import Table

from pipelines import demo_data
from transforms.incremental_jdbc_ingest import ingest

if TYPE_CHECKING:
    from pipelines.demo import DemoContext

TITLE = "Incremental JDBC ingest (SQLite -> Iceberg bronze)"
CUSTOMERS, ORDERS = 200, 1000
SOURCES = {"customers": "customer_id", "orders": "order_id"}
SUMMARY_KEYS = (
    "status",
    "rows_read",
    "reader",
    "write_plan",
    "upserted",
    "unchanged",
    "watermark_before",
    "watermark_after",
    "seconds",
)


def run(ctx: DemoContext) -> None:
    source = ctx.workdir / "source.db"
    demo_data.write_sqlite(source, "customers", demo_data.customers(CUSTOMERS), "customer_id")
    demo_data.write_sqlite(source, "orders", demo_data.orders(ORDERS, CUSTOMERS), "order_id")
    url = f"jdbc:sqlite:{source}"
    for table in SOURCES:
        ctx.spark.sql(f"DROP TABLE IF EXISTS bronze.{table}")  # the demo starts from scratch every time

    summaries: list[tuple[str, dict[str, Any]]] = []
    for table, key in SOURCES.items():
        summaries.append((f"{table} #1", _ingest(ctx, url, table, key)))

    with sqlite3.connect(source) as db:  # changes since the first run
        db.execute("UPDATE customers SET city = 'Lisbon', updated_at = '2026-06-01 09:00:00' WHERE customer_id <= 5")
        db.execute("UPDATE orders SET status = 'refunded', updated_at = '2026-06-01 09:00:00' WHERE order_id <= 20")
        last = db.execute("SELECT max(updated_at) FROM orders").fetchone()[0]
        # a late commit: a new order whose timestamp is just below the watermark, inside the lookback
        db.execute(
            "INSERT INTO orders VALUES (?, 1, ?, 'placed', 12.5, datetime(?, '-30 seconds'))",
            (ORDERS + 1, last, last),
        )
    for table, key in SOURCES.items():
        summaries.append((f"{table} #2", _ingest(ctx, url, table, key)))

    view = Table(title="ingest run summaries (run #2 = after changing some source rows)")
    view.add_column("")
    for run_name, _ in summaries:
        view.add_column(run_name)
    for name in SUMMARY_KEYS:
        view.add_row(name, *[str(summary[name]) for _, summary in summaries])
    ctx.console.print(view)
    ctx.results["ingest"] = {name: summary for name, summary in summaries}


def _ingest(ctx: DemoContext, url: str, table: str, key: str) -> dict[str, Any]:
    result = ingest(
        ctx.spark,
        url=url,
        table=table,
        cursor_column="updated_at",
        primary_keys=key,
        target_table=f"bronze.{table}",
        lookback_seconds=300,
    )
    result.release()
    return result.summary.as_dict()
