"""The legacy step graph of one job: structural checks and the order handlers run in.

Each problem SCHEMA.md lists (cycles, cross-job or dangling dependencies, duplicate step names, steps
nothing consumes, unknown step types) becomes a message naming the job, the step and the problem.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from dataclasses import dataclass

from migration.legacy_model import LegacyDependency, LegacyJob, LegacyStep

TERMINAL_STEP_TYPES = frozenset({"DATA_PERSISTENCE"})


@dataclass(frozen=True)
class StepGraph:
    ordered: list[LegacyStep]
    inputs: dict[int, list[LegacyDependency]]  # consumer step id -> its dependencies, in alias/step order


def step_label(step: LegacyStep) -> str:
    return f"step {step.step_name!r} (id {step.step_id})"


def build_step_graph(
    job: LegacyJob, step_owner: dict[int, int], known_step_types: set[str]
) -> tuple[StepGraph | None, list[str]]:
    """The ordered steps, or the problems that make this job's graph unusable."""
    problems: list[str] = []
    steps = {s.step_id: s for s in job.steps}
    if not steps:
        return None, ["the job has no steps"]
    names: dict[str, list[int]] = defaultdict(list)
    for step in job.steps:
        names[step.step_name].append(step.step_id)
        if step.step_type not in known_step_types:
            problems.append(f"{step_label(step)}: unknown step type {step.step_type!r}")
    for name, ids in sorted(names.items()):
        if len(ids) > 1:
            problems.append(f"step name {name!r} is used by several steps (ids {', '.join(map(str, ids))})")
    inputs: dict[int, list[LegacyDependency]] = defaultdict(list)
    consumed: set[int] = set()
    for dep in job.dependencies:
        consumer, producer = steps.get(dep.step_id), steps.get(dep.depends_on_step_id)
        if consumer is None:
            other = step_owner.get(dep.step_id)
            where = f"step id {dep.step_id}" + (f" of job id {other}" if other is not None else " (no such step)")
            problems.append(f"a dependency of {where} on step id {dep.depends_on_step_id} crosses jobs")
            continue
        if producer is None:
            owner = step_owner.get(dep.depends_on_step_id)
            if owner is None:
                problems.append(
                    f"{step_label(consumer)}: depends on step id {dep.depends_on_step_id}, which does not exist"
                )
            else:
                problems.append(
                    f"{step_label(consumer)}: depends on step id {dep.depends_on_step_id} of another job (id {owner})"
                )
            continue
        if dep.step_id == dep.depends_on_step_id:
            problems.append(f"{step_label(consumer)}: depends on itself")
            continue
        inputs[dep.step_id].append(dep)
        consumed.add(dep.depends_on_step_id)
    if problems:
        return None, problems
    ordered = _order(job.steps, inputs)
    if ordered is None:
        cyclic = [s for s in job.steps if s.step_id not in _acyclic_ids(job.steps, inputs)]
        return None, [f"the steps {', '.join(step_label(s) for s in cyclic)} form a cycle or depend on one"]
    for step in job.steps:
        unconsumed = step.step_id not in consumed and step.step_type not in TERMINAL_STEP_TYPES
        if unconsumed and step.step_type in known_step_types:
            problems.append(f"{step_label(step)}: nothing consumes its output (no persistence step after it)")
        if step.step_id in consumed and step.step_type in TERMINAL_STEP_TYPES:
            problems.append(f"{step_label(step)}: a persistence step cannot feed other steps")
    if problems:
        return None, problems
    return StepGraph(ordered, dict(inputs)), []


def _order(steps: list[LegacyStep], inputs: dict[int, list[LegacyDependency]]) -> list[LegacyStep] | None:
    """Kahn's algorithm; ties go by the legacy run order (steps come sorted by step_order, step_id)."""
    position = {s.step_id: index for index, s in enumerate(steps)}
    pending = {s.step_id: len(inputs.get(s.step_id, [])) for s in steps}
    children: dict[int, list[int]] = defaultdict(list)
    for consumer, deps in inputs.items():
        for dep in deps:
            children[dep.depends_on_step_id].append(consumer)
    ready = [(position[sid], sid) for sid, count in pending.items() if count == 0]
    heapq.heapify(ready)
    order: list[LegacyStep] = []
    while ready:
        index, sid = heapq.heappop(ready)
        order.append(steps[index])
        for child in children[sid]:
            pending[child] -= 1
            if pending[child] == 0:
                heapq.heappush(ready, (position[child], child))
    return order if len(order) == len(steps) else None


def _acyclic_ids(steps: list[LegacyStep], inputs: dict[int, list[LegacyDependency]]) -> set[int]:
    done: set[int] = set()
    changed = True
    while changed:
        changed = False
        for s in steps:
            if s.step_id not in done and all(d.depends_on_step_id in done for d in inputs.get(s.step_id, [])):
                done.add(s.step_id)
                changed = True
    return done
