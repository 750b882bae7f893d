"""Benchmark: migrate 5,000 generated EDLS jobs to validated CreateJob requests, then deploy them to a
stubbed Glue endpoint that throttles.

    .venv/bin/python -m bench.migrate_bench [--jobs 5000] [--baseline-jobs 200] [--deploy-jobs 5000]

Migration: wall time and peak memory (the process's max RSS, read before and after the migration)
of ``glueforge migrate`` on a SQLite metadata DB (read -> map -> DAG checks -> botocore validation ->
jobs/*.json + scripts + report). Baseline, same run: the naive per-job loop a first migration script
would be (one ``--jobs NAME`` invocation per job: re-read the metadata, rebuild the botocore model and
transform registry, validate every node from scratch), timed on ``--baseline-jobs`` jobs and scaled.

Deploy: every migrated job through ``deploy_requests`` (8 threads, botocore adaptive retries) against an
in-process Glue endpoint (a botocore ``before-send`` hook) that throttles above a call rate and at random; checks that
every job exists exactly once and a re-run only updates.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, cast

from migration.generator import generate


def migrate_once(db: Path, out: Path, job_names: list[str] | None = None) -> list[Any]:
    from migration.options import MigrationOptions
    from migration.outputs import migrate_to_dir
    from migration.reader import read_metadata

    metadata = read_metadata(f"sqlite:///{db}", job_names=job_names)
    return migrate_to_dir(metadata, out, MigrationOptions(), svg=False)


def bench_migration(jobs: int, baseline_jobs: int, work: Path) -> dict[str, Any]:
    builder, broken = generate(jobs)
    db = builder.write_sqlite(work / "edls.db")
    steps = len(builder.rows["edls_job_step"])
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started, cpu_started = time.perf_counter(), time.process_time()
    results = migrate_once(db, work / "out")
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    by_status: dict[str, int] = {}
    for result in results:
        by_status[result.status] = by_status.get(result.status, 0) + 1
    missed = [n for n in broken if next(r for r in results if r.job_name == n).status not in ("failed", "skipped")]
    nodes = sum(len(r.nodes) for r in results)

    # Baseline: the naive loop, one job per invocation, with the process-wide caches cleared each time.
    import migration.custom_transforms as custom_transforms
    from migration import validation

    names = [r.job_name for r in results][:baseline_jobs]
    started, cpu_started = time.perf_counter(), time.process_time()
    for name in names:
        validation.glue_model.cache_clear()
        validation.operation.cache_clear()
        validation.node_shape.cache_clear()
        validation._node_problems.cache_clear()
        custom_transforms.TransformCatalog._packages = None
        migrate_once(db, work / "baseline", [name])
    baseline_per_job = (time.perf_counter() - started) / len(names)
    baseline_cpu_per_job = (time.process_time() - cpu_started) / len(names)
    return {
        "jobs": jobs,
        "steps": steps,
        "nodes": nodes,
        "statuses": by_status,
        "broken_injected": len(broken),
        "broken_not_reported": missed,
        "wall_s": round(wall, 2),
        "cpu_s": round(cpu, 2),
        "jobs_per_s": round(jobs / wall, 1),
        "load_average_1min": round(os.getloadavg()[0], 1),
        "max_rss_mb_before": round(rss_before, 1),
        "max_rss_mb_after_migration": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "baseline_jobs_timed": len(names),
        "baseline_s_per_job": round(baseline_per_job, 4),
        "baseline_wall_s_scaled": round(baseline_per_job * jobs, 1),
        "speedup_vs_baseline": round(baseline_per_job * jobs / wall, 1),
        "baseline_cpu_s_per_job": round(baseline_cpu_per_job, 4),
        "cpu_speedup_vs_baseline": round(baseline_cpu_per_job * jobs / cpu, 1),
    }


class ThrottlingGlue:
    """In-process Glue: jobs in a dict; a server-side token bucket (``rate`` calls/s, burst ``rate``) answers
    ThrottlingException when it is empty, plus a random ``share`` of calls throttled regardless."""

    def __init__(self, rate: float, throttle_share: float, seed: int = 11) -> None:
        self.jobs: dict[str, dict[str, Any]] = {}
        self.creates: dict[str, int] = {}
        self.calls = self.throttled = 0
        self.rate, self.tokens, self.stamp = rate, rate, time.monotonic()
        self.share = throttle_share
        self.rng = random.Random(seed)
        self.lock = threading.Lock()

    def _allowed(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.rate, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens < 1 or self.rng.random() < self.share:
            return False
        self.tokens -= 1
        return True

    def __call__(self, request: Any, **_: Any) -> Any:
        from botocore.awsrequest import AWSResponse, HTTPHeaders

        operation = request.headers["X-Amz-Target"].decode().split(".")[-1]
        body = json.loads(request.body or b"{}")

        def reply(status: int, payload: dict[str, Any]) -> AWSResponse:
            return AWSResponse("https://glue", status, HTTPHeaders(), _Raw(json.dumps(payload).encode()))

        with self.lock:
            self.calls += 1
            if not self._allowed():
                self.throttled += 1
                return reply(400, {"__type": "ThrottlingException", "message": "Rate exceeded"})
            if operation == "GetJob":
                if body["JobName"] in self.jobs:
                    return reply(200, {"Job": {"Name": body["JobName"]}})
                return reply(400, {"__type": "EntityNotFoundException", "message": "not found"})
            if operation == "CreateJob":
                if body["Name"] in self.jobs:
                    return reply(400, {"__type": "AlreadyExistsException", "message": "exists"})
                self.jobs[body["Name"]] = body
                self.creates[body["Name"]] = self.creates.get(body["Name"], 0) + 1
                return reply(200, {"Name": body["Name"]})
            self.jobs[body["JobName"]].update(body["JobUpdate"])
            return reply(200, {"JobName": body["JobName"]})


class _Raw:
    def __init__(self, data: bytes) -> None:
        self.data = data

    def stream(self, **_: Any) -> Any:
        yield self.data


def bench_deploy(out: Path, limit: int, rate: float, throttle_share: float, concurrency: int) -> dict[str, Any]:
    import boto3
    from botocore.awsrequest import AWSResponse, HTTPHeaders

    from migration.deploy import DeployTarget, deploy_requests, retry_config

    paths = sorted((out / "jobs").glob("*.json"))[:limit]
    requests = [json.loads(p.read_text()) for p in paths]
    scripts = {r["Name"]: (out / "scripts" / f"{r['Name']}.py").read_text() for r in requests}
    transforms = {
        t
        for r in requests
        for t in ("detect_pii", "incremental_jdbc_ingest")
        if t in r["DefaultArguments"].get("--extra-py-files", "")
    }
    endpoint = ThrottlingGlue(rate, throttle_share)
    glue = boto3.client(
        "glue",
        region_name="eu-west-1",
        aws_access_key_id="x",
        aws_secret_access_key="y",
        config=retry_config(concurrency),
    )
    glue.meta.events.register("before-send.glue", endpoint)
    s3 = boto3.client("s3", region_name="eu-west-1", aws_access_key_id="x", aws_secret_access_key="y")
    s3.meta.events.register(
        "before-send.s3",
        cast(Any, lambda request, **_: AWSResponse(request.url, 200, HTTPHeaders(), _Raw(b""))),
    )
    target = DeployTarget("eu-west-1", "glueforge-glue-assets", "glueforge-glue-assets")
    runs = []
    for _ in range(2):  # first run creates, second run (same requests) must only update
        started, cpu_started = time.perf_counter(), time.process_time()
        outcome = deploy_requests(
            requests, scripts, target, glue=glue, s3=s3, concurrency=concurrency, transforms=transforms
        )
        runs.append(
            {
                "wall_s": round(time.perf_counter() - started, 1),
                "cpu_s": round(time.process_time() - cpu_started, 1),
                **outcome.summary(),
            }
        )
    expected = {r["Name"] for r in requests}
    return {
        "jobs": len(requests),
        "server_rate_per_s": rate,
        "random_throttle_share": throttle_share,
        "concurrency": concurrency,
        "runs": runs,
        "calls": endpoint.calls,
        "throttled": endpoint.throttled,
        "lost": sorted(expected - set(endpoint.jobs)),
        "duplicated": sorted(n for n, c in endpoint.creates.items() if c > 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=5000)
    parser.add_argument("--baseline-jobs", type=int, default=200)
    parser.add_argument("--deploy-jobs", type=int, default=5000)
    parser.add_argument("--rate", type=float, default=200.0, help="server-side calls/s before throttling")
    parser.add_argument(
        "--throttle-share",
        type=float,
        default=0.0,
        help="share of calls throttled at random (adaptive mode slows down on each)",
    )
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temp:
        work = Path(temp)
        migration = bench_migration(args.jobs, args.baseline_jobs, work)
        print(json.dumps({"migration": migration}, indent=2), flush=True)
        deploy = bench_deploy(work / "out", args.deploy_jobs, args.rate, args.throttle_share, args.concurrency)
        print(json.dumps({"deploy": deploy}, indent=2))


if __name__ == "__main__":
    main()
