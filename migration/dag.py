"""The Glue Studio node graph (``CodeGenConfigurationNodes``): deterministic ids, structure checks, order.

botocore's validator checks types and required members only; the Glue rules it omits are checked here:
one member per node, node id pattern, input arity per node type, references (``Inputs``,
``JoinColumn.From``, ``SqlAlias.From``, ``Merge.Source``) to real inputs, no cycles, and every leaf a sink.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

NODE_ID = re.compile(r"^[A-Za-z0-9_-]+$")
TWO_INPUTS = frozenset({"Join", "Union", "Merge"})
MANY_INPUTS = frozenset({"SparkSQL", "CustomCode", "EvaluateDataQualityMultiFrame"})
# DynamicTransforms that write their own target (and pass their batch on); a leaf of these is a valid sink.
WRITING_TRANSFORMS = frozenset({"incremental_jdbc_ingest", "jdbc_upsert"})
WRITING_SQL = ("MERGE INTO", "INSERT INTO", "INSERT OVERWRITE")

Nodes = dict[str, dict[str, Any]]


def node_type(node: dict[str, Any]) -> str:
    return next(iter(node))


def node_fields(node: dict[str, Any]) -> dict[str, Any]:
    fields: dict[str, Any] = next(iter(node.values()))
    return fields


def is_source(kind: str) -> bool:
    return kind.endswith("Source")


def is_sink(kind: str, fields: dict[str, Any]) -> bool:
    if kind.endswith("Target"):
        return True
    if kind == "SparkSQL":  # Iceberg MERGE/INSERT OVERWRITE run inside a SparkSQL node (Glue has no merge target)
        return str(fields.get("SqlQuery", "")).lstrip().upper().startswith(WRITING_SQL)
    return kind == "DynamicTransform" and fields.get("TransformName") in WRITING_TRANSFORMS


def arity_problem(kind: str, count: int) -> str | None:
    if is_source(kind):
        return None if count == 0 else f"a {kind} is a source and takes no inputs, got {count}"
    if kind in TWO_INPUTS:
        return None if count == 2 else f"a {kind} takes exactly 2 inputs, got {count}"
    if kind in MANY_INPUTS:
        return None if count >= 1 else f"a {kind} takes 1 or more inputs, got {count}"
    return None if count == 1 else f"a {kind} takes exactly 1 input, got {count}"


@dataclass
class DagBuilder:
    """Collects nodes; ids are ``node-<step_id>-<n>`` so a re-run of the same metadata gives the same ids."""

    nodes: Nodes = field(default_factory=dict)
    _counters: dict[int, int] = field(default_factory=lambda: defaultdict(int))

    def add(self, step_id: int, kind: str, fields: dict[str, Any]) -> str:
        self._counters[step_id] += 1
        node_id = f"node-{step_id}-{self._counters[step_id]}"
        self.nodes[node_id] = {kind: fields}
        return node_id


def references(kind: str, fields: dict[str, Any]) -> list[tuple[str, str]]:
    """``(field, node id)`` for every id a node mentions besides ``Inputs``."""
    refs = [("JoinColumn.From", c.get("From", "")) for c in fields.get("Columns", []) if kind == "Join"]
    refs += [("SqlAlias.From", a.get("From", "")) for a in fields.get("SqlAliases", [])]
    if kind == "Merge":
        refs.append(("Merge.Source", fields.get("Source", "")))
    return refs


def validate_dag(nodes: Nodes) -> list[str]:
    """Every structural problem of the graph (empty list = valid)."""
    problems: list[str] = []
    if not nodes:
        return ["the DAG has no nodes"]
    consumers: dict[str, int] = defaultdict(int)
    for node_id, node in nodes.items():
        if not NODE_ID.match(node_id):
            problems.append(f"node id {node_id!r} does not match [A-Za-z0-9_-]+")
        if not isinstance(node, dict) or len(node) != 1:
            problems.append(f"{node_id}: a node must hold exactly one node type, got {sorted(node)}")
            continue
        kind, fields = node_type(node), node_fields(node)
        inputs = fields.get("Inputs", []) or []
        problem = arity_problem(kind, len(inputs))
        if problem:
            problems.append(f"{node_id}: {problem}")
        for ref in inputs:
            if ref not in nodes:
                problems.append(f"{node_id}: input {ref!r} is not a node of this job")
            consumers[ref] += 1
        for what, ref in references(kind, fields):
            if ref not in inputs:
                problems.append(f"{node_id}: {what} {ref!r} is not one of its inputs")
    for node_id, node in nodes.items():
        if len(node) == 1 and consumers[node_id] == 0 and not is_sink(node_type(node), node_fields(node)):
            problems.append(f"{node_id} ({node_type(node)}): nothing consumes its output and it writes nothing")
    if not any(len(n) == 1 and is_sink(node_type(n), node_fields(n)) for n in nodes.values()):
        problems.append("the DAG has no sink (target)")
    try:
        topological_order(nodes)
    except ValueError as exc:
        problems.append(str(exc))
    return problems


def topological_order(nodes: Nodes) -> list[str]:
    """Node ids, each after its inputs (ties in insertion order); ValueError naming the nodes of a cycle."""
    import heapq

    position = {nid: index for index, nid in enumerate(nodes)}
    pending: dict[str, int] = {}
    children: dict[str, list[str]] = defaultdict(list)
    for nid, node in nodes.items():
        inputs = [i for i in node_fields(node).get("Inputs", []) or [] if i in position]
        pending[nid] = len(inputs)
        for parent in inputs:
            children[parent].append(nid)
    ready = [(position[nid], nid) for nid, count in pending.items() if count == 0]
    heapq.heapify(ready)
    order: list[str] = []
    while ready:
        _, nid = heapq.heappop(ready)
        order.append(nid)
        for child in children[nid]:
            pending[child] -= 1
            if pending[child] == 0:
                heapq.heappush(ready, (position[child], child))
    if len(order) != len(nodes):
        stuck = sorted(set(nodes) - set(order))
        raise ValueError(f"the DAG has a cycle through {', '.join(stuck)}")
    return order


def consumers_of(nodes: Nodes) -> dict[str, list[str]]:
    result: dict[str, list[str]] = defaultdict(list)
    for nid, node in nodes.items():
        for ref in node_fields(node).get("Inputs", []) or []:
            result[ref].append(nid)
    return result
