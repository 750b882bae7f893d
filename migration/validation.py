"""Offline validation of Glue API requests against botocore's service model.

``ParamValidator`` checks required members, unknown keys, types and minimums. It skips enums, patterns
and maximums, so ``model_problems`` walks the request against the same shapes and checks those too.
"""

from __future__ import annotations

import functools
import re
from typing import Any

import botocore.session
from botocore.model import ListShape, MapShape, OperationModel, ServiceModel, Shape, StructureShape
from botocore.validate import ParamValidator


@functools.cache
def glue_model() -> ServiceModel:
    return botocore.session.get_session().get_service_model("glue")


@functools.cache
def operation(name: str) -> OperationModel:
    return glue_model().operation_model(name)


@functools.cache
def _pattern(text: str) -> re.Pattern[str] | None:
    try:
        return re.compile(text)
    except re.error:  # a Java-only construct: leave that one to the service
        return None


def validate_request(operation_name: str, request: dict[str, Any]) -> list[str]:
    """Every problem botocore (and the model's enums/patterns/maximums) finds in ``request``."""
    shape = operation(operation_name).input_shape
    report = ParamValidator().validate(request, shape)
    problems = [line.strip() for line in report.generate_report().splitlines()[1:] if line.strip()] \
        if report.has_errors() else []
    problems += model_problems(request, shape, operation_name)
    return problems


def model_problems(value: Any, shape: Shape, path: str) -> list[str]:
    problems: list[str] = []
    if isinstance(shape, StructureShape):
        if isinstance(value, dict):
            for key, item in value.items():
                member = shape.members.get(key)
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
        enum = shape.enum
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
