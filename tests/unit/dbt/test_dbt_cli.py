"""`glueforge dbt env|profile` and early `glueforge quality` errors: no JVM, no dbt run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from glueforge.cli import main

PROJECT = Path(__file__).resolve().parents[3] / "dbt_project"


def test_env_prints_exports_for_plain_dbt(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["dbt", "env", "--warehouse", str(tmp_path / "wh")]) == 0
    lines = capsys.readouterr().out.splitlines()
    exports = dict(line.removeprefix("export ").split("=", 1) for line in lines)
    assert json.loads(exports["GLUEFORGE_WAREHOUSE"]) == str((tmp_path / "wh").resolve())
    jar = Path(json.loads(exports["GLUEFORGE_ICEBERG_JAR"]))
    assert jar.is_file() and jar.name.startswith("iceberg-spark-runtime-3.5")


def test_profile_command_validates_glue_offline(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DBT_ROLE_ARN", "arn:aws:iam::123456789012:role/R")
    monkeypatch.setenv("DBT_S3_LOCATION", "s3://b/p/")
    main(["dbt", "profile", "--target", "glue", "--profiles-dir", str(PROJECT)])
    shown = json.loads(capsys.readouterr().out)
    assert shown == {
        "type": "glue",
        "schema": "analytics",
        "role_arn": "arn:aws:iam::123456789012:role/R",
        "region": shown["region"],
        "location": "s3://b/p/",
        "glue_version": "5.0",
        "datalake_formats": "iceberg",
    }
    monkeypatch.delenv("DBT_ROLE_ARN")
    with pytest.raises(SystemExit) as exited:
        main(["dbt", "profile", "--target", "glue", "--profiles-dir", str(PROJECT)])
    assert exited.value.code == 2
    assert "DBT_ROLE_ARN" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("suite_text", "fragment"),
    [
        ("suite: s\nrules: [\n", "malformed YAML at line"),
        ("suite: s\nrules: []\n", "has no rules"),
    ],
)
def test_quality_check_rejects_bad_suites_before_spark(
    tmp_path: Path, suite_text: str, fragment: str, capsys: pytest.CaptureFixture[str]
) -> None:
    suite = tmp_path / "s.yml"
    suite.write_text(suite_text)
    with pytest.raises(SystemExit) as exited:
        main(["quality", "check", "--suite", str(suite), "--table", "bronze.orders"])
    assert exited.value.code == 2
    assert fragment in capsys.readouterr().err


def test_quality_dqdl_rejects_a_bad_ruleset_before_spark(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["quality", "dqdl", "--table", "bronze.orders", "--ruleset", 'Rules = [ Completeness "a" > 0.5 ]'])
    assert exited.value.code == 2
    assert "unsupported rule type 'Completeness'" in capsys.readouterr().err
