"""Pure-Python span finding for one column: regex candidates -> context -> validator -> non-overlapping spans.

The same ``ColumnScanner`` runs on the driver (column mode, on the sampled candidates) and inside Arrow batches
on the executors (cell mode). Its ``jvm_regex`` is the cheap prefilter Spark evaluates first (a superset of the
cells ``find`` can match), so Python only sees cells that may contain a candidate.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Literal

from transforms.detect_pii.entities.base import (
    MAJORITY_SHARE,
    EntityDef,
    Pattern,
    context_verdict,
    name_tokens,
)
from transforms.detect_pii.prefilter import prefilter_regex

ScanMode = Literal["column", "cell"]
CONTEXT_WINDOW_CHARS = 32  # like Macie's ~30 characters before the match
CONTEXT_WINDOW_TOKENS = 4


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    entity: str
    weak: bool  # bare digits / context-dependent: counts only when most of a column matches (column mode)


@dataclass
class _Entry:
    entity: EntityDef
    pattern: Pattern
    regex: re.Pattern[str]
    name_verdict: str


@dataclass
class ColumnScanner:
    """Finds validated entity spans in the values of one column (its name is context)."""

    column: str
    entities: list[EntityDef]
    mode: ScanMode = "column"
    verdicts: dict[str, str] = field(init=False)
    _entries: list[_Entry] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        tokens = name_tokens(self.column)
        self.verdicts = {e.name: context_verdict(e, tokens) for e in self.entities}
        self._entries = []
        for entity in self.entities:
            verdict = self.verdicts[entity.name]
            if verdict == "veto":
                continue
            for pattern in entity.patterns:
                if pattern.whole_value and verdict != "raise":
                    continue  # whole-value entities (PERSON_NAME) exist only in a column named for them
                self._entries.append(_Entry(entity, pattern, pattern.compiled(), verdict))

    @property
    def active(self) -> bool:
        return bool(self._entries)

    def jvm_regex(self) -> str | None:
        """The cheap prefilter for Spark ``rlike``: matches every cell in which ``find`` can find a span."""
        return prefilter_regex([e.pattern.regex for e in self._entries])

    def find(self, text: str) -> list[Span]:
        spans: list[tuple[Span, int]] = []
        for entry in self._entries:
            for match in entry.regex.finditer(text):
                span = self._accept(entry, text, match)
                if span is not None:
                    spans.append((span, entry.entity.priority))
        return _non_overlapping(spans)

    def _accept(self, entry: _Entry, text: str, match: re.Match[str]) -> Span | None:
        start, end = match.span()
        value = match.group(0)
        if entry.pattern.whole_value:
            stripped = value.strip()
            start = start + (len(value) - len(value.lstrip()))
            end = start + len(stripped)
            value = stripped
        need = entry.pattern.context
        if need == "none" and entry.entity.ambiguous is not None and entry.entity.ambiguous(value):
            need = "majority"
        # weak: only digits, or a pattern that needs context; such matches are what decoy words veto
        weak = need != "none" or value.isdigit()
        contextual = entry.name_verdict == "raise"
        soft_vetoed = entry.name_verdict == "soft_veto"
        window = text[max(0, start - CONTEXT_WINDOW_CHARS) : start]
        if window and not entry.pattern.whole_value:
            verdict = context_verdict(entry.entity, name_tokens(window)[-CONTEXT_WINDOW_TOKENS:])
            if verdict == "veto":
                return None
            contextual = contextual or verdict == "raise"
            soft_vetoed = soft_vetoed or (verdict == "soft_veto" and entry.name_verdict != "raise")
        if soft_vetoed and weak and not (contextual and entry.name_verdict != "soft_veto"):
            return None
        if not contextual and (need == "required" or (need == "majority" and self.mode == "cell")):
            return None
        if not value or not entry.entity.validator(value):
            return None
        return Span(start, end, entry.entity.name, weak=weak and not (need == "none" and contextual))


def _non_overlapping(candidates: list[tuple[Span, int]]) -> list[Span]:
    """Longest span first, then entity priority; drop anything overlapping an accepted span."""
    accepted: list[Span] = []
    for span, _ in sorted(candidates, key=lambda c: (-(c[0].end - c[0].start), -c[1], c[0].start)):
        if all(span.end <= other.start or span.start >= other.end for other in accepted):
            accepted.append(span)
    return sorted(accepted, key=lambda s: s.start)


@dataclass
class EntityFinding:
    """Column-level evidence for one entity in one column (counts only; never values)."""

    entity: str
    matches: int
    strong_matches: int
    sample_count: int
    context: str
    flagged: bool
    vetoed_by_values: bool = False

    @property
    def share(self) -> float:
        return self.matches / self.sample_count if self.sample_count else 0.0

    @property
    def confidence(self) -> float:
        """Share of matching values, discounted when the column name gave no context."""
        factor = 1.0 if self.context == "raise" else 0.9 if self.strong_matches == self.matches else 0.75
        return round(min(1.0, self.share) * factor, 3)


def classify_column(
    scanner: ColumnScanner, candidates: list[str], sample_count: int, threshold: float
) -> list[EntityFinding]:
    """Column mode: which entities make up at least ``threshold`` of the sampled non-empty values."""
    strong: dict[str, int] = {}
    weak: dict[str, int] = {}
    matched_values: dict[str, list[str]] = {}
    # a value's spans depend only on the value (and the column): scan each distinct value once, weight by count
    for value, count in Counter(candidates).items():
        kinds: dict[str, bool] = {}
        for span in scanner.find(value):
            kinds[span.entity] = kinds.get(span.entity, False) or not span.weak
            matched_values.setdefault(span.entity, []).extend([value[span.start : span.end]] * count)
        for entity, is_strong in kinds.items():
            (strong if is_strong else weak)[entity] = (strong if is_strong else weak).get(entity, 0) + count
    by_name = {e.name: e for e in scanner.entities}
    findings = []
    for name in sorted(set(strong) | set(weak)):
        strong_count, total = strong.get(name, 0), strong.get(name, 0) + weak.get(name, 0)
        share_strong = strong_count / sample_count if sample_count else 0.0
        share_all = total / sample_count if sample_count else 0.0
        flagged = total > 0 and (share_strong >= threshold or share_all >= max(threshold, MAJORITY_SHARE))
        veto = by_name[name].column_veto
        # the values can veto (a column of versions is not IPs) unless the column's name says what it holds
        vetoed = bool(
            flagged and veto is not None and scanner.verdicts[name] != "raise" and veto(matched_values.get(name, []))
        )
        findings.append(
            EntityFinding(
                name, total, strong_count, sample_count, scanner.verdicts[name], flagged and not vetoed, vetoed
            )
        )
    return sorted(findings, key=lambda f: (-f.flagged, -f.matches, f.entity))
