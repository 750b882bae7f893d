import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]


def glueforge(*args: str, cwd: Path, env_warehouse: Path | None = None) -> subprocess.CompletedProcess[str]:
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith("GLUEFORGE_")}
    if env_warehouse:
        env["GLUEFORGE_WAREHOUSE"] = str(env_warehouse)
    return subprocess.run(
        [sys.executable, "-m", "glueforge", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        check=False,
        timeout=300,
    )


@pytest.fixture(scope="module")
def populated_warehouse(tmp_path_factory) -> Path:
    """A warehouse written by a separate process, as a user's earlier job would have."""
    warehouse = tmp_path_factory.mktemp("sqlcli") / "warehouse"
    script = (
        "from glueforge.session import get_spark\n"
        "from glueforge.settings import load_settings\n"
        f"spark = get_spark(load_settings(warehouse={str(warehouse)!r}))\n"
        'spark.sql("CREATE TABLE shop.items (id INT, name STRING, price DECIMAL(10,2), ts TIMESTAMP) USING iceberg")\n'
        "spark.sql(\"INSERT INTO shop.items VALUES (1, 'pen', 1.50, TIMESTAMP'2026-01-02 03:04:05'), "
        "(2, 'ink', 12.00, NULL)\")\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True, cwd=REPO, timeout=300, capture_output=True)
    return warehouse


def test_sql_json_contract(populated_warehouse, tmp_path):
    result = glueforge(
        "sql",
        "SELECT * FROM shop.items ORDER BY id",
        "--format",
        "json",
        "--warehouse",
        str(populated_warehouse),
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [
        {"id": 1, "name": "pen", "price": 1.5, "ts": "2026-01-02T03:04:05"},
        {"id": 2, "name": "ink", "price": 12, "ts": None},
    ]


def test_sql_reads_the_warehouse_from_the_environment_and_prints_csv(populated_warehouse, tmp_path):
    result = glueforge(
        "sql",
        "SELECT name FROM shop.items ORDER BY id",
        "--format",
        "csv",
        cwd=tmp_path,
        env_warehouse=populated_warehouse,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "name\npen\nink\n"


def test_unknown_table_is_one_line_and_exit_2(populated_warehouse, tmp_path):
    result = glueforge("sql", "SELECT * FROM shop.nope", "--warehouse", str(populated_warehouse), cwd=tmp_path)
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(lines) == 1 and "shop" in lines[0] and "nope" in lines[0]
    assert "Traceback" not in result.stderr
