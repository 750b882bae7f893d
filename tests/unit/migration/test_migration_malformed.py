"""Every malformed-metadata case of SCHEMA.md fails its own job, named with the step and the problem,
while the healthy job next to it still migrates."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from migration.generator import MetadataBuilder, db_ingest, file_ingest, persist, transform
from migration.migrator import JobResult, Migrator

Breaker = Callable[[MetadataBuilder, dict[str, int]], None]


def build(breaker: Breaker) -> list[JobResult]:
    builder = MetadataBuilder()
    for job_id, name in ((1, "healthy_job"), (2, "broken_job")):
        builder.job(job_id, name)
        read = builder.step(job_id, "read", "FILE_INGEST", file_ingest("s3://r/"), 1, step_id=job_id * 10 + 1)
        shape = builder.step(job_id, "shape", "DATA_TRANSFORM", transform("rename"), 2, step_id=job_id * 10 + 2)
        write = builder.step(job_id, "write", "DATA_PERSISTENCE", persist(), 3, step_id=job_id * 10 + 3)
        builder.edge(shape, read)
        builder.edge(write, shape)
    breaker(builder, {"read": 21, "shape": 22, "write": 23})
    return Migrator(builder.metadata()).migrate_all()


def _config(builder: MetadataBuilder, step_id: int, text: str) -> None:
    next(s for s in builder.rows["edls_job_step"] if s["step_id"] == step_id)["config"] = text


CASES: dict[str, tuple[Breaker, list[str]]] = {
    "cycle": (lambda b, s: b.edge(s["read"], s["write"]), ["cycle", "'read'"]),
    "cross_job_edge": (lambda b, s: b.edge(s["shape"], 11), ["step 'shape' (id 22)", "another job (id 1)"]),
    "dangling_edge": (lambda b, s: b.edge(s["shape"], 424242), ["step id 424242", "does not exist"]),
    "unknown_step_type": (
        lambda b, s: b.edge(s["write"], b.step(2, "mystery", "SHELL_SCRIPT", {"cmd": "ls"}, 1, step_id=29)),
        ["'mystery'", "unknown step type 'SHELL_SCRIPT'"],
    ),
    "malformed_json": (
        lambda b, s: _config(b, s["shape"], '{"rules": [ {"op": "rename"'),
        ["'shape'", "not valid JSON"],
    ),
    "unknown_rule_op": (
        lambda b, s: _config(b, s["shape"], '{"rules": [{"op": "pivot"}]}'),
        ["'shape'", "unknown rule op 'pivot'"],
    ),
    "duplicate_step_names": (
        lambda b, s: next(r for r in b.rows["edls_job_step"] if r["step_id"] == s["shape"]).update(step_name="read"),
        ["step name 'read'", "several steps"],
    ),
    "unconsumed_step": (
        lambda b, s: b.step(2, "orphan", "FILE_INGEST", file_ingest("s3://x/"), 1, step_id=28),
        ["'orphan'", "nothing consumes"],
    ),
    "unknown_connection": (
        lambda b, s: (
            _config(b, s["read"], '{"connection": "nope", "table": "a.b"}')
            or next(r for r in b.rows["edls_job_step"] if r["step_id"] == s["read"]).update(step_type="DB_INGEST")
        ),
        ["'read'", "connection 'nope'"],
    ),
    "config_shape": (lambda b, s: _config(b, s["write"], '{"target": {"type": "ftp"}}'), ["'write'", "config"]),
    "unknown_worker_profile": (
        lambda b, s: next(j for j in b.rows["edls_job"] if j["job_id"] == 2).update(worker_profile="huge"),
        ["worker_profile 'huge'"],
    ),
    "cycle_through_persistence": (lambda b, s: b.edge(s["shape"], s["write"]), ["cycle"]),
    "source_with_inputs": (
        lambda b, s: b.edge(s["read"], b.step(2, "pre", "DB_INGEST", db_ingest(), 0, step_id=27)),
        ["'read'", "source and cannot depend"],
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_malformed_job_fails_alone(case: str) -> None:
    breaker, expected = CASES[case]
    healthy, broken = build(breaker)
    assert healthy.status == "migrated", healthy.errors
    assert broken.status == "failed"
    assert broken.request is None
    text = " | ".join(broken.errors)
    assert "job 'broken_job'" in text
    for fragment in expected:
        assert fragment in text, text


def test_retired_jobs_are_skipped() -> None:
    builder = MetadataBuilder()
    builder.job(1, "old_job", active=False)
    (result,) = Migrator(builder.metadata()).migrate_all()
    assert result.status == "skipped" and result.request is None


def test_job_without_steps_fails() -> None:
    builder = MetadataBuilder()
    builder.job(1, "empty_job")
    (result,) = Migrator(builder.metadata()).migrate_all()
    assert result.status == "failed" and "no steps" in result.errors[0]
