"""What an entity definition is: JVM-compatible regex patterns, a validator, and context words.

Regexes must mean the same in Java (Spark ``rlike``) and Python ``re``: no backreferences, no named groups,
only fixed-width lookbehinds, ASCII classes spelled out (``[0-9]``, not ``\\d``, whose meaning differs).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

from transforms.detect_pii.validators import Validator

Category = Literal["universal", "hipaa", "networking", "united_states", "custom"]
CATEGORIES: tuple[str, ...] = ("universal", "hipaa", "networking", "united_states", "custom")

# How much context a pattern needs before a match counts:
#   none     - the structure + validator are enough (dashed SSN, email, IBAN, Luhn card with issuer prefix)
#   majority - without column-name context the column must match for >= MAJORITY_SHARE of its values (column
#              mode); in cells it needs a context word (NPI, ABA: checksum only, ~2-9% of random numbers pass)
#   required - only with a context word in the column name or just before the match (bare SSN, passport, ...)
# In column mode any bare-digit match (even with context) also counts only when >= MAJORITY_SHARE of the column
# matches: random 9-digit numbers pass the SSN rules 89% of the time, 10-digit ones the NANP rules ~60%.
ContextNeed = Literal["none", "majority", "required"]
MAJORITY_SHARE = 0.8
COLUMN_RULE_SHARE = 0.98
COLUMN_RULE_MIN_SAMPLE = 100

# Boundaries: not glued to letters/digits, not part of a decimal number ("123456789.50", "3.123456789").
DIGITS_LEFT = r"(?<![0-9A-Za-z])(?<![0-9][.,])"
DIGITS_RIGHT = r"(?![0-9A-Za-z])(?![.,][0-9])"
WORD_LEFT = r"(?<![0-9A-Za-z])"
WORD_RIGHT = r"(?![0-9A-Za-z])"

# Column-name / nearby words that veto numeric-looking entities unless a context word is also present.
NUMERIC_DECOY_WORDS = frozenset(
    {
        "order",
        "orders",
        "sku",
        "amount",
        "amt",
        "price",
        "total",
        "qty",
        "quantity",
        "count",
        "cnt",
        "balance",
        "invoice",
        "txn",
        "transaction",
        "product",
        "item",
        "ref",
        "reference",
        "tracking",
        "shipment",
        "isbn",
        "ean",
        "upc",
        "gtin",
        "imei",
        "zip",
        "zipcode",
        "postal",
        "postcode",
        "timestamp",
        "epoch",
        "ts",
        "created",
        "updated",
        "modified",
        "score",
        "rank",
        "lat",
        "lon",
        "lng",
        "latitude",
        "longitude",
        "build",
        "release",
        "id",
        "ids",
        "key",
        "seq",
        "sequence",
        "number_of",
        "num_of",
        "size",
        "bytes",
        "duration",
        "ms",
    }
)
# Words that always veto: the value is derived from, not equal to, the sensitive value (or is a version).
HARD_VETO_WORDS = frozenset(
    {
        "version",
        "ver",
        "hash",
        "hashed",
        "sha",
        "sha1",
        "sha256",
        "md5",
        "checksum",
        "digest",
        "uuid",
        "guid",
        "masked",
        "redacted",
        "token",
        "tokenized",
        "encrypted",
        "hmac",
    }
)


@dataclass(frozen=True)
class Pattern:
    regex: str
    context: ContextNeed = "none"
    whole_value: bool = False  # the match must be the whole (trimmed) cell, e.g. PERSON_NAME
    # replaces the entity's validator for this pattern (PERSON_NAME without context needs a known name)
    validator: Validator | None = None

    def compiled(self) -> re.Pattern[str]:
        return re.compile(self.regex)


@dataclass(frozen=True)
class EntityDef:
    """One entity type, named as in Glue's managed types where Glue has it."""

    name: str
    categories: frozenset[str]
    patterns: tuple[Pattern, ...]
    validator: Validator
    context_words: frozenset[str] = frozenset()
    veto_words: frozenset[str] = frozenset()
    hard_veto_words: frozenset[str] = HARD_VETO_WORDS
    column_veto: Callable[[list[str]], bool] | None = None  # given the validated values of a column
    # Last resort for a column whose name says nothing and that no other entity explains: given all sampled
    # non-empty values, how many support this entity; the column is flagged only when that is at least
    # COLUMN_RULE_SHARE of a sample of at least COLUMN_RULE_MIN_SAMPLE values (bare 9-digit SSNs: real SSN
    # columns pass the SSN rules ~100%, random 9-digit ids ~88%).
    column_rule: Callable[[list[str]], int] | None = None
    # A valid value that is still ambiguous (IPv4 ``3.12.0.7`` looks like a version): then it needs context.
    ambiguous: Callable[[str], bool] | None = None
    priority: int = 50  # breaks ties between overlapping spans of equal length (higher wins)
    description: str = ""
    glue_managed: bool = True
    extra: dict[str, str] = field(default_factory=dict, compare=False, hash=False)

    def __hash__(self) -> int:  # kept by @dataclass; the generated one re-hashes every field on each call
        return hash(self.name)  # equal definitions have equal names, so this agrees with __eq__


_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_SPLIT = re.compile(r"[^a-z0-9]+|(?<=[a-z])(?=[0-9])|(?<=[0-9])(?=[a-z])")


# The same tokens for ASCII text in one pass: runs of digits, of lower-case letters after at most one capital,
# and of capitals (a run of capitals leaves its last one to a capitalised word after it, ``SSNHash``).
_ASCII_TOKEN = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")


def name_tokens(name: str) -> list[str]:
    """``driverLicenseNumber`` -> [driver, license, number]; ``col_07`` -> [col, 07]; ``E-Mail`` -> [e, mail]."""
    if name.isascii():  # a third of the context windows of free-text matches are new: half the cost for those
        return [token.lower() for token in _ASCII_TOKEN.findall(name)]
    return split_tokens(name)


def split_tokens(name: str) -> list[str]:
    """``name_tokens`` for any text (``lower`` may turn non-ASCII letters into ASCII ones: ``\u212a`` -> k)."""
    spaced = _CAMEL.sub("_", name).lower()
    return [t for t in _SPLIT.split(spaced) if t]


def token_forms(tokens: list[str]) -> set[str]:
    """Tokens plus their joined neighbours (``e mail`` -> ``email``, ``credit card`` -> ``creditcard``)."""
    forms = set(tokens)
    for width in (2, 3):
        for start in range(len(tokens) - width + 1):
            forms.add("".join(tokens[start : start + width]))
            forms.add("_".join(tokens[start : start + width]))
    return forms


# veto: never this entity here; soft_veto: a decoy word (order, sku, amount...) rejects only weak matches
# (bare digits, or patterns that need context), never a structured one such as ``536-22-1234``.
ContextVerdict = Literal["raise", "veto", "soft_veto", "neutral"]


SUBSTRING_MIN = 5  # words this long also match inside run-together names (``driverlicensenumber``)


def _mentions(forms: set[str], compact: str, words: frozenset[str]) -> bool:
    if forms & words:
        return True
    inside = _substring_words(words)
    return inside is not None and inside.search(compact) is not None


@lru_cache(maxsize=1024)  # a handful of word sets, asked for every new context window
def _substring_words(words: frozenset[str]) -> re.Pattern[str] | None:
    """One regex finding any of ``words`` at least ``SUBSTRING_MIN`` long (``_`` dropped) inside a text."""
    long = sorted({w.replace("_", "") for w in words if len(w) >= SUBSTRING_MIN})
    return re.compile("|".join(map(re.escape, long))) if long else None


def context_verdict(entity: EntityDef, tokens: list[str]) -> ContextVerdict:
    """Hard vetoes win; then a context word raises; then a decoy word soft-vetoes."""
    return _verdict(entity, tuple(tokens))


@lru_cache(maxsize=65536)  # windows before matches repeat a lot in real text ("my ssn is", "call")
def _verdict(entity: EntityDef, tokens: tuple[str, ...]) -> ContextVerdict:
    forms = token_forms(list(tokens))
    compact = "".join(tokens)
    if _mentions(forms, compact, entity.hard_veto_words):
        return "veto"
    if _mentions(forms, compact, entity.context_words):
        return "raise"
    if _mentions(forms, compact, entity.veto_words):
        return "soft_veto"
    return "neutral"
