"""Typed parameters of ``detect_pii`` (the names of ``detect_pii.json``), parsed defensively.

Glue Studio may pass every value as a string (``"0.1"``, ``"3"``, ``"email,phone"``, JSON text), and may pass
``None`` for an optional parameter left empty; all of these parse to the same options.
"""

from __future__ import annotations

import json
import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from glueforge.errors import ConfigError

Action = Literal["DETECT", "REDACT", "PARTIAL_REDACT", "SHA256_HASH", "HMAC", "NULLIFY"]
ACTION_ALIASES: dict[str, str] = {
    "DETECT": "DETECT",
    "AUDIT": "DETECT",
    "REDACT": "REDACT",
    "MASK": "REDACT",
    "PARTIAL": "PARTIAL_REDACT",
    "PARTIAL_REDACT": "PARTIAL_REDACT",
    "HASH": "SHA256_HASH",
    "SHA256": "SHA256_HASH",
    "SHA256_HASH": "SHA256_HASH",
    "HMAC": "HMAC",
    "PSEUDONYMIZE": "HMAC",
    "PSEUDONYMISE": "HMAC",
    "NULL": "NULLIFY",
    "NULLIFY": "NULLIFY",
}
DEFAULT_HMAC_ENV_VAR = "GLUEFORGE_PII_HMAC_KEY"
_MASK_TEXT = re.compile(r"^[*A-Za-z0-9_\-\[\]]{0,256}$")


def normalise_action(value: Any) -> Any:
    if isinstance(value, str):
        key = value.strip().upper().replace("-", "_")
        if key not in ACTION_ALIASES:
            raise ValueError(f"unknown action {value!r}; use one of {sorted(set(ACTION_ALIASES.values()))}")
        return ACTION_ALIASES[key]
    return value


def _as_list(value: Any) -> Any:
    """``None``/``""`` -> [], ``"a,b"`` or ``'["a","b"]'`` -> ["a", "b"], lists unchanged."""
    if value is None:
        return []
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return []
        if text.startswith("["):
            return json.loads(text)
        return [part.strip() for part in text.split(",") if part.strip()]
    return value


def _as_json(value: Any, empty: Any) -> Any:
    if value is None or (isinstance(value, str) and not value.strip()):
        return empty
    if isinstance(value, str):
        try:
            return json.loads(value)
        except json.JSONDecodeError as exc:
            raise ValueError(f"not valid JSON: {exc.msg} at position {exc.pos}") from None
    return value


class ActionOptions(BaseModel):
    """How one action masks: Glue's ``actionOptions`` names."""

    model_config = ConfigDict(populate_by_name=True, extra="forbid", frozen=True)

    redact_text: str = Field("*******", alias="redactText")
    keep_left: int = Field(0, alias="numLeftCharsToExclude", ge=0, le=999)
    keep_right: int = Field(0, alias="numRightCharsToExclude", ge=0, le=999)
    redact_char: str = Field("*", alias="redactChar", min_length=1, max_length=1)
    match_pattern: str | None = Field(None, alias="matchPattern")

    @field_validator("redact_text")
    @classmethod
    def _mask_text(cls, value: str) -> str:
        if not _MASK_TEXT.match(value):
            raise ValueError("redactText: up to 256 of * A-Z a-z 0-9 _ - [ ] (Glue's MaskValue rule)")
        return value

    @field_validator("match_pattern")
    @classmethod
    def _pattern(cls, value: str | None) -> str | None:
        if value:
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"matchPattern does not compile: {exc}") from None
        return value or None


class EntityRule(BaseModel):
    """One entry of Glue's ``detectionParameters`` list for an entity."""

    model_config = ConfigDict(populate_by_name=True, extra="forbid", frozen=True)

    action: Action
    action_options: ActionOptions | None = Field(None, alias="actionOptions")
    source_columns: list[str] | None = Field(None, alias="sourceColumns")
    source_columns_to_exclude: list[str] = Field(default_factory=list, alias="sourceColumnsToExclude")

    _normalise = field_validator("action", mode="before")(lambda cls, v: normalise_action(v))

    def applies_to(self, column: str) -> bool:
        if column in self.source_columns_to_exclude:
            return False
        return self.source_columns is None or column in self.source_columns


class CustomEntitySpec(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="forbid", frozen=True)

    name: str
    regex: str = Field(alias="regex")
    context_words: list[str] = Field(default_factory=list, alias="contextWords")


class PiiOptions(BaseModel):
    """Every parameter of the transform (aliases = the JSON/Glue parameter names)."""

    model_config = ConfigDict(populate_by_name=True, extra="forbid")

    entity_types: list[str] = Field(default_factory=list, alias="entityTypesToDetect")
    mode: Literal["column", "cell"] = Field("column", alias="detectionMode")
    action: Action = "DETECT"
    sample_fraction: float = Field(0.1, alias="sampleFraction", gt=0, le=1)
    threshold: float = Field(0.1, alias="thresholdFraction", ge=0, le=1)
    detection_parameters: dict[str, list[EntityRule]] = Field(default_factory=dict, alias="detectionParameters")
    custom_entities: list[CustomEntitySpec] = Field(default_factory=list, alias="customEntities")
    include_columns: list[str] = Field(default_factory=list, alias="includeColumns")
    exclude_columns: list[str] = Field(default_factory=list, alias="excludeColumns")
    hmac_key_env_var: str = Field(DEFAULT_HMAC_ENV_VAR, alias="hmacKeyEnvVar")
    hmac_secret_id: str | None = Field(None, alias="hmacSecretId")
    output_column_name: str = Field("DetectedEntities", alias="outputColumnName", min_length=1)
    redact_text: str = Field("*******", alias="redactText")
    keep_left: int = Field(0, alias="numLeftCharsToExclude", ge=0, le=999)
    keep_right: int = Field(0, alias="numRightCharsToExclude", ge=0, le=999)
    redact_char: str = Field("*", alias="redactChar", min_length=1, max_length=1)
    match_pattern: str | None = Field(None, alias="matchPattern")

    @model_validator(mode="before")
    @classmethod
    def _defensive(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        cleaned = {k: v for k, v in data.items() if v is not None and not (isinstance(v, str) and v == "")}
        for key in ("entityTypesToDetect", "includeColumns", "excludeColumns"):
            if key in cleaned:
                cleaned[key] = _as_list(cleaned[key])
        if "detectionParameters" in cleaned:
            cleaned["detectionParameters"] = _as_json(cleaned["detectionParameters"], {})
        if "customEntities" in cleaned:
            cleaned["customEntities"] = _as_json(cleaned["customEntities"], [])
        if "action" in cleaned:
            cleaned["action"] = normalise_action(cleaned["action"])
        if isinstance(cleaned.get("detectionMode"), str):
            cleaned["detectionMode"] = cleaned["detectionMode"].strip().lower()
        return cleaned

    @field_validator("detection_parameters", mode="before")
    @classmethod
    def _entity_lists(cls, value: Any) -> Any:
        # Glue allows one rule object instead of a list.
        if isinstance(value, dict):
            return {k.strip().upper(): (v if isinstance(v, list) else [v]) for k, v in value.items()}
        return value

    @property
    def global_options(self) -> ActionOptions:
        return ActionOptions(  # type: ignore[call-arg]  # populated by alias, the Glue names
            redactText=self.redact_text,
            numLeftCharsToExclude=self.keep_left,
            numRightCharsToExclude=self.keep_right,
            redactChar=self.redact_char,
            matchPattern=self.match_pattern,
        )

    def uses_action(self, action: str) -> bool:
        rules = [r for rs in self.detection_parameters.values() for r in rs]
        return self.action == action or any(r.action == action for r in rules)


def parse_options(params: dict[str, Any]) -> PiiOptions:
    """The typed options, or a ``ConfigError`` naming each bad parameter."""
    try:
        options = PiiOptions.model_validate(params)
        options.global_options  # noqa: B018 - validates redactText / matchPattern once, up front
        return options
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'parameters'}: {err['msg'].removeprefix('Value error, ')}"
            for err in exc.errors()
        )
        raise ConfigError(problems, where="detect_pii parameters") from None
    except (ValueError, TypeError) as exc:
        raise ConfigError(str(exc), where="detect_pii parameters") from None
