"""The CLI contract (real subprocess) and the transform inside a Glue-style script on the local runtime."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from pipelines import demo_data

REPO = Path(__file__).resolve().parents[3]
GLUEFORGE = [sys.executable, "-m", "glueforge"]
ENTRY = REPO / "transforms" / "incremental_jdbc_ingest" / "incremental_jdbc_ingest.py"


def _source(sqlite_db: Any, count: int) -> Path:
    path = Path(sqlite_db.jdbc_url.removeprefix("jdbc:sqlite:"))
    demo_data.write_sqlite(path, "customers", demo_data.customers(count), "customer_id")
    return path


def test_cli_contract_summary_on_last_line_and_target_readable(sqlite_db: Any, tmp_path: Path, spark: Any) -> None:
    _source(sqlite_db, 25)
    warehouse = tmp_path / "wh"
    ingest = subprocess.run(
        [
            *GLUEFORGE,
            "ingest",
            "--url",
            sqlite_db.jdbc_url,
            "--table",
            "customers",
            "--cursor",
            "updated_at",
            "--primary-key",
            "customer_id",
            "--lookback-seconds",
            "60",
            "--target",
            "bronze.customers",
            "--warehouse",
            str(warehouse),
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=600,
        check=False,
    )
    assert ingest.returncode == 0, ingest.stderr[-2000:]
    summary = json.loads(ingest.stdout.strip().splitlines()[-1])
    assert summary["rows_read"] == 25 and summary["inserted"] == 25
    assert summary["watermark_before"] is None
    assert summary["watermark_after"] == "2026-01-01T00:25:00.000000+00:00"
    assert {"updated", "partitions", "seconds"} <= set(summary)

    # Readable with `glueforge sql` on the same warehouse (in-process: one JVM per test file is enough).
    from click.testing import CliRunner

    from glueforge.cli.sql import sql

    query = CliRunner().invoke(
        sql, ["SELECT count(*) AS n FROM bronze.customers", "--format", "json", "--warehouse", str(warehouse)]
    )
    assert query.exit_code == 0, query.output
    assert json.loads(query.output)[0]["n"] == 25

    bad = subprocess.run(
        [
            *GLUEFORGE,
            "ingest",
            "--url",
            sqlite_db.jdbc_url,
            "--table",
            "customers; DROP TABLE customers",
            "--cursor",
            "updated_at",
            "--primary-key",
            "customer_id",
            "--target",
            "bronze.customers",
            "--warehouse",
            str(warehouse),
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=600,
        check=False,
    )
    assert bad.returncode == 2
    assert bad.stderr.strip().splitlines()[-1].startswith("error:") and "Traceback" not in bad.stderr


def test_transform_runs_in_a_glue_style_script(sqlite_db: Any, lakehouse: Any) -> None:
    from glueforge.glue_runtime.runner import run_script
    from glueforge.settings import load_settings

    _source(sqlite_db, 8)
    settings = load_settings(warehouse=lakehouse.warehouse, data_root=lakehouse.data_root)
    args = [
        "--url",
        sqlite_db.jdbc_url,
        "--table",
        "customers",
        "--target",
        "bronze.glue_customers",
        "--extra-py-files",
        str(ENTRY),
    ]
    run_script(Path(__file__).parent / "scripts" / "ingest_studio_job.py", args, settings=settings)
    rows = lakehouse.spark.sql("SELECT customer_id FROM bronze.glue_customers").collect()
    assert sorted(r.customer_id for r in rows) == list(range(1, 9))


def test_cli_upsert_strategy_flag_chooses_the_write_plan(sqlite_db: Any, tmp_path: Path, spark: Any) -> None:
    import sqlite3

    from click.testing import CliRunner

    from glueforge.cli.ingest import ingest as ingest_command

    path = _source(sqlite_db, 10)
    warehouse = tmp_path / "wh"
    base = ["--url", sqlite_db.jdbc_url, "--table", "customers", "--cursor", "updated_at", "--primary-key"]
    base += ["customer_id", "--target", "bronze.flagged", "--warehouse", str(warehouse), "--quiet"]
    runner = CliRunner()

    def run(*extra: str) -> tuple[int, str]:
        result = runner.invoke(ingest_command, [*base, *extra])
        return result.exit_code, result.output

    assert run()[0] == 0
    for strategy, expected in (("merge", ("merge_matched", 1, 1)), ("equality_delete", ("equality_delete", None, 1))):
        with sqlite3.connect(path) as conn:
            conn.execute(
                "UPDATE customers SET city = ?, updated_at = datetime(updated_at, '+1 year') WHERE customer_id = 3",
                (strategy,),
            )
        code, output = run("--upsert-strategy", strategy)
        assert code == 0, output
        summary = json.loads(output.strip().splitlines()[-1])
        assert (summary["write_plan"], summary["updated"], summary["upserted"]) == expected
    code, output = run("--upsert-strategy", "fastest")
    assert code == 2 and "'fastest' is not one of" in output
