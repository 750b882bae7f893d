"""Write a migration run to a directory: ``jobs/<job>.json``, ``scripts/<job>.py``, ``report.json/.md``, DAG SVGs."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from migration.legacy_model import LegacyMetadata
from migration.migrator import JobResult, Migrator, write_json
from migration.options import MigrationOptions
from migration.report import write_report
from migration.script import glue_script

SVG_AUTO_LIMIT = 200  # one `dot` process per job: skip pictures for bulk runs unless asked


def migrate_to_dir(
    metadata: LegacyMetadata,
    out: Path,
    options: MigrationOptions,
    *,
    svg: bool | None = None,
    on_job: Callable[[JobResult], None] | None = None,
) -> list[JobResult]:
    migrator = Migrator(metadata, options)
    results: list[JobResult] = []
    for job in metadata.jobs:
        result = migrator.migrate(job)
        request_path = out / "jobs" / f"{job.job_name}.json"
        script_path = out / "scripts" / f"{job.job_name}.py"
        if result.request is not None:
            write_json(request_path, result.request)
            script_path.parent.mkdir(parents=True, exist_ok=True)
            script_path.write_text(glue_script(job.job_name, result.nodes), encoding="utf-8")
        else:  # never leave a stale request of a job that no longer migrates
            request_path.unlink(missing_ok=True)
            script_path.unlink(missing_ok=True)
        results.append(result)
        if on_job is not None:
            on_job(result)
    migrated = sum(1 for r in results if r.request is not None)
    write_report(out, results, svg=migrated <= SVG_AUTO_LIMIT if svg is None else svg)
    return results
