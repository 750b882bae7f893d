"""Offline validation of Glue API requests against botocore's service model.

``ParamValidator`` checks required members, unknown keys, types and minimums. It skips enums, patterns
and maximums, so ``model_problems`` walks the request against the same shapes and checks those too.

Speed (5,000 jobs of up to ~100 nodes): each DAG node is validated on its own against the
``CodeGenConfigurationNode`` shape, with its ``Name`` and node-id references replaced by placeholders,
and the verdict is memoised; the real names and ids are then checked separately. Nodes that differ only
in name and wiring (most of them) are validated once.
"""

from __future__ import annotations

import functools
import json
import re
from typing import Any

import botocore.session
from botocore.model import ListShape, MapShape, OperationModel, ServiceModel, Shape, StructureShape
from botocore.validate import ParamValidator

NODES_KEY = "CodeGenConfigurationNodes"
PLACEHOLDER_ID = "node-0"
_VALIDATOR = ParamValidator()


@functools.cache
def glue_model() -> ServiceModel:
    return botocore.session.get_session().get_service_model("glue")


@functools.cache
def operation(name: str) -> OperationModel:
    return glue_model().operation_model(name)


@functools.cache
def node_shape() -> StructureShape:
    shape = glue_model().shape_for("CodeGenConfigurationNode")
    assert isinstance(shape, StructureShape)
    return shape


@functools.cache
def _pattern(text: str) -> re.Pattern[str] | None:
    try:
        return re.compile(text)
    except re.error:  # a Java-only construct: leave that one to the service
        return None


def _botocore_problems(value: dict[str, Any], shape: Shape) -> list[str]:
    report = _VALIDATOR.validate(value, shape)
    if not report.has_errors():
        return []
    return [line.strip() for line in report.generate_report().splitlines() if line.strip()]


def validate_request(operation_name: str, request: dict[str, Any], *, memo: bool = True) -> list[str]:
    """Every problem botocore (and the model's enums/patterns/maximums) finds in ``request``."""
    shape = operation(operation_name).input_shape
    assert shape is not None
    nodes = request.get(NODES_KEY)
    if not memo or not isinstance(nodes, dict) or NODES_KEY not in shape.members:
        return _botocore_problems(request, shape) + model_problems(request, shape, operation_name)
    rest = {k: v for k, v in request.items() if k != NODES_KEY}
    problems = _botocore_problems(rest, shape) + model_problems(rest, shape, operation_name)
    nodes_shape = shape.members[NODES_KEY]
    assert isinstance(nodes_shape, MapShape)
    for node_id, node in nodes.items():
        where = f"{operation_name}.{NODES_KEY}.{node_id}"
        problems += model_problems(node_id, nodes_shape.key, f"{where} (id)")
        if not isinstance(node, dict):
            problems.append(f"{where}: not an object")
            continue
        skeleton, names = _skeleton(node)
        problems += [f"{where}: {p}" for p in _node_problems(json.dumps(skeleton, sort_keys=True))]
        for member, name in names:
            member_shape = node_shape().members.get(member)
            if isinstance(member_shape, StructureShape) and "Name" in member_shape.members:
                problems += model_problems(name, member_shape.members["Name"], f"{where}.{member}.Name")
    return problems


def _skeleton(node: dict[str, Any]) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """The node with ``Name`` and node-id references replaced by placeholders (ids are checked by the DAG)."""
    skeleton: dict[str, Any] = {}
    names: list[tuple[str, str]] = []
    for member, fields in node.items():
        if not isinstance(fields, dict):
            skeleton[member] = fields
            continue
        fields = dict(fields)
        if isinstance(fields.get("Name"), str):
            names.append((member, fields["Name"]))
            fields["Name"] = "n"
        if isinstance(fields.get("Inputs"), list):
            fields["Inputs"] = [PLACEHOLDER_ID for _ in fields["Inputs"]]
        for key in ("Columns", "SqlAliases"):
            if isinstance(fields.get(key), list):
                fields[key] = [
                    {**i, "From": PLACEHOLDER_ID} if isinstance(i, dict) and "From" in i else i for i in fields[key]
                ]
        if member == "Merge" and "Source" in fields:
            fields["Source"] = PLACEHOLDER_ID
        skeleton[member] = fields
    return skeleton, names


@functools.lru_cache(maxsize=65536)
def _node_problems(skeleton_json: str) -> tuple[str, ...]:
    skeleton = json.loads(skeleton_json)
    return tuple(_botocore_problems(skeleton, node_shape()) + model_problems(skeleton, node_shape(), "node"))


def model_problems(value: Any, shape: Shape, path: str) -> list[str]:
    problems: list[str] = []
    if isinstance(shape, StructureShape):
        if isinstance(value, dict):
            members = shape.members
            for key, item in value.items():
                member = members.get(key)
                if member is not None:
                    problems += model_problems(item, member, f"{path}.{key}")
        return problems
    if isinstance(shape, ListShape):
        if isinstance(value, list):
            maximum = shape.metadata.get("max")
            if maximum is not None and len(value) > maximum:
                problems.append(f"{path}: {len(value)} items, at most {maximum} allowed")
            for index, item in enumerate(value):
                problems += model_problems(item, shape.member, f"{path}[{index}]")
        return problems
    if isinstance(shape, MapShape):
        if isinstance(value, dict):
            for key, item in value.items():
                problems += model_problems(key, shape.key, f"{path} key {key!r}")
                problems += model_problems(item, shape.value, f"{path}.{key}")
        return problems
    if isinstance(value, str):
        enum = getattr(shape, "enum", None)
        if enum and value not in enum:
            problems.append(f"{path}: {value!r} is not one of {', '.join(enum)}")
        maximum = shape.metadata.get("max")
        if maximum is not None and len(value) > maximum:
            problems.append(f"{path}: {len(value)} characters, at most {maximum} allowed")
        pattern = shape.metadata.get("pattern")
        compiled = _pattern(pattern) if pattern else None
        if compiled is not None and not compiled.fullmatch(value):
            problems.append(f"{path}: {value!r} does not match the pattern {pattern}")
    elif isinstance(value, int | float) and not isinstance(value, bool):
        maximum = shape.metadata.get("max")
        if maximum is not None and value > maximum:
            problems.append(f"{path}: {value} is above the maximum {maximum}")
    return problems
