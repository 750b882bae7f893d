"""Migrate jobs: legacy metadata -> validated CreateJob requests (+ scripts), one result per job.

A job either migrates completely (graph valid, request valid against botocore's model) or fails with
every reason found; a failure never stops the other jobs.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from migration.custom_transforms import CustomNodes, TransformCatalog
from migration.dag import DagBuilder, node_type, validate_dag
from migration.handlers import StepContext, StepError, Upstream, load_handlers
from migration.job_request import create_job_request
from migration.legacy_model import WORKER_PROFILES, LegacyJob, LegacyMetadata
from migration.options import MigrationOptions
from migration.script import unsupported_node_types
from migration.step_graph import build_step_graph, step_label
from migration.validation import validate_request

Status = Literal["migrated", "migrated_with_custom_nodes", "failed", "skipped"]


@dataclass
class JobResult:
    job_name: str
    job_id: int
    tenant: str
    status: Status
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    request: dict[str, Any] | None = None
    custom_transforms: list[str] = field(default_factory=list)

    @property
    def nodes(self) -> dict[str, Any]:
        return (self.request or {}).get("CodeGenConfigurationNodes", {})

    def node_types(self) -> Counter[str]:
        return Counter(node_type(n) for n in self.nodes.values())

    def summary(self) -> dict[str, Any]:
        return {
            "job_name": self.job_name,
            "job_id": self.job_id,
            "tenant": self.tenant,
            "status": self.status,
            "errors": self.errors,
            "warnings": self.warnings,
            "custom_transforms": self.custom_transforms,
            "node_count": len(self.nodes),
            "node_types": dict(sorted(self.node_types().items())),
        }


@dataclass
class Migrator:
    metadata: LegacyMetadata
    options: MigrationOptions = field(default_factory=MigrationOptions)
    catalog: TransformCatalog = field(default_factory=TransformCatalog)

    def __post_init__(self) -> None:
        self.handlers = load_handlers()
        self.step_owner = self.metadata.step_owner()

    def migrate(self, job: LegacyJob) -> JobResult:
        result = JobResult(job.job_name, job.job_id, job.tenant, "failed")
        if not job.is_active:
            result.status = "skipped"
            result.warnings.append("retired job (is_active = 0): not migrated")
            return result
        try:
            self._migrate(job, result)
        except StepError as exc:  # a handler bug-free failure outside a step
            result.errors.append(f"job {job.job_name!r}: {exc}")
        if result.errors:
            result.status, result.request = "failed", None
        return result

    def _migrate(self, job: LegacyJob, result: JobResult) -> None:
        where = f"job {job.job_name!r}"
        if job.worker_profile not in WORKER_PROFILES:
            result.errors.append(
                f"{where}: unknown worker_profile {job.worker_profile!r} (known: {', '.join(WORKER_PROFILES)})"
            )
        graph, problems = build_step_graph(job, self.step_owner, set(self.handlers))
        result.errors += [f"{where}: {p}" for p in problems]
        if graph is None:
            return
        builder = DagBuilder()
        custom = CustomNodes(self.catalog, self.options)
        outputs: dict[int, str] = {}
        connections: set[str] = set()
        by_id = {s.step_id: s for s in job.steps}
        for step in graph.ordered:
            deps = graph.inputs.get(step.step_id, [])
            upstream = [
                Upstream(by_id[d.depends_on_step_id], d.input_alias, outputs[d.depends_on_step_id])
                for d in deps
                if d.depends_on_step_id in outputs
            ]
            if len(upstream) != len(deps):
                continue  # an input step failed; its error is already reported
            ctx = StepContext(job, step, upstream, builder, self.metadata.connections, self.options, custom)
            try:
                outputs[step.step_id] = self.handlers[step.step_type](ctx)
            except StepError as exc:
                result.errors.append(f"{where}, {step_label(step)} [{step.step_type}]: {exc}")
            result.warnings += ctx.warnings
            connections |= ctx.used_connections
        if result.errors:
            return
        result.errors += [f"{where}: DAG: {p}" for p in validate_dag(builder.nodes)]
        result.errors += [
            f"{where}: no Glue script writer for node type {kind}" for kind in unsupported_node_types(builder.nodes)
        ]
        if result.errors:
            return
        result.custom_transforms = sorted(custom.used)
        request = create_job_request(job, builder.nodes, sorted(connections), result.custom_transforms, self.options)
        result.errors += [f"{where}: CreateJob request: {p}" for p in validate_request("CreateJob", request)]
        if not result.errors:
            result.request = request
            result.status = "migrated_with_custom_nodes" if custom.used else "migrated"

    def migrate_all(self) -> list[JobResult]:
        return [self.migrate(job) for job in self.metadata.jobs]


def request_json(data: Any) -> str:
    """Canonical, byte-stable JSON: sorted keys, objects expanded two levels deep (one DAG node per line, so
    reviews diff node by node), deeper values compact. Uses the C encoder (``indent=`` would not)."""
    return _dumps(data, 0) + "\n"


def _dumps(value: Any, depth: int) -> str:
    if isinstance(value, dict) and value and depth < 2:
        pad = "  " * (depth + 1)
        items = [f"{pad}{json.dumps(str(k), ensure_ascii=False)}: {_dumps(value[k], depth + 1)}" for k in sorted(value)]
        return "{\n" + ",\n".join(items) + "\n" + "  " * depth + "}"
    if isinstance(value, list) and value and depth < 2 and any(isinstance(v, dict) for v in value):
        pad = "  " * (depth + 1)
        return "[\n" + ",\n".join(pad + _dumps(v, depth + 1) for v in value) + "\n" + "  " * depth + "]"
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(", ", ": "))


def write_json(path: Path, data: Any) -> None:
    """Write atomically (temp file + rename) so a crash never leaves a half-written file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.tmp")
    temp.write_text(request_json(data), encoding="utf-8")
    temp.replace(path)
