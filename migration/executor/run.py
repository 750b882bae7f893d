"""Execute a CreateJob request's DAG: validate it, then run every node in topological order."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from glueforge.errors import InputError
from migration.dag import node_fields, node_type, topological_order, validate_dag
from migration.executor import ExecutionContext, JobRunError, load_executors

if TYPE_CHECKING:
    from pyspark.sql import DataFrame


def run_dag(request: dict[str, Any], ctx: ExecutionContext) -> dict[str, Any]:
    """Run the job; returns ``{"job_name", "written": {node: rows}, "warnings": [...]}``."""
    nodes = request.get("CodeGenConfigurationNodes")
    if not isinstance(nodes, dict) or not nodes:
        raise InputError("the request has no CodeGenConfigurationNodes (not a visual job)", where=ctx.job_name)
    problems = validate_dag(nodes)
    if problems:
        raise InputError("invalid DAG: " + "; ".join(problems), where=ctx.job_name)
    executors = load_executors()
    unknown = sorted({node_type(n) for n in nodes.values()} - set(executors))
    if unknown:
        raise InputError(f"no local executor for node type(s) {', '.join(unknown)}", where=ctx.job_name)
    frames: dict[str, DataFrame] = {}
    for node_id in topological_order(nodes):
        kind, fields = node_type(nodes[node_id]), node_fields(nodes[node_id])
        inputs = [frames[i] for i in fields.get("Inputs", []) or []]
        try:
            output = executors[kind](ctx, node_id, fields, inputs)
        except JobRunError:
            raise
        except InputError as exc:
            raise JobRunError(
                f"node {node_id} ({kind} {fields.get('Name', '')!r}): {exc.message}", where=f"job {ctx.job_name}"
            ) from exc
        except Exception as exc:  # Spark AnalysisException & co: name the node, keep the cause chained
            first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise JobRunError(
                f"node {node_id} ({kind} {fields.get('Name', '')!r}) failed: {first_line}", where=f"job {ctx.job_name}"
            ) from exc
        if output is not None:
            frames[node_id] = output
    return {"job_name": ctx.job_name, "written": dict(ctx.written), "warnings": list(ctx.warnings)}
