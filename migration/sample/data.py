"""Small input data for the sample jobs, written where the migrated jobs read it locally.

``s3://raw-bucket/...`` resolves to ``data_root/raw-bucket/...``; the incremental job's tables go into
local databases. Tests compute expected results from these rows with the legacy step semantics.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

ORDERS_HEADER = ["order_id", "cust_nm", "amount", "status"]
ORDERS = [
    [1, "Ada", "120.50", "SHIPPED"],
    [2, "Grace", "80.00", "NEW"],
    [3, "Alan", "15.25", "TEST"],
    [4, "Edsger", "999.99", "CANCELLED"],
    [5, "Barbara", "42.10", "SHIPPED"],
]

SALES_HEADER = ["sale_id", "store_id", "status", "amount", "quantity"]
SALES = [
    [1, 10, "COMPLETED", 10.0, 2],
    [2, 10, "COMPLETED", 5.5, 1],
    [3, 20, "COMPLETED", 7.0, 3],
    [4, 20, "CANCELLED", 100.0, 1],
    [5, 30, "COMPLETED", 0.0, 4],
    [6, 30, "COMPLETED", 3.0, 5],
    [7, 40, "COMPLETED", 9.0, 1],
]
STORES: list[dict[str, Any]] = [
    {"id": 10, "region": "north"},
    {"id": 20, "region": "south"},
    {"id": 30, "region": None},
    {"id": 50, "region": "west"},
]

CRM_CUSTOMERS_HEADER = ["id", "full_name", "email", "ssn"]
CRM_CUSTOMERS = [
    [1, "Ada Lovelace", "ada@example.com", "123-45-6789"],
    [2, "Grace Hopper", "grace@example.org", "234-56-7891"],
    [3, "Alan Turing", "alan@example.net", "345-67-8912"],
]
SALES_ORDERS_HEADER = ["order_id", "customer_id", "amount", "updated_at"]
SALES_ORDERS = [
    [100, 1, 10.5, "2024-06-01 10:00:00"],
    [101, 2, 20.0, "2024-06-02 11:00:00"],
    [102, 3, 30.25, "2024-06-03 12:00:00"],
    [103, 1, 5.0, "2024-06-04 13:00:00"],
]


def write_csv(path: Path, header: list[str], rows: list[list[Any]], delimiter: str = ",") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(header)
        writer.writerows(rows)


def write_file_inputs(data_root: Path) -> None:
    """Inputs of ``daily_orders_file_load`` and ``daily_sales_by_region``."""
    write_csv(data_root / "raw-bucket" / "orders" / "orders.csv", ORDERS_HEADER, ORDERS)
    write_csv(data_root / "raw-bucket" / "sales" / "sales.csv", SALES_HEADER, SALES, delimiter=";")
    stores = data_root / "raw-bucket" / "stores" / "stores.json"
    stores.parent.mkdir(parents=True, exist_ok=True)
    stores.write_text("".join(json.dumps(s) + "\n" for s in STORES), encoding="utf-8")
