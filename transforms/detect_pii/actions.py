"""Masking actions (DETECT, REDACT, PARTIAL_REDACT, SHA256_HASH, HMAC, NULLIFY) and who gets which.

Each action exists twice with identical results: as a Python function on one string (used for spans inside
cells) and as a Spark column expression (used for whole flagged columns; HMAC and regex partial masking run
in an Arrow-batched pandas UDF so the key never appears in a query plan).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from glueforge.errors import ConfigError, SourceError
from transforms.detect_pii.options import ActionOptions, PiiOptions

if TYPE_CHECKING:
    from pyspark.sql import Column

# Which action wins when several entities of one column ask for different in-place actions (safest first).
ACTION_STRENGTH = {"NULLIFY": 5, "REDACT": 4, "HMAC": 3, "SHA256_HASH": 2, "PARTIAL_REDACT": 1, "DETECT": 0}


@dataclass(frozen=True)
class ActionSpec:
    action: str
    options: ActionOptions


class ActionPlan:
    """Resolves the action for (column, entity): per-entity rules first (``*`` = any entity), then global."""

    def __init__(self, options: PiiOptions) -> None:
        self.default = ActionSpec(options.action, options.global_options)
        self.rules = options.detection_parameters

    def spec_for(self, column: str, entity: str) -> ActionSpec:
        for key in (entity, "*"):
            for rule in self.rules.get(key, []):
                if rule.applies_to(column):
                    return ActionSpec(rule.action, rule.action_options or self.default.options)
        return self.default

    def spec_for_column(self, column: str, entities: list[str]) -> ActionSpec:
        """A whole flagged column gets one action: the strongest any of its entities asks for."""
        specs = [self.spec_for(column, e) for e in entities] or [self.default]
        return max(specs, key=lambda s: ACTION_STRENGTH[s.action])

    def needs_key(self, entities: list[str]) -> bool:
        return self.default.action == "HMAC" or any(
            rule.action == "HMAC" for key, rules in self.rules.items() for rule in rules if key in (*entities, "*")
        )


# --- key material -----------------------------------------------------------------------------------------


def load_hmac_key(env_var: str, secret_id: str | None, *, secrets_client: Any = None) -> bytes:
    """The HMAC key from Secrets Manager (when ``secret_id``) or an environment variable; never logged.

    A secret may be plain text or JSON with a ``key``/``hmac_key`` field. Missing or short keys fail closed.
    """
    if secret_id:
        key = _key_from_secret(secret_id, secrets_client)
        where = f"Secrets Manager secret {secret_id}"
    else:
        key = os.environ.get(env_var, "")
        where = f"environment variable {env_var}"
    if not key:
        raise ConfigError("HMAC action needs a key, but none is set", where=where)
    if len(key.encode()) < 16:
        raise ConfigError("the HMAC key must be at least 16 bytes", where=where)
    return key.encode()


def _key_from_secret(secret_id: str, client: Any) -> str:
    if client is None:
        import boto3

        client = boto3.client("secretsmanager")
    try:
        response = client.get_secret_value(SecretId=secret_id)
    except Exception as exc:  # botocore errors: name the secret, never its value
        raise SourceError(f"cannot read the HMAC key: {type(exc).__name__}", where=f"secret {secret_id}") from None
    text = response.get("SecretString") or (response.get("SecretBinary") or b"").decode()
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        return str(text)
    if isinstance(data, dict):
        return str(data.get("hmac_key") or data.get("key") or "")
    return str(text)


# --- one value (Python) -----------------------------------------------------------------------------------


def hmac_hex(key: bytes, value: str) -> str:
    return hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()


def sha256_hex(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def partial_redact(value: str, options: ActionOptions) -> str:
    """Keep N left/right characters (or mask only what ``matchPattern`` matches); short values fully masked."""
    char = options.redact_char
    if options.match_pattern:
        return re.sub(options.match_pattern, lambda m: char * len(m.group(0)), value)
    left, right = options.keep_left, options.keep_right
    if len(value) <= left + right:
        return char * len(value)
    return value[:left] + char * (len(value) - left - right) + value[len(value) - right :]


def mask_value(value: str, spec: ActionSpec, key: bytes | None) -> str | None:
    """The replacement for one detected value (``None`` = NULLIFY)."""
    return _PY_ACTIONS[spec.action](value, spec.options, key)


def _require_key(key: bytes | None) -> bytes:
    if key is None:
        raise ConfigError("HMAC action without a key", where="detect_pii")
    return key


_PY_ACTIONS: dict[str, Callable[[str, ActionOptions, bytes | None], str | None]] = {
    "DETECT": lambda value, options, key: value,
    "REDACT": lambda value, options, key: options.redact_text,
    "PARTIAL_REDACT": lambda value, options, key: partial_redact(value, options),
    "SHA256_HASH": lambda value, options, key: sha256_hex(value),
    "HMAC": lambda value, options, key: hmac_hex(_require_key(key), value),
    "NULLIFY": lambda value, options, key: None,
}


# --- whole column (Spark) ---------------------------------------------------------------------------------


def mask_column(column: Column, spec: ActionSpec, key: bytes | None, data_type: Any) -> Column:
    """Spark expression masking every non-null value of a flagged column."""
    from pyspark.sql import functions as F

    text = column.cast("string")
    action, options = spec.action, spec.options
    if action == "DETECT":
        return column
    if action == "NULLIFY":
        return F.lit(None).cast(data_type)
    if action == "REDACT":
        masked = F.lit(options.redact_text)
    elif action == "SHA256_HASH":
        masked = F.sha2(text, 256)
    elif action == "PARTIAL_REDACT" and not options.match_pattern:
        masked = _partial_expression(text, options)
    else:  # HMAC, PARTIAL_REDACT with a regex: Arrow-batched Python, identical to mask_value
        masked = _python_masker(spec, key)(text)
    # nulls stay null and empty strings stay empty: there is nothing to hide in them
    return F.when(column.isNull(), F.lit(None).cast("string")).when(text == "", text).otherwise(masked)


def _partial_expression(text: Column, options: ActionOptions) -> Column:
    """Same result as ``partial_redact`` without a regex: keep N left/right characters, mask the middle."""
    from pyspark.sql import functions as F

    left, right = options.keep_left, options.keep_right
    length = F.length(text)
    char = F.lit(options.redact_char)
    kept_right = F.substring(text, -right, right) if right else F.lit("")
    middle = F.call_function("repeat", char, length - F.lit(left + right))
    return F.when(length <= left + right, F.call_function("repeat", char, length)).otherwise(
        F.concat(F.substring(text, 1, left), middle, kept_right)
    )


def _python_masker(spec: ActionSpec, key: bytes | None) -> Callable[[Column], Column]:
    from pyspark.sql.functions import pandas_udf

    @pandas_udf("string")  # type: ignore[call-overload]
    def masker(values: pd.Series) -> pd.Series:
        return values.map(lambda v: None if v is None else mask_value(v, spec, key))

    return masker
