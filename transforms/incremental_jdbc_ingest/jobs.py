"""Several ingests in one Spark session, from a jobs file: how a many-table Glue job runs them.

A fresh JVM pays seconds of class loading and JIT compilation on its first ingest; the second and later
tables of the same session do not (see docs/benchmarks.md: a 1% run of a 2M-row table takes 2.8-3.1 s warm
against 8.3-9.1 s as the first work of a JVM). The file is validated as a whole before any job runs; a job that
then fails (source down, bad column) is reported and the others still run.

    defaults:                       # merged under every job
      url: jdbc:postgresql://db:5432/app
      user: etl
      password_env: APP_DB_PASSWORD
    jobs:
      - {table: orders, cursor_column: updated_at, primary_keys: id, target_table: bronze.orders}
      - {name: customers, table: customers, cursor_column: changed_at, primary_keys: id,
         target_table: bronze.customers, lookback_seconds: 300}
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import yaml

from glueforge.errors import InputError, NotFoundError, UserError
from transforms.incremental_jdbc_ingest.ingest import run_ingest, run_ingest_without_session
from transforms.incremental_jdbc_ingest.options import IngestOptions, parse_options

if TYPE_CHECKING:
    from pyspark.sql import SparkSession


@dataclass(frozen=True)
class IngestJob:
    name: str
    options: IngestOptions


@dataclass(frozen=True)
class JobOutcome:
    name: str
    target: str
    status: str  # the run summary's status, or "failed"
    summary: dict[str, Any] | None
    error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def load_jobs(path: Path) -> list[IngestJob]:
    """Every job of a JSON or YAML jobs file, each checked as ``ingest`` would check it; the first problem
    raises an ``InputError`` naming the file, the job and the field."""
    if not path.is_file():
        raise NotFoundError(f"no jobs file {path}", where="--jobs")
    try:
        data = json.loads(path.read_text()) if path.suffix == ".json" else yaml.safe_load(path.read_text())
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise InputError(f"not valid {'JSON' if path.suffix == '.json' else 'YAML'}: {exc}", where=str(path)) from None
    if not isinstance(data, dict) or not isinstance(data.get("jobs"), list) or not data["jobs"]:
        raise InputError("expected a mapping with a non-empty `jobs` list (and optional `defaults`)", where=str(path))
    defaults = data.get("defaults") or {}
    unknown = set(data) - {"jobs", "defaults"}
    if not isinstance(defaults, dict) or unknown:
        what = f"unknown top-level keys {sorted(unknown)}" if unknown else "`defaults` must be a mapping"
        raise InputError(what, where=str(path))
    jobs: list[IngestJob] = []
    for index, entry in enumerate(data["jobs"]):
        where = f"{path}: jobs[{index}]"
        if not isinstance(entry, dict):
            raise InputError("each job must be a mapping of ingest parameters", where=where)
        params = {**defaults, **entry}
        name = str(params.pop("name", None) or params.get("target_table") or f"job {index + 1}")
        try:
            options = parse_options(params)
        except InputError as exc:
            raise InputError(exc.message, where=f"{where} ({name})") from None
        jobs.append(IngestJob(name, options))
    seen: dict[str, str] = {}
    for job in jobs:  # two jobs writing one target in one run would race for its watermark
        if job.options.target_table in seen:
            raise InputError(
                f"jobs {seen[job.options.target_table]!r} and {job.name!r} both write {job.options.target_table}",
                where=str(path),
            )
        seen[job.options.target_table] = job.name
    return jobs


def run_jobs(
    spark: SparkSession | Callable[[], SparkSession],
    jobs: list[IngestJob],
    on_done: Callable[[JobOutcome], None] | None = None,
    *,
    without_session: Mapping[str, str] | None = None,
) -> list[JobOutcome]:
    """Run the jobs in order in one session; a user error fails that job only (nothing of it is committed).

    ``spark``: the session, or a function that starts it. With ``without_session`` (the settings that session
    would start with), each job is first tried without the JVM, and the session is started by the first job
    that needs it."""
    outcomes = []
    session = None if callable(spark) else spark
    for job in jobs:
        try:
            result = None
            if session is None and without_session:
                result = run_ingest_without_session(without_session, job.options)
            if result is None:
                session = session or cast(Callable[[], "SparkSession"], spark)()
                result = run_ingest(session, job.options)
        except UserError as exc:
            outcome = JobOutcome(job.name, job.options.target_table, "failed", None, str(exc))
        else:
            result.release()
            summary = result.summary.as_dict()
            outcome = JobOutcome(job.name, job.options.target_table, str(summary["status"]), summary)
        outcomes.append(outcome)
        if on_done is not None:
            on_done(outcome)
    return outcomes
