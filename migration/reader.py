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
            rows = {
                table: [dict(r._mapping) for r in conn.execute(text(f"SELECT * FROM {prefix}{table}"))]
                for table in TABLES
            }
    except SQLAlchemyError as exc:
        # The driver message names the missing table/column; it never holds a password (URLs are not echoed).
        reason = str(getattr(exc, "orig", exc)).splitlines()[0]
        raise SourceError(f"cannot read the EDLS metadata: {reason}", where=parsed.render_as_string()) from None
    finally:
        engine.dispose()
    metadata = assemble(rows)
    if job_names:
        known = {job.job_name for job in metadata.jobs}
        unknown = sorted(set(job_names) - known)
        if unknown:
            raise NotFoundError(f"no such job(s) in the metadata: {', '.join(unknown)}", where="--jobs")
        wanted = set(job_names)
        metadata = LegacyMetadata(
            connections=metadata.connections, jobs=[j for j in metadata.jobs if j.job_name in wanted]
        )
    return metadata


def assemble(rows: dict[str, list[dict[str, Any]]]) -> LegacyMetadata:
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
    return LegacyMetadata(connections=connections, jobs=jobs)
