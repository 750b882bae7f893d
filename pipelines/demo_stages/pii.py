"""Demo stage: find the PII in ``bronze.customers`` and write a pseudonymised copy, ``bronze.customers_masked``.

Column mode over every row, HMAC-SHA256 pseudonyms (deterministic, so masked keys still join across tables),
a JSON + Markdown report under ``out/demo/pii/``. The key comes from ``GLUEFORGE_DEMO_HMAC_KEY``; without it
the stage uses a clearly-labelled, public demo key (never do that with real data).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from rich.table import Table

from glueforge.lakehouse import TableName, write_table
from transforms.detect_pii.pipeline import run as detect_pii

if TYPE_CHECKING:
    from pipelines.demo import DemoContext

TITLE = "PII detection and masking (bronze.customers -> bronze.customers_masked)"
SOURCE, TARGET = "bronze.customers", "bronze.customers_masked"
KEY_ENV_VAR = "GLUEFORGE_DEMO_HMAC_KEY"
DEMO_ONLY_KEY = "glueforge-demo-key-PUBLIC-NOT-A-SECRET"


def run(ctx: DemoContext) -> None:
    if not os.environ.get(KEY_ENV_VAR):
        os.environ[KEY_ENV_VAR] = DEMO_ONLY_KEY
        ctx.console.print(f"[yellow]{KEY_ENV_VAR} is not set: using the public demo key (demo data only)[/]")
    customers = ctx.spark.table(SOURCE)
    result = detect_pii(
        customers,
        table=SOURCE,
        action="HMAC",
        detectionMode="column",
        sampleFraction=1.0,
        hmacKeyEnvVar=KEY_ENV_VAR,
        excludeColumns=["customer_id", "updated_at"],
    )
    write_table(result.frame, TableName.parse(TARGET), mode="overwrite")
    report_path = ctx.workdir / "pii" / "customers.json"
    markdown = result.report.write(report_path)

    view = Table(title=f"PII in {SOURCE} -> {TARGET}")
    for header in ("column", "entities", "share", "action"):
        view.add_column(header)
    for column in result.report.columns:
        flagged = [f for f in column.findings if f["flagged"]]
        view.add_row(
            column.name,
            ", ".join(column.entities) or "-",
            ", ".join(f"{f['share']:.2f}" for f in flagged) or "-",
            column.action if column.entities else "-",
        )
    ctx.console.print(view)
    sample = ctx.spark.table(TARGET).select("customer_id", "email", "ssn").orderBy("customer_id").limit(2).collect()
    for row in sample:
        ctx.console.print(f"  customer {row['customer_id']}: email={row['email'][:16]}… ssn={row['ssn'][:16]}…")
    ctx.console.print(f"report: {report_path} and {markdown}")
    ctx.results["pii"] = {"pii_columns": result.report.pii_columns, "report": str(report_path)}
