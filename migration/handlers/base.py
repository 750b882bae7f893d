"""What a step handler gets and returns.

A handler turns one legacy step into one or more Glue nodes and returns the id of the node that carries
the step's output. It raises ``StepError`` for anything it cannot map; the migrator turns that into a
per-job error naming the job and the step.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from migration.custom_transforms import CustomNodes, MissingTransform
from migration.dag import DagBuilder
from migration.legacy_model import LegacyConnection, LegacyJob, LegacyStep
from migration.options import MigrationOptions

ConfigT = TypeVar("ConfigT", bound=BaseModel)


class StepError(Exception):
    """This step cannot be mapped; the message says why (the migrator adds job and step)."""


@dataclass(frozen=True)
class Upstream:
    step: LegacyStep
    alias: str | None
    node_id: str


@dataclass
class StepContext:
    job: LegacyJob
    step: LegacyStep
    inputs: list[Upstream]
    graph: DagBuilder
    connections: dict[str, LegacyConnection]
    options: MigrationOptions
    custom: CustomNodes
    warnings: list[str] = field(default_factory=list)
    used_connections: set[str] = field(default_factory=set)

    def document(self) -> dict[str, Any]:
        try:
            value = json.loads(self.step.config)
        except json.JSONDecodeError as exc:
            raise StepError(f"config is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
        if not isinstance(value, dict):
            raise StepError(f"config must be a JSON object, got {type(value).__name__}")
        return value

    def parse(self, model: type[ConfigT], document: dict[str, Any] | None = None) -> ConfigT:
        try:
            return model.model_validate(self.document() if document is None else document)
        except ValidationError as exc:
            raise StepError(f"config: {describe_validation(exc)}") from None

    def add(self, kind: str, fields: dict[str, Any]) -> str:
        return self.graph.add(self.step.step_id, kind, fields)

    def name(self, suffix: str = "") -> str:
        return f"{self.step.step_name}{': ' + suffix if suffix else ''}"

    def single_input(self) -> str:
        if len(self.inputs) != 1:
            raise StepError(f"a {self.step.step_type} step takes exactly 1 input, it has {len(self.inputs)}")
        return self.inputs[0].node_id

    def no_inputs(self) -> None:
        if self.inputs:
            raise StepError(f"a {self.step.step_type} step is a source and cannot depend on other steps")

    def connection(self, name: str) -> LegacyConnection:
        connection = self.connections.get(name)
        if connection is None:
            raise StepError(f"connection {name!r} is not defined in edls_connection")
        self.used_connections.add(name)
        return connection

    def custom_node(self, transform: str, *, node_name: str, input_id: str, values: dict[str, Any]) -> str:
        try:
            fields = self.custom.node(transform, node_name=node_name, input_id=input_id, values=values)
        except (MissingTransform, ValueError) as exc:
            raise StepError(str(exc)) from None
        return self.add("DynamicTransform", fields)

    def warn(self, message: str) -> None:
        self.warnings.append(f"step {self.step.step_name!r}: {message}")


def describe_validation(exc: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in err['loc']) or 'config'}: {err['msg'].removeprefix('Value error, ')}"
        for err in exc.errors()
    )


Handler = Callable[[StepContext], str]
