"""Glue job scripts run unmodified through the local runtime: the CLI in a subprocess, and in-process runs."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
import sqlalchemy as sa

from glueforge.cli import main
from glueforge.errors import NotFoundError

SCRIPTS = Path(__file__).parent / "scripts"
REPO = Path(__file__).resolve().parents[3]

ORDERS_CSV = 'order_id,customer,amount,country\n1,Ann,12.5,DE\n2,Bob,5,FR\n3,"Cy, Jr",30,DE\n4,Dee,,FR\n5,Eve,10,FR\n'


def test_studio_shaped_script_runs_via_cli_subprocess(lakehouse: Any, tmp_path: Path) -> None:
    data_root = tmp_path / "cli-data"
    (data_root / "raw" / "orders" / "2026").mkdir(parents=True)
    (data_root / "raw" / "orders" / "2026" / "part1.csv").write_text(ORDERS_CSV)
    result = subprocess.run(
        [
            str(REPO / ".venv" / "bin" / "glueforge"),
            "run-script",
            str(SCRIPTS / "studio_orders_job.py"),
            "--source_path",
            "s3://raw/orders/",
            "--target_path",
            "s3://curated/orders/",
            "--target_database",
            "sales",
            "--target_table",
            "orders",
            "--data-root",
            str(data_root),
            "--warehouse",
            str(lakehouse.warehouse),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "job studio_orders_job committed" in result.stderr

    written = pq.read_table(data_root / "curated" / "orders", partitioning="hive").to_pylist()
    expected = [(1, "Ann", 12.5, "DE"), (3, "Cy, Jr", 30.0, "DE"), (5, "Eve", 10.0, "FR")]
    assert sorted((r["order_id"], r["customer_name"], r["amount"], str(r["country"])) for r in written) == expected

    rows = lakehouse.spark.sql("SELECT * FROM sales.orders ORDER BY order_id").collect()
    assert [tuple(r) for r in rows] == expected
    assert lakehouse.spark.table("sales.orders").schema.simpleString() == (
        "struct<order_id:int,customer_name:string,amount:double,country:string>"
    )


def test_custom_transform_fills_empty_and_null_values(lakehouse: Any, glue_settings: Any) -> None:
    from glueforge.glue_runtime.runner import run_script

    people = lakehouse.data_root / "in" / "people"
    people.mkdir(parents=True)
    records = [{"id": 1, "city": "Paris"}, {"id": 2, "city": ""}, {"id": 3, "city": None}, {"id": 4, "city": "  "}]
    (people / "people.json").write_text("\n".join(json.dumps(r) for r in records))
    args = [
        "--source_path",
        "s3://in/people/",
        "--target_database",
        "crm",
        "--target_table",
        "people",
        "--fill_value",
        "unknown",
    ]
    run_script(SCRIPTS / "fill_empty_job.py", args, settings=glue_settings)
    rows = lakehouse.spark.sql("SELECT id, city FROM crm.people ORDER BY id").collect()
    assert [(r.id, r.city) for r in rows] == [(1, "Paris"), (2, "unknown"), (3, "unknown"), (4, "unknown")]


def _seed(sqlalchemy_url: str, table: str) -> None:
    engine = sa.create_engine(sqlalchemy_url)
    with engine.begin() as conn:
        conn.execute(sa.text(f"CREATE TABLE {table} (id INTEGER, name VARCHAR(20))"))
        conn.execute(sa.text(f"INSERT INTO {table} VALUES (1, 'a'), (2, 'b'), (3, NULL), (-4, 'd'), (NULL, 'e')"))
    engine.dispose()


@pytest.mark.parametrize(("fixture", "connection_type"), [("sqlite_db", "jdbc"), ("postgres_db", "postgresql")])
def test_jdbc_source_through_from_options(
    request: pytest.FixtureRequest, lakehouse: Any, glue_settings: Any, fixture: str, connection_type: str
) -> None:
    from glueforge.glue_runtime.runner import run_script

    db = request.getfixturevalue(fixture)
    table = db.unique_table("gr_src")
    _seed(db.sqlalchemy_url, table)
    target = f"copy_{connection_type}"
    args = [
        "--connection_type",
        connection_type,
        "--url",
        db.jdbc_url,
        "--user",
        db.user or "-",
        "--dbtable",
        table,
        "--target_database",
        "jdbc_copy",
        "--target_table",
        target,
    ]
    try:
        run_script(SCRIPTS / "jdbc_copy_job.py", args, settings=glue_settings)
    finally:
        if fixture == "postgres_db":
            engine = sa.create_engine(db.sqlalchemy_url)
            with engine.begin() as conn:
                conn.execute(sa.text(f"DROP TABLE {table}"))
            engine.dispose()
    df = lakehouse.spark.table(f"jdbc_copy.{target}")
    assert df.schema["id"].dataType.simpleString() == "int"
    assert sorted((r.id if r.id is not None else 99, r.name) for r in df.collect()) == [
        (-4, "d"),
        (1, "a"),
        (2, "b"),
        (3, None),
        (99, "e"),
    ]


def test_failures_exit_with_clear_codes(lakehouse: Any, glue_settings: Any, capsys: pytest.CaptureFixture[str]) -> None:
    from glueforge.glue_runtime.runner import ScriptFailed, run_script

    with pytest.raises(ScriptFailed) as failed:
        run_script(SCRIPTS / "failing_job.py", [], settings=glue_settings)
    assert failed.value.where == f"{SCRIPTS / 'failing_job.py'}:7"
    assert "ValueError: boom from" in str(failed.value)
    assert "Traceback" in failed.value.details
    with pytest.raises(NotFoundError):
        run_script(SCRIPTS / "nope.py", [], settings=glue_settings)
    run_script(SCRIPTS / "exit_job.py", ["--status", "0"], settings=glue_settings)  # sys.exit(0) is success
    with pytest.raises(ScriptFailed, match="status 3"):
        run_script(SCRIPTS / "exit_job.py", ["--status", "3"], settings=glue_settings)

    common = ["--data-root", str(lakehouse.data_root), "--warehouse", str(lakehouse.warehouse)]
    for argv, code, message in [
        (["run-script", str(SCRIPTS / "failing_job.py"), *common], 1, "ValueError: boom"),
        (["run-script", str(SCRIPTS / "studio_orders_job.py"), *common], 2, "--source_path"),
        (["run-script", str(SCRIPTS / "missing.py"), *common], 2, "does not exist"),
    ]:
        with pytest.raises(SystemExit) as exited:
            main(argv)
        assert exited.value.code == code
        err = capsys.readouterr().err
        assert message in err and "Traceback" not in err


def test_jdbc_errors_name_the_table_and_hide_the_password(glue_context: Any, postgres_db: Any) -> None:
    from glueforge.errors import SourceError

    options = {"url": postgres_db.jdbc_url, "user": postgres_db.user, "password": "s3cr3t-pw", "dbtable": "gr_no_such"}
    with pytest.raises(SourceError) as failed:
        glue_context.create_dynamic_frame.from_options(connection_type="postgresql", connection_options=options)
    assert "gr_no_such" in str(failed.value) and "does not exist" in str(failed.value)
    assert "s3cr3t-pw" not in str(failed.value)
