"""The jobs file of `glueforge ingest many` is checked as a whole, with errors that name the job and the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from glueforge.cli import main
from glueforge.errors import InputError, NotFoundError
from transforms.incremental_jdbc_ingest.jobs import load_jobs

JOB = {"table": "orders", "cursor_column": "updated_at", "primary_keys": "id", "target_table": "bronze.orders"}


def write(tmp_path: Path, text: str, name: str = "jobs.yml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_defaults_merge_under_each_job_and_names_default_to_the_target(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '{"defaults": {"url": "jdbc:postgresql://h/db", "lookback_seconds": 60}, "jobs": ['
        '{"table": "a", "cursor_column": "u", "primary_keys": "id", "target_table": "bronze.a"}, '
        '{"name": "b-job", "table": "b", "cursor_column": "u", "primary_keys": "id", "target_table": "bronze.b", '
        '"lookback_seconds": 0}]}',
        "jobs.json",
    )
    jobs = load_jobs(path)
    assert [job.name for job in jobs] == ["bronze.a", "b-job"]
    assert [job.options.lookback_seconds for job in jobs] == [60, 0]
    assert all(job.options.url == "jdbc:postgresql://h/db" for job in jobs)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("jobs: [", "not valid YAML"),
        ("- a\n- b\n", "non-empty `jobs` list"),
        ("jobs: []\n", "non-empty `jobs` list"),
        ("jobs: [1]\n", "jobs[0]: each job must be a mapping"),
        ("defaults: 3\njobs: [{table: t}]\n", "`defaults` must be a mapping"),
        ("job: []\njobs: [{table: t}]\n", "unknown top-level keys ['job']"),
        (
            "defaults: {url: 'jdbc:postgresql://h/db'}\n"
            "jobs: [{table: a, cursor_column: u, primary_keys: id, target_table: bronze.a},"
            " {name: second, table: b, cursor_column: 'u; drop', target_table: bronze.b}]\n",
            "jobs[1] (second)",
        ),
        (
            "defaults: {url: 'jdbc:postgresql://h/db', cursor_column: u, primary_keys: id}\n"
            "jobs: [{name: one, table: a, target_table: bronze.same},"
            " {name: two, table: b, target_table: bronze.same}]\n",
            "jobs 'one' and 'two' both write bronze.same",
        ),
    ],
)
def test_bad_jobs_files_fail_before_anything_runs(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(InputError) as caught:
        load_jobs(write(tmp_path, text))
    assert message in str(caught.value)


def test_a_missing_jobs_file_is_a_one_line_error_with_exit_code_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(NotFoundError):
        load_jobs(tmp_path / "nope.yml")
    with pytest.raises(SystemExit) as exited:
        main(["ingest", "many", "--jobs", str(tmp_path / "nope.yml")])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert "no jobs file" in err and "Traceback" not in err
