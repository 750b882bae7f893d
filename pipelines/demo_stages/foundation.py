"""Demo stage 1: a Glue job script runs locally: SQLite over JDBC -> custom transform -> Iceberg table."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

from glueforge.output import rows_to_table

if TYPE_CHECKING:
    from pipelines.demo import DemoContext

TITLE = "Local Glue runtime: JDBC -> standardize_columns -> Iceberg"
JOB_SCRIPT = Path(__file__).resolve().parent.parent / "jobs" / "crm_contacts.py"
MESSY_CONTACTS = [
    (1, "  Ada Lovelace ", "ada@example.com", "London"),
    (2, "Alan Turing", "", "Wilmslow"),
    (3, "Grace Hopper", "grace@example.com", "  New York"),
    (4, "Edsger Dijkstra", None, "Nuenen "),
]


def write_crm_source(path: Path) -> None:
    """A legacy CRM table with the column names and whitespace problems such tables tend to have."""
    with sqlite3.connect(path) as connection:
        connection.execute("DROP TABLE IF EXISTS contacts")
        connection.execute(
            'CREATE TABLE contacts ("ContactID" INTEGER PRIMARY KEY, " Full Name " TEXT, '
            '"EmailAddress" TEXT, "HomeCity" TEXT)'
        )
        connection.executemany("INSERT INTO contacts VALUES (?, ?, ?, ?)", MESSY_CONTACTS)


def run(ctx: DemoContext) -> None:
    from glueforge.glue_runtime.runner import run_script

    source = ctx.workdir / "crm.db"
    write_crm_source(source)
    ctx.spark.sql("DROP TABLE IF EXISTS demo.crm_contacts")
    args = [
        "--JOB_NAME",
        "crm_contacts",
        "--source_url",
        f"jdbc:sqlite:{source}",
        "--source_table",
        "contacts",
        "--target_database",
        "demo",
        "--target_table",
        "crm_contacts",
    ]
    ctx.console.print(f"glueforge run-script {os.path.relpath(JOB_SCRIPT)} {' '.join(args)}")
    run_script(JOB_SCRIPT, args, settings=ctx.settings)
    frame = ctx.spark.sql("SELECT * FROM demo.crm_contacts ORDER BY contact_id")
    ctx.console.print(rows_to_table(frame.columns, [tuple(r) for r in frame.collect()], title="demo.crm_contacts"))
