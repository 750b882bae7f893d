"""The demo stage on a fresh warehouse, with bronze.customers built from the demo domain."""

from __future__ import annotations

import os
from pathlib import Path

from rich.console import Console

from glueforge.lakehouse import TableName, write_table
from glueforge.settings import load_settings
from pipelines import demo_data
from pipelines.demo import DemoContext
from pipelines.demo_stages import pii as stage
from transforms.detect_pii.actions import hmac_hex


def test_demo_stage_masks_customers(lakehouse, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv(stage.KEY_ENV_VAR, "")  # unset for the stage; restored after the test
    customers = demo_data.customers(40)
    frame = lakehouse.spark.createDataFrame([c.__dict__ for c in customers])
    write_table(frame, TableName.parse(stage.SOURCE), mode="overwrite")
    console = Console(record=True, width=140)
    ctx = DemoContext(load_settings(warehouse=lakehouse.warehouse), lakehouse.spark, tmp_path, console)
    stage.run(ctx)
    assert ctx.results["pii"]["pii_columns"] == {
        "first_name": ["PERSON_NAME"],
        "last_name": ["PERSON_NAME"],
        "email": ["EMAIL"],
        "phone": ["PHONE_NUMBER"],
        "ssn": ["USA_SSN"],
        "credit_card": ["CREDIT_CARD"],
    }
    masked = {r["customer_id"]: r for r in lakehouse.spark.table(stage.TARGET).collect()}
    assert len(masked) == 40
    key = os.environ[stage.KEY_ENV_VAR].encode()
    for customer in customers:
        row = masked[customer.customer_id]
        assert row["email"] == hmac_hex(key, customer.email)
        assert row["ssn"] == hmac_hex(key, customer.ssn) and row["city"] == customer.city
    assert lakehouse.spark.table(stage.TARGET).columns == frame.columns
    assert (tmp_path / "pii" / "customers.md").is_file()
    assert "credit_card" in console.export_text()
