"""The CLI contract, byte-identical re-runs, botocore validation of every request, scripts and DAG checks."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from glueforge.cli import cli
from migration.dag import validate_dag
from migration.generator import generate
from migration.sample import build_sqlite
from migration.validation import validate_request

EXPECTED_STATUS = {
    "daily_orders_file_load": "migrated",
    "customer_orders_incremental": "migrated_with_custom_nodes",
    "legacy_retired_extract": "skipped",
    "daily_sales_by_region": "migrated",
}


def run_migrate(args: list[str]) -> None:
    result = CliRunner().invoke(cli, ["migrate", *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output


def test_cli_contract_on_the_sample(tmp_path: Path) -> None:
    db = build_sqlite(tmp_path / "edls.db")
    out = tmp_path / "out"
    run_migrate(["--metadata", f"sqlite:///{db}", "--out", str(out)])
    report = json.loads((out / "report.json").read_text())
    assert {j["job_name"]: j["status"] for j in report["jobs"]} == EXPECTED_STATUS
    assert all(set(j) >= {"job_name", "status", "errors"} for j in report["jobs"])
    written = sorted(p.stem for p in (out / "jobs").glob("*.json"))
    assert written == sorted(n for n, s in EXPECTED_STATUS.items() if s.startswith("migrated"))
    for path in (out / "jobs").glob("*.json"):
        request = json.loads(path.read_text())
        assert request["Name"] == path.stem
        assert validate_request("CreateJob", request) == []
        assert validate_dag(request["CodeGenConfigurationNodes"]) == []
        ast.parse((out / "scripts" / f"{path.stem}.py").read_text())
    markdown = (out / "report.md").read_text()
    assert "```mermaid" in markdown and "flowchart LR" in markdown
    assert (out / "dags" / "daily_orders_file_load.svg").read_text().lstrip().startswith("<?xml")
    # no secret: the metadata holds secret *names* only, and no password-like value may appear anywhere
    for path in out.rglob("*.json"):
        assert "secret_ref" not in path.read_text() and "edls/sales_pg" not in path.read_text()


def test_rerun_is_byte_identical(tmp_path: Path) -> None:
    db = build_sqlite(tmp_path / "edls.db")
    snapshots = []
    for name in ("a", "b"):
        out = tmp_path / name
        run_migrate(["--metadata", f"sqlite:///{db}", "--out", str(out)])
        snapshots.append({str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()})
    assert snapshots[0] == snapshots[1]
    assert len(snapshots[0]) >= 10


def test_jobs_option_and_unknown_job(tmp_path: Path) -> None:
    db = build_sqlite(tmp_path / "edls.db")
    out = tmp_path / "out"
    run_migrate(["--metadata", f"sqlite:///{db}", "--out", str(out), "--jobs", "daily_sales_by_region"])
    assert [j["job_name"] for j in json.loads((out / "report.json").read_text())["jobs"]] == ["daily_sales_by_region"]
    result = CliRunner().invoke(cli, ["migrate", "--metadata", f"sqlite:///{db}", "--out", str(out), "--jobs", "nope"])
    assert result.exit_code != 0 and "nope" in str(result.exception)


def test_missing_metadata_file_is_a_user_error(tmp_path: Path) -> None:
    from glueforge.errors import NotFoundError
    from migration.reader import read_metadata

    with pytest.raises(NotFoundError, match="does not exist"):
        read_metadata(f"sqlite:///{tmp_path}/missing.db")


def test_generated_jobs_all_validate_and_broken_ones_fail(tmp_path: Path) -> None:
    from migration.migrator import Migrator

    builder, broken = generate(120, broken_share=0.3, seed=3)
    results = Migrator(builder.metadata()).migrate_all()
    by_name = {r.job_name: r for r in results}
    assert broken and all(by_name[name].status in ("failed", "skipped") for name in broken)
    healthy = [r for r in results if r.job_name not in broken and r.status != "skipped"]
    assert healthy and all(r.request is not None for r in healthy), [r.errors for r in healthy if r.errors][:3]
    for result in healthy:
        assert validate_request("CreateJob", result.request, memo=False) == []


def test_validation_catches_what_botocore_skips() -> None:
    request = {
        "Name": "j",
        "Role": "r",
        "Command": {"Name": "glueetl"},
        "CodeGenConfigurationNodes": {
            "node-1": {"S3CsvSource": {"Name": "s", "Paths": ["s3://a"], "Separator": "comma", "QuoteChar": "bogus"}},
            "node-2": {"Join": {"Name": "j\nk", "Inputs": ["node-1"], "JoinType": "equijoin", "Columns": []}},
        },
    }
    problems = " | ".join(validate_request("CreateJob", request))
    assert "'bogus' is not one of" in problems  # enum
    assert "does not match the pattern" in problems  # node name with a newline
    assert "Columns" in problems  # min length from botocore


@pytest.mark.parametrize(
    ("nodes", "fragment"),
    [
        ({"bad id": {"S3CsvSource": {"Name": "a"}}}, "does not match"),
        ({"n1": {"S3CsvSource": {"Name": "a"}}, "n2": {"Join": {"Name": "j", "Inputs": ["n1"]}}}, "exactly 2 inputs"),
        (
            {"n1": {"S3CsvSource": {"Name": "a"}}, "n2": {"DynamicTransform": {"Inputs": ["n1", "n1"]}}},
            "exactly 1 input",
        ),
        ({"n1": {"S3CsvSource": {"Name": "a"}, "Filter": {}}}, "exactly one node type"),
        ({"n1": {"Filter": {"Inputs": ["n2"]}}, "n2": {"Filter": {"Inputs": ["n1"]}}}, "cycle"),
        (
            {"n1": {"S3CsvSource": {"Name": "a"}}, "n2": {"S3DirectTarget": {"Inputs": ["n9"]}}},
            "not a node of this job",
        ),
        ({"n1": {"S3CsvSource": {"Name": "a"}}}, "nothing consumes"),
        (
            {
                "n1": {"S3CsvSource": {}},
                "n2": {"S3CsvSource": {}},
                "n3": {"SparkSQL": {"Inputs": ["n1", "n2"], "SqlAliases": [{"From": "n4", "Alias": "x"}]}},
                "n4": {"S3DirectTarget": {"Inputs": ["n3"]}},
            },
            "SqlAlias.From 'n4'",
        ),
    ],
)
def test_dag_validation_rules(nodes: dict, fragment: str) -> None:
    assert fragment in " | ".join(validate_dag(nodes))


def test_reading_selected_jobs_matches_reading_all(tmp_path: Path) -> None:
    from migration.migrator import Migrator
    from migration.reader import read_metadata

    builder, broken = generate(60, broken_share=0.5, seed=5)
    db = builder.write_sqlite(tmp_path / "gen.db")
    everything = {r.job_name: r for r in Migrator(read_metadata(f"sqlite:///{db}")).migrate_all()}
    cross_job = next(name for name, kind in broken.items() if kind == "cross_job")
    for name in [cross_job, *list(everything)[:10]]:
        (one,) = Migrator(read_metadata(f"sqlite:///{db}", job_names=[name])).migrate_all()
        assert (one.status, one.errors, one.request) == (
            everything[name].status,
            everything[name].errors,
            everything[name].request,
        )
    assert "another job" in " ".join(everything[cross_job].errors)


def test_a_node_type_without_a_script_writer_fails_generation_not_the_glue_run() -> None:
    from migration.script import glue_script, unsupported_node_types

    nodes = {
        "node-1": {"S3CsvSource": {"Name": "src", "Paths": ["s3://b/k/"], "Separator": "comma", "QuoteChar": "quote"}},
        "node-2": {"Route": {"Name": "route", "Inputs": ["node-1"], "GroupFiltersList": []}},
    }
    assert unsupported_node_types(nodes) == ["Route"]
    with pytest.raises(ValueError, match="no Glue script writer for node type Route"):
        glue_script("job", nodes)
