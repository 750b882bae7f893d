"""The DQDL subset the migrator emits for ``EvaluateDataQuality`` nodes, run through the glueforge rule engine.

Supported (``Rules = [ rule, rule, ... ]``, ``#`` comments allowed)::

    IsComplete "col"                         -> not_null
    IsUnique "col"                           -> unique
    ColumnValues "col" between 0 and 100     -> range (inclusive)
    ColumnValues "col" >= 0 | > 0 | <= 10 | < 10 | = 5
    ColumnValues "col" = "a"                 -> allowed_values ["a"]
    ColumnValues "col" matches "regex"       -> regex
    ColumnValues "col" in ["a", "b"]         -> allowed_values
    RowCount > 0 | >= 1 | < 100 | <= 100 | = 10 | between 10 and 100
    DataFreshness "col" <= 24 hours          -> freshness, every row (hours, days or minutes)
    DataFreshness "col" between 2 days and 5 days

Any rule may end with ``with threshold > 0.9`` (share of rows that must pass; column rules). Strings are
double-quoted; ``\\"`` is an escaped quote and every other backslash is kept as is (so ``"\\d+"`` is the regex
``\\d+``). DQDL rules have no severity: every rule is critical.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pydantic import ValidationError

from glueforge.errors import InputError
from glueforge.quality.engine import RuleOutcome, ValidationReport, validate_dataframe
from glueforge.quality.rules import (
    AllowedValuesRule,
    FreshnessRule,
    NotNullRule,
    RangeRule,
    RegexRule,
    RowCountRule,
    Rule,
    Scalar,
    UniqueRule,
    validation_problems,
)

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

DqdlResult = ValidationReport
"""``.passed``, ``.outcomes`` (each :class:`RuleOutcome` with ``.rule`` = the DQDL text, ``.passed``, ``.message``)."""

__all__ = ["DqdlResult", "RuleOutcome", "evaluate_dqdl", "parse_dqdl"]

_TOKEN = re.compile(
    r"""
    (?P<space>\s+|\#[^\n]*)
  | (?P<string>"(?:\\.|[^"\\])*")
  | (?P<number>-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)
  | (?P<op>>=|<=|!=|=|>|<)
  | (?P<punct>[\[\],()])
  | (?P<word>[A-Za-z_][A-Za-z0-9_.]*)
    """,
    re.VERBOSE,
)
_HOURS_PER_UNIT = {"minute": 1 / 60, "minutes": 1 / 60, "hour": 1.0, "hours": 1.0, "day": 24.0, "days": 24.0}


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    start: int
    end: int

    @property
    def value(self) -> Scalar:
        if self.kind == "string":
            return self.text[1:-1].replace('\\"', '"')
        if self.kind == "number":
            number = float(self.text)
            return int(number) if number.is_integer() and "." not in self.text else number
        return self.text


class _RuleTokens:
    """A cursor over one rule's tokens; errors name the rule text."""

    def __init__(self, tokens: list[Token], text: str) -> None:
        self.tokens = tokens
        self.text = text
        self.pos = 0

    def fail(self, problem: str) -> InputError:
        return InputError(f"{problem} in DQDL rule {self.text!r}", where="DQDL ruleset")

    def peek(self) -> Token | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self, *kinds: str, text: str | None = None) -> Token:
        token = self.peek()
        wanted = text or " or ".join(kinds)
        if token is None:
            raise self.fail(f"expected {wanted}, found the end of the rule")
        if (kinds and token.kind not in kinds) or (text is not None and token.text.lower() != text.lower()):
            raise self.fail(f"expected {wanted}, found {token.text!r}")
        self.pos += 1
        return token

    def column(self) -> str:
        return str(self.take("string", "word").value)

    def number(self) -> float:
        return float(self.take("number").value)

    def done(self) -> None:
        token = self.peek()
        if token is not None:
            raise self.fail(f"unexpected {token.text!r}")


def _tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    pos = 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None:
            line = text[pos:].splitlines()[0] if text[pos:].strip() else text[pos:]
            raise InputError(f"cannot read DQDL at {line!r} (position {pos})", where="DQDL ruleset")
        kind = match.lastgroup or ""
        if kind != "space":
            tokens.append(Token(kind, match.group(), match.start(), match.end()))
        pos = match.end()
    return tokens


def _split_rules(text: str, tokens: list[Token]) -> list[_RuleTokens]:
    """``Rules = [ a, b ]`` -> one cursor per rule (commas inside ``[...]`` belong to the rule)."""
    head = [t.text for t in tokens[:3]]
    if head != ["Rules", "=", "["] or not tokens or tokens[-1].text != "]":
        raise InputError("a DQDL ruleset must have the form `Rules = [ rule, rule, ... ]`", where="DQDL ruleset")
    body = tokens[3:-1]
    groups: list[list[Token]] = [[]]
    depth = 0
    for token in body:
        if token.text in "[(" and token.kind == "punct":
            depth += 1
        elif token.text in "])" and token.kind == "punct":
            depth -= 1
        if token.text == "," and token.kind == "punct" and depth == 0:
            groups.append([])
        else:
            groups[-1].append(token)
    rules = []
    for group in groups:
        if not group:
            if len(groups) == 1:
                break  # `Rules = [ ]`
            raise InputError("empty rule (two commas in a row or a trailing comma)", where="DQDL ruleset")
        rules.append(_RuleTokens(group, text[group[0].start : group[-1].end]))
    if not rules:
        raise InputError("the DQDL ruleset has no rules", where="DQDL ruleset")
    return rules


def _threshold(cursor: _RuleTokens) -> float:
    """Strip a trailing ``with threshold >[=] X`` and return X (1.0 when absent)."""
    words = [t.text.lower() for t in cursor.tokens]
    if "with" not in words:
        return 1.0
    at = words.index("with")
    tail = _RuleTokens(cursor.tokens[at:], cursor.text)
    tail.take("word", text="with")
    tail.take("word", text="threshold")
    op = tail.take("op").text
    if op not in (">", ">="):
        raise cursor.fail("only `with threshold >` or `>=` is supported")
    value = tail.number()
    tail.done()
    if not 0 < value <= 1:
        raise cursor.fail("threshold must be in (0, 1]")
    cursor.tokens = cursor.tokens[:at]
    return value


def _is_complete(cursor: _RuleTokens, mostly: float) -> Rule:
    column = cursor.column()
    cursor.done()
    return NotNullRule(column=column, mostly=mostly, label=cursor.text)


def _is_unique(cursor: _RuleTokens, mostly: float) -> Rule:
    column = cursor.column()
    cursor.done()
    return UniqueRule.model_validate({"columns": [column], "mostly": mostly, "label": cursor.text})


def _column_values(cursor: _RuleTokens, mostly: float) -> Rule:
    column = cursor.column()
    token = cursor.take("op", "word")
    keyword = token.text.lower()
    common = {"column": column, "mostly": mostly, "label": cursor.text}
    if keyword == "between":
        low = cursor.number()
        cursor.take("word", text="and")
        high = cursor.number()
        cursor.done()
        return RangeRule(min=low, max=high, **common)
    if keyword == "matches":
        pattern = str(cursor.take("string").value)
        cursor.done()
        try:
            return RegexRule(pattern=pattern, **common)
        except ValueError as exc:
            raise cursor.fail(f"invalid regular expression {pattern!r}") from exc
    if keyword == "in":
        values = _value_list(cursor)
        cursor.done()
        return AllowedValuesRule(values=values, **common)
    if token.kind == "op":
        operand = cursor.take("number", "string")
        cursor.done()
        if operand.kind == "string":
            if token.text != "=":
                raise cursor.fail(f"operator {token.text} needs a number")
            return AllowedValuesRule(values=[operand.value], **common)
        return _range_for(cursor, token.text, float(operand.value), common)
    raise cursor.fail(f"unsupported ColumnValues operator {token.text!r}")


def _range_for(cursor: _RuleTokens, op: str, value: float, common: dict[str, object]) -> Rule:
    bounds: dict[str, dict[str, object]] = {
        ">=": {"min": value},
        ">": {"min": value, "strict_min": True},
        "<=": {"max": value},
        "<": {"max": value, "strict_max": True},
        "=": {"min": value, "max": value},
    }
    if op not in bounds:
        raise cursor.fail(f"unsupported operator {op}")
    return RangeRule(**bounds[op], **common)


def _value_list(cursor: _RuleTokens) -> list[Scalar]:
    cursor.take("punct", text="[")
    values: list[Scalar] = []
    while True:
        values.append(cursor.take("string", "number").value)
        separator = cursor.peek()
        if separator is None:
            raise cursor.fail("unterminated value list")
        cursor.pos += 1
        if separator.text == "]":
            return values
        if separator.text != ",":
            raise cursor.fail(f"expected , or ] in the value list, found {separator.text!r}")


def _row_count(cursor: _RuleTokens, mostly: float) -> Rule:
    token = cursor.take("op", "word")
    if token.text.lower() == "between":
        low = cursor.number()
        cursor.take("word", text="and")
        high = cursor.number()
        cursor.done()
        return RowCountRule(min=math.ceil(low), max=math.floor(high), label=cursor.text)
    if token.kind != "op":
        raise cursor.fail(f"unsupported RowCount operator {token.text!r}")
    value = cursor.number()
    cursor.done()
    # Row counts are integers: a strict bound becomes the next integer inside it.
    bounds: dict[str, dict[str, int]] = {
        ">": {"min": math.floor(value) + 1},
        ">=": {"min": math.ceil(value)},
        "<": {"max": math.ceil(value) - 1},
        "<=": {"max": math.floor(value)},
        "=": {"min": int(value), "max": int(value)},
    }
    if token.text not in bounds:
        raise cursor.fail(f"unsupported operator {token.text}")
    try:
        return RowCountRule(**bounds[token.text], label=cursor.text)
    except ValueError as exc:
        raise cursor.fail("impossible row count bound") from exc


def _hours(cursor: _RuleTokens) -> float:
    amount = cursor.number()
    unit = cursor.take("word").text.lower()
    if unit not in _HOURS_PER_UNIT:
        raise cursor.fail(f"unknown time unit {unit!r} (use hours, days or minutes)")
    return amount * _HOURS_PER_UNIT[unit]


def _data_freshness(cursor: _RuleTokens, mostly: float) -> Rule:
    column = cursor.column()
    token = cursor.take("op", "word")
    common = {"column": column, "mostly": mostly, "label": cursor.text, "applies_to": "every_row"}
    if token.text.lower() == "between":
        low = _hours(cursor)
        cursor.take("word", text="and")
        high = _hours(cursor)
        cursor.done()
        return FreshnessRule(min_age_hours=low, max_age_hours=high, **common)
    if token.text not in ("<=", "<"):
        raise cursor.fail("DataFreshness supports `<=`, `<` and `between`")
    hours = _hours(cursor)
    cursor.done()
    if hours <= 0:
        raise cursor.fail("the age limit must be positive")
    return FreshnessRule(max_age_hours=hours, **common)


RULE_PARSERS: dict[str, Callable[[_RuleTokens, float], Rule]] = {
    "IsComplete": _is_complete,
    "IsUnique": _is_unique,
    "ColumnValues": _column_values,
    "RowCount": _row_count,
    "DataFreshness": _data_freshness,
}
COLUMN_RULE_TYPES = {"IsComplete", "IsUnique", "ColumnValues", "DataFreshness"}


def parse_dqdl(text: str) -> list[Rule]:
    """DQDL ruleset text -> glueforge rules (each labelled with its DQDL text). Errors are InputError."""
    if not isinstance(text, str) or not text.strip():
        raise InputError("the DQDL ruleset is empty", where="DQDL ruleset")
    tokens = _tokenize(text)
    rules: list[Rule] = []
    for cursor in _split_rules(text, tokens):
        rule_type = cursor.take("word").text
        parser = RULE_PARSERS.get(rule_type)
        if parser is None:
            raise cursor.fail(f"unsupported rule type {rule_type!r} (supported: {', '.join(RULE_PARSERS)})")
        mostly = _threshold(cursor)
        if mostly < 1.0 and rule_type not in COLUMN_RULE_TYPES:
            raise cursor.fail(f"{rule_type} does not take a threshold")
        try:
            rules.append(parser(cursor, mostly))
        except ValidationError as exc:  # pydantic validation of the built rule
            raise cursor.fail(validation_problems(exc)) from None
    return rules


def evaluate_dqdl(df: DataFrame, ruleset: str) -> DqdlResult:
    """Parse ``ruleset`` and validate ``df`` with it (GX engine; no Data Docs)."""
    return validate_dataframe(df, parse_dqdl(ruleset), suite_name="dqdl")
