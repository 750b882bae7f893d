"""The typed data-quality rule model shared by YAML suites, legacy EDLS ``DQ_CHECK`` rules and DQDL.

Every rule is a small pydantic model discriminated by ``type``; the engine maps each one to GX expectations
(see :mod:`glueforge.quality.expectations`). ``critical`` rules decide whether a check fails the run.
"""

from __future__ import annotations

from abc import abstractmethod
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, field_validator, model_validator

from glueforge.errors import InputError

Scalar = str | int | float | bool


class RuleBase(BaseModel):
    """Fields every rule has. ``label`` is the text shown in reports (defaults to a generated description)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    critical: bool = True
    mostly: float = Field(default=1.0, gt=0, le=1)
    """Share of rows that must pass (column rules only); 1.0 = every row."""
    label: str | None = None

    def columns(self) -> list[str]:
        return []

    @abstractmethod
    def summary(self) -> str:
        """One-line description of the rule, used when no ``label`` is given."""

    def describe(self) -> str:
        return self.label or self.summary()


class NotNullRule(RuleBase):
    type: Literal["not_null"] = "not_null"
    column: str

    def columns(self) -> list[str]:
        return [self.column]

    def summary(self) -> str:
        return f"{self.column} is not null"


class UniqueRule(RuleBase):
    """One column, or a compound key (``columns: [a, b]``)."""

    type: Literal["unique"] = "unique"
    columns_: list[str] = Field(alias="columns", min_length=1)

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @model_validator(mode="before")
    @classmethod
    def _single_column(cls, data: Any) -> Any:
        if isinstance(data, dict) and "column" in data and "columns" not in data:
            data = {**data, "columns": [data["column"]]}
            del data["column"]
        return data

    def columns(self) -> list[str]:
        return list(self.columns_)

    def summary(self) -> str:
        return f"{', '.join(self.columns_)} is unique"


class RangeRule(RuleBase):
    """``min <= column <= max``; either bound may be absent; ``strict_*`` makes a bound exclusive."""

    type: Literal["range"] = "range"
    column: str
    min: float | None = None
    max: float | None = None
    strict_min: bool = False
    strict_max: bool = False

    @model_validator(mode="after")
    def _has_bound(self) -> RangeRule:
        if self.min is None and self.max is None:
            raise ValueError("range needs min and/or max")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"range min {self.min} is greater than max {self.max}")
        return self

    def columns(self) -> list[str]:
        return [self.column]

    def summary(self) -> str:
        low = "" if self.min is None else f"{_num(self.min)} {'<' if self.strict_min else '<='} "
        high = "" if self.max is None else f" {'<' if self.strict_max else '<='} {_num(self.max)}"
        return f"{low}{self.column}{high}"


class RegexRule(RuleBase):
    type: Literal["regex"] = "regex"
    column: str
    pattern: str

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, value: str) -> str:
        import re

        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"invalid regular expression {value!r}: {exc}") from None
        return value

    def columns(self) -> list[str]:
        return [self.column]

    def summary(self) -> str:
        return f"{self.column} matches {self.pattern!r}"


class AllowedValuesRule(RuleBase):
    type: Literal["allowed_values"] = "allowed_values"
    column: str
    values: list[Scalar] = Field(min_length=1)

    def columns(self) -> list[str]:
        return [self.column]

    def summary(self) -> str:
        return f"{self.column} in {list(self.values)}"


class RowCountRule(RuleBase):
    """``min <= row count <= max`` (inclusive; integers)."""

    type: Literal["row_count"] = "row_count"
    min: int | None = None
    max: int | None = None

    @model_validator(mode="after")
    def _has_bound(self) -> RowCountRule:
        if self.min is None and self.max is None:
            raise ValueError("row_count needs min and/or max")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"row_count min {self.min} is greater than max {self.max}")
        return self

    def summary(self) -> str:
        low = "" if self.min is None else f"{self.min} <= "
        high = "" if self.max is None else f" <= {self.max}"
        return f"{low}row count{high}"


class FreshnessRule(RuleBase):
    """Timestamps no older than ``max_age_hours`` (and, optionally, at least ``min_age_hours`` old).

    ``applies_to='newest'`` (legacy EDLS semantics): the newest value must be fresh enough.
    ``applies_to='every_row'`` (DQDL ``DataFreshness``): every row's value must be.
    """

    type: Literal["freshness"] = "freshness"
    column: str
    max_age_hours: float = Field(gt=0)
    min_age_hours: float | None = Field(default=None, ge=0)
    applies_to: Literal["newest", "every_row"] = "newest"

    def columns(self) -> list[str]:
        return [self.column]

    def summary(self) -> str:
        scope = "newest " if self.applies_to == "newest" else ""
        return f"{scope}{self.column} at most {_num(self.max_age_hours)} hours old"


Rule = Annotated[
    NotNullRule | UniqueRule | RangeRule | RegexRule | AllowedValuesRule | RowCountRule | FreshnessRule,
    Field(discriminator="type"),
]
RULE_TYPES: tuple[str, ...] = (
    "not_null",
    "unique",
    "range",
    "regex",
    "allowed_values",
    "row_count",
    "freshness",
)
_RULE_ADAPTER: TypeAdapter[Rule] = TypeAdapter(Rule)


def parse_rule(data: Any, *, where: str = "rule") -> Rule:
    """One rule from a mapping (YAML suite entry, legacy ``DQ_CHECK`` rule); clear errors name ``where``."""
    if isinstance(data, BaseModel):
        return data  # type: ignore[return-value]
    if not isinstance(data, dict):
        raise InputError(f"a rule must be a mapping, got {type(data).__name__}: {data!r}", where=where)
    rule_type = data.get("type")
    if rule_type not in RULE_TYPES:
        raise InputError(f"unknown rule type {rule_type!r} (known: {', '.join(RULE_TYPES)})", where=where)
    try:
        return _RULE_ADAPTER.validate_python(data)
    except ValidationError as exc:
        raise InputError(f"invalid {rule_type} rule: {validation_problems(exc)}", where=where) from None


def parse_rules(items: list[Any], *, where: str = "rules") -> list[Rule]:
    """A list of rule mappings; an error names the index and type of the bad rule."""
    if not isinstance(items, list):
        raise InputError(f"rules must be a list, got {type(items).__name__}", where=where)
    return [parse_rule(item, where=f"{where}[{index}]") for index, item in enumerate(items)]


def validation_problems(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"][1:] if p != "columns_") or ".".join(str(p) for p in err["loc"])
        msg = str(err["msg"]).removeprefix("Value error, ")
        parts.append(f"{loc}: {msg}" if loc else msg)
    return "; ".join(parts)


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)
