"""Read the legacy EDLS metadata database through SQLAlchemy (a SQLite file, or PostgreSQL for the real RDS).

Four queries, whatever the number of jobs: rows are grouped in Python, so reading 5,000 jobs costs the
same round trips as reading one.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from glueforge.errors import InputError, NotFoundError, SourceError
from glueforge.lakehouse import check_identifier
from migration.legacy_model import (
    LegacyConnection,
    LegacyDependency,
    LegacyJob,
    LegacyMetadata,
    LegacyStep,
)

TABLES = ("edls_connection", "edls_job", "edls_job_step", "edls_step_dependency")


def read_metadata(url: str, *, schema: str | None = None, job_names: list[str] | None = None) -> LegacyMetadata:
    """Every job (active or retired) with its steps and the dependencies that concern it.

    ``schema`` qualifies the table names (PostgreSQL); ``job_names`` restricts to those jobs (unknown names
    are an error: a typo must not silently migrate nothing).
    """
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise InputError(f"{url!r} is not a SQLAlchemy URL (e.g. sqlite:///edls.db)", where="--metadata") from None
    if parsed.get_backend_name() == "sqlite" and parsed.database and not Path(parsed.database).is_file():
        raise NotFoundError(f"metadata database {parsed.database} does not exist", where="--metadata")
    prefix = f"{check_identifier(schema, 'schema')}." if schema else ""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            if job_names:
                rows, foreign = _read_jobs(conn, prefix, sorted(set(job_names)))
            else:
                rows = {
                    table: [dict(r._mapping) for r in conn.execute(text(f"SELECT * FROM {prefix}{table}"))]
                    for table in TABLES
                }
                foreign = {}
    except SQLAlchemyError as exc:
        # The driver message names the missing table/column; it never holds a password (URLs are not echoed).
        reason = str(getattr(exc, "orig", exc)).splitlines()[0]
        raise SourceError(f"cannot read the EDLS metadata: {reason}", where=parsed.render_as_string()) from None
    finally:
        engine.dispose()
    metadata = assemble(rows, foreign)
    if job_names:
        unknown = sorted(set(job_names) - {job.job_name for job in metadata.jobs})
        if unknown:
            raise NotFoundError(f"no such job(s) in the metadata: {', '.join(unknown)}", where="--jobs")
    return metadata


def _read_jobs(conn: Any, prefix: str, names: list[str]) -> tuple[dict[str, list[dict[str, Any]]], dict[int, int]]:
    """Only the named jobs' rows (a few jobs out of 5,000 should not read all of them), plus the owner of
    every step id their dependencies mention."""
    params = {f"n{i}": name for i, name in enumerate(names)}
    in_names = ", ".join(f":{key}" for key in params)
    jobs_sql = f"SELECT job_id FROM {prefix}edls_job WHERE job_name IN ({in_names})"
    steps_sql = f"SELECT step_id FROM {prefix}edls_job_step WHERE job_id IN ({jobs_sql})"

    def fetch(sql: str) -> list[dict[str, Any]]:
        return [dict(r._mapping) for r in conn.execute(text(sql), params)]

    rows = {
        "edls_connection": fetch(f"SELECT * FROM {prefix}edls_connection"),
        "edls_job": fetch(f"SELECT * FROM {prefix}edls_job WHERE job_name IN ({in_names})"),
        "edls_job_step": fetch(f"SELECT * FROM {prefix}edls_job_step WHERE job_id IN ({jobs_sql})"),
        "edls_step_dependency": fetch(
            f"SELECT * FROM {prefix}edls_step_dependency WHERE step_id IN ({steps_sql}) "
            f"OR depends_on_step_id IN ({steps_sql})"
        ),
    }
    mentioned = {d["step_id"] for d in rows["edls_step_dependency"]}
    mentioned |= {d["depends_on_step_id"] for d in rows["edls_step_dependency"]}
    mentioned -= {s["step_id"] for s in rows["edls_job_step"]}
    foreign: dict[int, int] = {}
    if mentioned:
        ids = ", ".join(str(int(i)) for i in sorted(mentioned))
        for r in conn.execute(text(f"SELECT step_id, job_id FROM {prefix}edls_job_step WHERE step_id IN ({ids})")):
            foreign[int(r[0])] = int(r[1])
    return rows, foreign


def assemble(rows: dict[str, list[dict[str, Any]]], foreign_steps: dict[int, int] | None = None) -> LegacyMetadata:
    """Group raw table rows into jobs (pure; the generator and tests use it too)."""
    connections = {
        r["connection_name"]: LegacyConnection(
            connection_name=r["connection_name"],
            db_type=r["db_type"],
            jdbc_url=r["jdbc_url"],
            secret_ref=r.get("secret_ref"),
        )
        for r in rows["edls_connection"]
    }
    steps_by_job: dict[int, list[LegacyStep]] = defaultdict(list)
    owner: dict[int, int] = {}
    for r in rows["edls_job_step"]:
        step = LegacyStep(
            step_id=int(r["step_id"]),
            job_id=int(r["job_id"]),
            step_name=str(r["step_name"]),
            step_type=str(r["step_type"]),
            step_order=int(r["step_order"]),
            config=str(r["config"] or ""),
        )
        steps_by_job[step.job_id].append(step)
        owner[step.step_id] = step.job_id
    deps_by_job: dict[int, list[LegacyDependency]] = defaultdict(list)
    for r in rows["edls_step_dependency"]:
        dep = LegacyDependency(
            step_id=int(r["step_id"]),
            depends_on_step_id=int(r["depends_on_step_id"]),
            input_alias=r.get("input_alias"),
        )
        job_id = owner.get(dep.step_id, owner.get(dep.depends_on_step_id))
        if dep.step_id not in owner and foreign_steps and dep.step_id in foreign_steps:
            continue  # the consumer belongs to a job that was not read: its own migration reports it
        if job_id is not None:
            deps_by_job[job_id].append(dep)
    jobs = []
    for r in sorted(rows["edls_job"], key=lambda r: int(r["job_id"])):
        job_id = int(r["job_id"])
        jobs.append(
            LegacyJob(
                job_id=job_id,
                job_name=str(r["job_name"]),
                tenant=str(r["tenant"]),
                description=r.get("description"),
                schedule_cron=r.get("schedule_cron"),
                is_active=bool(int(r["is_active"])),
                worker_profile=str(r.get("worker_profile") or "small"),
                updated_at=str(r.get("updated_at") or ""),
                steps=sorted(steps_by_job.get(job_id, []), key=lambda s: (s.step_order, s.step_id)),
                dependencies=sorted(deps_by_job.get(job_id, []), key=lambda d: (d.step_id, d.depends_on_step_id)),
            )
        )
    return LegacyMetadata(connections=connections, jobs=jobs, foreign_steps=dict(foreign_steps or {}))
