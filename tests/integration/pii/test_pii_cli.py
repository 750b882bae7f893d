"""The `glueforge pii` contract: scan/mask files through the console entry point, plus the error paths."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from pyspark.sql import SparkSession

HEADER = ["id", "email", "phone", "ssn", "card", "ip", "notes", "order_id", "amount", "version"]
ROWS = [
    [
        "1",
        "ann.lee@example.com",
        "(212) 555-0199",
        "536-22-1234",
        "4111 1111 1111 1111",
        "8.8.4.4",
        'Mail ann.lee@example.com, "thanks"',
        "4111111111111112",
        "3948.06",
        "1.2.3.4",
    ],
    [
        "2",
        "bo.kim@example.org",
        "+44 20 7946 0958",
        "123-45-6789",
        "2221000000000009",
        "172.16.254.1",
        "multi\nline, nothing",
        "1234567812345678",
        "12.50",
        "3.12.0.7",
    ],
    ["3", "", "", "", "", "", "", "", "", ""],
]


def write_csv(path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(HEADER)
        writer.writerows(ROWS)


def read_csv(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as stream:
        return list(csv.reader(stream))


def glueforge(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *commands: list[str]) -> list[int]:
    """Each command through the console entry point ``glueforge.cli.main`` (exit codes as a shell sees them).

    In-process on the test session's JVM: a subprocess would start a second JVM (~30 s on the shared box)."""
    from glueforge.cli import main

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GLUEFORGE_WAREHOUSE", str(tmp_path / "wh"))
    monkeypatch.setenv("GLUEFORGE_PII_HMAC_KEY", "k" * 24)
    codes = []
    for argv in commands:
        try:
            codes.append(main(argv))
        except SystemExit as exc:
            codes.append(exc.code if isinstance(exc.code, int) else 1)
    return codes


def test_scan_and_mask_csv_through_the_entry_point(
    spark: SparkSession, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "people.csv"
    write_csv(source)
    codes = glueforge(
        tmp_path,
        monkeypatch,
        ["pii", "scan", "--input", str(source), "--report", "out/report.json", "--json"],
        ["pii", "mask", "--input", str(source), "--output", "out/masked.csv", "--mode", "cell", "--action", "hmac"],
    )
    out, err = capsys.readouterr()
    assert codes == [0, 0], err[-2000:]
    report = json.loads((tmp_path / "out/report.json").read_text())
    entities = {c["name"]: c["entities"] for c in report["columns"]}
    assert entities == {
        "id": [],
        "email": ["EMAIL"],
        "phone": ["PHONE_NUMBER"],
        "ssn": ["USA_SSN"],
        "card": ["CREDIT_CARD"],
        "ip": ["IP_ADDRESS"],
        "notes": ["EMAIL"],
        "order_id": [],
        "amount": [],
        "version": [],
    }
    assert (tmp_path / "out/report.md").read_text().startswith("# PII report: people.csv")
    assert "ann.lee" not in (tmp_path / "out/report.json").read_text()
    summary = json.loads(next(line for line in out.splitlines() if line.startswith("{")))
    assert summary["pii_columns"]["ssn"] == ["USA_SSN"]

    rows = read_csv(tmp_path / "out/masked.csv")
    assert rows[0] == HEADER and len(rows) == 4
    from transforms.detect_pii.actions import hmac_hex

    key = b"k" * 24
    assert rows[1][1] == hmac_hex(key, "ann.lee@example.com")
    assert rows[1][6] == f'Mail {hmac_hex(key, "ann.lee@example.com")}, "thanks"'
    assert rows[2][6] == "multi\nline, nothing"
    assert [r[0] for r in rows[1:]] == ["1", "2", "3"]
    assert [r[7:] for r in rows[1:]] == [r[7:] for r in ROWS]  # decoys untouched
    assert rows[3] == ROWS[2]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["masked.csv", "report.json", "report.md"]


def test_mask_parquet_and_error_paths(spark: SparkSession, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import pyarrow.parquet as pq

    from glueforge.cli import cli

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GLUEFORGE_WAREHOUSE", str(tmp_path / "wh"))
    spark.createDataFrame([tuple(r) for r in ROWS], ", ".join(f"{h} string" for h in HEADER)).coalesce(1).write.parquet(
        str(tmp_path / "in.parquet")
    )
    source = next((tmp_path / "in.parquet").glob("part-*.parquet"))
    runner = CliRunner()
    result = runner.invoke(
        cli,
        ["pii", "mask", "--input", str(source), "--output", "out.parquet", "--action", "partial", "--keep-right", "4"],
    )
    assert result.exit_code == 0, result.output
    table = pq.read_table(tmp_path / "out.parquet").to_pylist()
    assert [r["ssn"] for r in table] == ["*******1234", "*******6789", ""]
    assert [r["card"] for r in table] == ["***************1111", "************0009", ""]
    assert [r["amount"] for r in table] == ["3948.06", "12.50", ""]

    monkeypatch.delenv("GLUEFORGE_PII_HMAC_KEY", raising=False)
    failed = runner.invoke(cli, ["pii", "mask", "--input", str(source), "--output", "h.parquet", "--action", "hmac"])
    assert failed.exit_code != 0 and "GLUEFORGE_PII_HMAC_KEY" in str(failed.exception)
    assert not (tmp_path / "h.parquet").exists()
    wrong = runner.invoke(cli, ["pii", "mask", "--input", str(source), "--output", "x.csv"])
    assert "must be a .parquet file" in str(wrong.exception)
    missing = runner.invoke(cli, ["pii", "scan", "--input", "nope.csv", "--report", "r.json"])
    assert "does not exist" in str(missing.exception)
