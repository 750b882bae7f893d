"""The Glue Studio custom visual transform JSON config, typed, and the rules Glue Studio applies to it.

Glue Studio silently hides a transform whose config breaks a rule, so every rule is checked here and
reported with the file and parameter it concerns.
"""

from __future__ import annotations

import keyword
import re
import sys
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

ParamType = Literal["str", "int", "float", "list", "bool"]
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# The API's TransformConfigParameter.Value is a list of strings, even for scalars.
PYTHON_TYPES: dict[str, type] = {"str": str, "int": int, "float": float, "list": list, "bool": bool}


def identifier_problem(value: str) -> str | None:
    if not _IDENTIFIER.match(value) or keyword.iskeyword(value):
        return f"{value!r} is not a valid Python identifier"
    return None


class ListOption(BaseModel):
    model_config = ConfigDict(extra="forbid")
    value: str | int | float | bool
    label: str | None = None


class TransformParameter(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    name: str
    display_name: str | None = Field(default=None, alias="displayName")
    type: ParamType
    is_optional: bool = Field(default=False, alias="isOptional")
    description: str | None = None
    validation_type: Literal["RegularExpression"] | None = Field(default=None, alias="validationType")
    validation_rule: str | None = Field(default=None, alias="validationRule")
    validation_message: str | None = Field(default=None, alias="validationMessage")
    list_options: list[ListOption] | str | None = Field(default=None, alias="listOptions")
    list_type: ParamType | None = Field(default=None, alias="listType")

    @model_validator(mode="after")
    def _rules(self) -> TransformParameter:
        problem = identifier_problem(self.name)
        if problem:
            raise ValueError(problem)
        if self.list_type is not None and self.type != "list":
            raise ValueError("listType is only allowed when type is 'list'")
        if self.validation_rule is not None:
            try:
                re.compile(self.validation_rule)
            except re.error as exc:
                raise ValueError(f"validationRule is not a valid regular expression: {exc}") from None
        return self


class TransformSpec(BaseModel):
    """One ``<name>.json``."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    name: str
    display_name: str | None = Field(default=None, alias="displayName")
    description: str | None = None
    function_name: str = Field(alias="functionName")
    path: str | None = None
    parameters: list[TransformParameter] = Field(default_factory=list)

    @model_validator(mode="after")
    def _rules(self) -> TransformSpec:
        for value, what in ((self.name, "name"), (self.function_name, "functionName")):
            problem = identifier_problem(value)
            if problem:
                raise ValueError(f"{what}: {problem}")
        if self.name in sys.stdlib_module_names or self.name in sys.builtin_module_names:
            raise ValueError(f"name {self.name!r} would shadow the standard module of that name when imported")
        seen: set[str] = set()
        for parameter in self.parameters:
            if parameter.name in seen:
                raise ValueError(f"parameter {parameter.name!r} is declared twice")
            seen.add(parameter.name)
        return self

    def parameter(self, name: str) -> TransformParameter:
        return next(p for p in self.parameters if p.name == name)

    def dynamic_transform_node(
        self, *, node_name: str, inputs: list[str], path: str, values: dict[str, Any]
    ) -> dict[str, Any]:
        """The ``DynamicTransform`` member of a ``CodeGenConfigurationNode`` calling this transform."""
        unknown = set(values) - {p.name for p in self.parameters}
        if unknown:
            raise ValueError(f"{self.name}: unknown parameters {sorted(unknown)}")
        parameters = []
        for parameter in self.parameters:
            if parameter.name not in values:
                if not parameter.is_optional:
                    raise ValueError(f"{self.name}: required parameter {parameter.name!r} has no value")
                continue
            value = values[parameter.name]
            items = value if isinstance(value, list) else [value]
            entry: dict[str, Any] = {
                "Name": parameter.name,
                "Type": parameter.type,
                "Value": [_render(v) for v in items],
            }
            if parameter.list_type:
                entry["ListType"] = parameter.list_type
            if parameter.is_optional:
                entry["IsOptional"] = True
            parameters.append(entry)
        return {
            "DynamicTransform": {
                "Name": node_name,
                "TransformName": self.name,
                "FunctionName": self.function_name,
                "Path": path,
                "Version": "1.0.0",
                "Inputs": inputs,
                "Parameters": parameters,
            }
        }


def _render(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def parse_spec(data: Any) -> tuple[TransformSpec | None, list[str]]:
    """The typed spec, or the list of problems (``"parameters.2.type: ..."``)."""
    if isinstance(data, dict) and "defaultValue" in str(data.get("parameters", "")):
        return None, ["parameters: Glue has no 'defaultValue' key; put defaults in the Python signature"]
    try:
        return TransformSpec.model_validate(data), []
    except ValidationError as exc:
        return None, [
            f"{'.'.join(str(p) for p in err['loc']) or 'config'}: {err['msg'].removeprefix('Value error, ')}"
            for err in exc.errors()
        ]
