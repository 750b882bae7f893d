"""Pure-Python span finding for one column: regex candidates -> context -> validator -> non-overlapping spans.

The same ``ColumnScanner`` runs on the driver (column mode, on the sampled candidates) and inside Arrow batches
on the executors (cell mode). Its ``jvm_regex`` is the cheap prefilter Spark evaluates first on the UDF path (a
superset of the cells ``find`` can match). ``find`` is the reference for one cell; ``find_many`` gives the same
spans for a batch, its gates evaluated in C++ (pyarrow's RE2) so that Python runs patterns and validators only
where they can match, and cells that are one whole match accepted with vectorised validators.
"""

from __future__ import annotations

import gc
import re
import string
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import numpy as np

from transforms.detect_pii.batch_validators import validate_many
from transforms.detect_pii.entities.base import (
    COLUMN_RULE_MIN_SAMPLE,
    COLUMN_RULE_SHARE,
    MAJORITY_SHARE,
    EntityDef,
    Pattern,
    context_verdict,
    name_tokens,
)
from transforms.detect_pii.prefilter import (
    bounded_regex,
    edge_lookarounds_only,
    max_width,
    min_count,
    min_width,
    prefilter_regex,
    relaxed_regex,
)

if TYPE_CHECKING:
    import pyarrow as pa

ScanMode = Literal["column", "cell"]
CONTEXT_WINDOW_CHARS = 32  # like Macie's ~30 characters before the match
CONTEXT_WINDOW_TOKENS = 4
WINDOW_MEMO_MAX = 65_536


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
    # Cheap gates checked before the regex runs, each implied by a match (so skipping an entry that fails
    # one never changes the result): how many characters of a class every match provably contains, and for
    # patterns that need a context word, one of the entity's words somewhere in the cell.
    needs: tuple[tuple[int, int], ...] = ()  # (index into COUNT_CLASSES, minimum count)
    context_gated: bool = False
    relaxed: str | None = None  # the pattern without lookarounds, for RE2 (``find_many``); None: no such gate
    gate: str | None = None  # the RE2 gate: ``bounded_regex`` where it exists, else ``relaxed``
    # ``find_many``'s whole-token path: RE2 for "the whole cell may be one match" (None: path not used), and
    # whether RE2's leftmost-first match from the start decides it alone (``edge_lookarounds_only``)
    whole_token: str | None = None
    whole_by_re2: bool = False
    max_width: int = 0  # the longest match the pattern can have (a cell longer than that is not one match)


# Character classes counted per cell (C-speed ``str.translate``/``str.count``) to gate patterns cheaply.
_CLASS_SPELLINGS = ("0123456789", "ABCDEFGHIJKLMNOPQRSTUVWXYZ", string.ascii_letters, "@", ":", "-", ".", "/")
COUNT_CLASSES: tuple[frozenset[str], ...] = tuple(frozenset(chars) for chars in _CLASS_SPELLINGS)
_DIGITS, _UPPER, _LETTERS = (str.maketrans("", "", chars) for chars in _CLASS_SPELLINGS[:3])
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")
# COUNT_CLASSES as byte tables for the batch counts (``_BatchGates._count``): all ASCII, so the counts agree
# with ``class_counts``
_CLASS_BYTES = np.zeros((len(COUNT_CLASSES), 256), dtype=np.uint8)  # byte value -> 1 when in the class
for _index, _chars in enumerate(COUNT_CLASSES):
    _CLASS_BYTES[_index, [ord(c) for c in _chars]] = 1
_COMPACT_WORD = re.compile(r"[a-z0-9]+")
# ``_compact`` on ASCII bytes (``_BatchGates._compacted``): byte -> lower-cased byte, byte -> 1 when in [a-z0-9]
_LOWER_BYTES = np.arange(256, dtype=np.uint8)
_LOWER_BYTES[ord("A") : ord("Z") + 1] += 32
_COMPACT_BYTES = np.zeros(256, dtype=np.uint8)
_COMPACT_BYTES[[ord(c) for c in string.ascii_lowercase + string.digits]] = 1
VECTOR_MIN_CELLS = 32  # below this a batch is cheaper cell by cell


def class_counts(text: str) -> tuple[int, ...]:
    """How many characters of each of ``COUNT_CLASSES`` the text holds (same order)."""
    size = len(text)
    return (
        size - len(text.translate(_DIGITS)),
        size - len(text.translate(_UPPER)),
        size - len(text.translate(_LETTERS)),
        text.count("@"),
        text.count(":"),
        text.count("-"),
        text.count("."),
        text.count("/"),
    )


def _compact(text: str) -> str:
    """What ``name_tokens`` keeps of a text, joined: a context word in any window is a substring of it."""
    return _NOT_ALNUM.sub("", text.lower())


@dataclass
class ColumnScanner:
    """Finds validated entity spans in the values of one column (its name is context)."""

    column: str
    entities: list[EntityDef]
    mode: ScanMode = "column"
    verdicts: dict[str, str] = field(init=False)
    _entries: list[_Entry] = field(init=False, repr=False)
    _caps: tuple[int, ...] = field(init=False, repr=False)
    _plans: dict[tuple[int, ...], tuple[_Entry, ...]] = field(init=False, repr=False)
    _context_words: re.Pattern[str] | None = field(init=False, repr=False)
    _word_entities: dict[str, frozenset[str]] = field(init=False, repr=False)
    _window_verdicts: dict[tuple[str, str], str] = field(init=False, repr=False, default_factory=dict)
    _presence: dict[str, str | None] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        tokens = name_tokens(self.column)
        self.verdicts = {e.name: context_verdict(e, tokens) for e in self.entities}
        self._entries = []
        for entity in self.entities:
            verdict = self.verdicts[entity.name]
            if verdict == "veto":
                continue
            for pattern in entity.patterns:
                if pattern.whole_value and not self._whole_value_applies(pattern, verdict):
                    continue
                self._entries.append(self._entry(entity, pattern, verdict))
        # counts above the largest minimum any entry needs decide nothing more: cap them (bounded plan cache)
        self._caps = tuple(
            max((m for e in self._entries for i, m in e.needs if i == index), default=0)
            for index in range(len(COUNT_CLASSES))
        )
        self._plans = {}
        self._build_context_gate()

    def _entry(self, entity: EntityDef, pattern: Pattern, verdict: str) -> _Entry:
        counts = ((index, min_count(pattern.regex, chars)) for index, chars in enumerate(COUNT_CLASSES))
        needs = tuple((index, count) for index, count in counts if count > 0)
        gated = verdict != "raise" and self._needs_context(pattern.context) and not pattern.whole_value
        relaxed = relaxed_regex(pattern.regex)
        # a match that is the whole cell starts at 0 (no context window) and, matching something, is the only
        # one finditer yields; whole-value patterns (stripped, names) keep the general path
        whole = f"^(?:{relaxed})$" if relaxed and not pattern.whole_value and min_width(pattern.regex) > 0 else None
        by_re2 = whole is not None and edge_lookarounds_only(pattern.regex)
        gate = bounded_regex(pattern.regex) or relaxed
        widest = max_width(pattern.regex)
        return _Entry(entity, pattern, pattern.compiled(), verdict, needs, gated, relaxed, gate, whole, by_re2, widest)

    def _build_context_gate(self) -> None:
        """One regex over the compacted cell finds which gated entities have a context word anywhere in it.

        At each position the longest listed word wins; every shorter word matching there is a prefix of it,
        so each word stands for the entities owning any of its prefixes (a superset, as a gate must be).
        """
        owners: dict[str, set[str]] = {}
        for entry in self._entries:
            if entry.context_gated:
                for word in entry.entity.context_words:
                    owners.setdefault(word.replace("_", ""), set()).add(entry.entity.name)
        words = sorted((w for w in owners if w), key=lambda w: (-len(w), w))
        self._word_entities = {
            w: frozenset(e for prefix, names in owners.items() if prefix and w.startswith(prefix) for e in names)
            for w in words
        }
        self._context_words = re.compile("(?=(" + "|".join(map(re.escape, words)) + "))") if words else None
        # find_many: the same gate per entity in RE2 over the compacted cell (a word occurs anywhere in it);
        # words with characters compaction removes can never occur, as in the regex above
        self._presence = {}
        for entry in self._entries:
            if entry.context_gated:
                spelled = sorted({w.replace("_", "") for w in entry.entity.context_words} - {""})
                usable = [w for w in spelled if _COMPACT_WORD.fullmatch(w)]
                self._presence[entry.entity.name] = "|".join(usable) or None

    def _whole_value_applies(self, pattern: Pattern, verdict: str) -> bool:
        """Whole-value patterns (PERSON_NAME) have no text around them: in a column named for the entity the
        context-backed form applies, elsewhere only a form that can do without context (column mode)."""
        if verdict == "raise":
            return pattern.context == "required"
        return not self._needs_context(pattern.context)

    def _needs_context(self, need: str) -> bool:
        return need == "required" or (need == "majority" and self.mode == "cell")

    @property
    def active(self) -> bool:
        return bool(self._entries)

    def jvm_regex(self) -> str | None:
        """The cheap prefilter for Spark ``rlike``: matches every cell in which ``find`` can find a span."""
        return prefilter_regex([e.pattern.regex for e in self._entries])

    def _plan(self, text: str) -> tuple[_Entry, ...]:
        """The entries whose character-count gates ``text`` passes (cached per capped count profile)."""
        key = tuple(map(min, class_counts(text), self._caps))
        plan = self._plans.get(key)
        if plan is None:
            plan = self._plans[key] = tuple(
                entry for entry in self._entries if all(key[index] >= minimum for index, minimum in entry.needs)
            )
        return plan

    def _context_present(self, text: str) -> frozenset[str]:
        if self._context_words is None:
            return frozenset()
        found: set[str] = set()
        for match in self._context_words.finditer(_compact(text)):
            found |= self._word_entities[match.group(1)]
        return frozenset(found)

    def find(self, text: str) -> list[Span]:
        spans: list[tuple[Span, int]] = []
        present: frozenset[str] | None = None
        accept = self._accept
        for entry in self._plan(text):
            if entry.context_gated:
                present = self._context_present(text) if present is None else present
                if entry.entity.name not in present:
                    continue
            for match in entry.regex.finditer(text):
                span = accept(entry, text, match)
                if span is not None:
                    spans.append((span, entry.entity.priority))
        if len(spans) < 2:  # nothing to resolve (most cells of a structured column hold one span)
            return [span for span, _ in spans]
        return _non_overlapping(spans)

    def find_many(self, texts: Sequence[str | None]) -> list[list[Span]]:
        """``[find(text) for text in texts]`` (``None`` -> no spans), the per-cell gates evaluated for the whole
        batch at once in C++ (pyarrow's RE2): character counts, each pattern's lookaround-free superset
        (``bounded_regex`` / ``relaxed_regex``), context words. (Cell, pattern) pairs in which the pattern matches
        the whole cell are decided for the batch at once (``_whole_tokens``); Python runs the other (cell,
        pattern) pairs that pass every gate, in ``find``'s order, so the spans are the same (tested against
        ``find``).
        """
        import pyarrow as pa

        if len(texts) < VECTOR_MIN_CELLS:
            return [[] if text is None else self.find(text) for text in texts]
        try:
            array = pa.array(texts, pa.string())
        except (pa.ArrowException, UnicodeEncodeError):  # e.g. lone surrogates: no UTF-8 for RE2
            return [[] if text is None else self.find(text) for text in texts]
        with gc_paused():
            return self._find_batch(texts, array)

    def _find_batch(self, texts: Sequence[str | None], array: pa.Array) -> list[list[Span]]:
        gates = _BatchGates(self, array)
        found: list[list[tuple[Span, int]]] = [[] for _ in texts]
        # In a cell that an entry matches whole (most cells of a structured column) that match is the entry's
        # only one, so its span there is decided for the batch at once (``_whole_tokens``), whatever the other
        # entries do in that cell; entries are visited in ``find``'s order, so ``_non_overlapping`` sees the
        # candidates of every cell in the same order and resolves them as in ``find``.
        lengths = np.asarray(_lengths(array))
        is_whole = np.zeros(len(texts), bool)
        presence: dict[int, frozenset[str]] = {}  # per non-ASCII cell, decided by ``find``'s own gate
        accept = self._accept
        for entry in self._entries:
            indices = gates.passing(entry)
            rows = self._whole_rows(entry, texts, array, indices[gates.ascii[indices]], lengths)
            if len(rows):
                self._whole_tokens(entry, array, rows, lengths, found)
                is_whole[rows] = True
                indices = indices[~is_whole[indices]]
                is_whole[rows] = False
            name, priority = entry.entity.name, entry.entity.priority
            for index in indices.tolist():
                text = texts[index]
                assert text is not None  # null cells pass no gate
                if entry.context_gated and not gates.ascii[index]:
                    present = presence.get(index)
                    if present is None:
                        present = presence[index] = self._context_present(text)
                    if name not in present:
                        continue
                for match in entry.regex.finditer(text):
                    span = accept(entry, text, match)
                    if span is not None:
                        found[index].append((span, priority))
        return [[spans[0][0]] if len(spans) == 1 else _non_overlapping(spans) if spans else [] for spans in found]

    def _whole_rows(
        self, entry: _Entry, texts: Sequence[str | None], array: pa.Array, rows: np.ndarray, lengths: np.ndarray
    ) -> np.ndarray:
        """Of the (ASCII) cells ``rows``, those that ``entry.regex.match`` matches whole: then ``finditer``
        yields that one match (it is not empty) and nothing else."""
        import pyarrow.compute as pc

        if entry.whole_token is None or not len(rows):
            return rows[:0]
        rows = rows[lengths[rows] <= entry.max_width]
        if not len(rows):
            return rows
        candidates = array.take(_positions(rows))
        if entry.whole_by_re2 and entry.relaxed is not None:
            # the core's leftmost-first match from the start consumes the whole cell: Python's match does too
            rest = pc.replace_substring_regex(candidates, f"^(?:{entry.relaxed})", "", max_replacements=1)
            return rows[np.asarray(_lengths(rest)) == 0]
        match_at_start = entry.regex.match
        kept: list[int] = []
        for index in rows[_matched(candidates, entry.whole_token)].tolist():
            text = texts[index]
            assert text is not None
            match = match_at_start(text)
            if match is not None and match.end() == len(text):
                kept.append(index)  # else RE2's shape without the lookarounds, or a shorter first match
        return np.array(kept, np.int64)

    def _whole_tokens(
        self, entry: _Entry, array: pa.Array, rows: np.ndarray, lengths: np.ndarray, found: list[list[tuple[Span, int]]]
    ) -> None:
        """``entry``'s span in each cell of ``rows``, all matched whole by it: ``_accept`` for a match at 0
        (no context window) reduces to the column's verdict, the value's ambiguity and digits, and the
        validator, all vectorised (``batch_validators``)."""
        if not len(rows):
            return
        pattern, entity = entry.pattern, entry.entity
        values = array.take(_positions(rows))
        contextual = entry.name_verdict == "raise"
        if pattern.context == "none" and entity.ambiguous is not None:
            ambiguous = validate_many(entity.ambiguous, values)
        else:
            ambiguous = np.zeros(len(rows), bool)
        need_none = (pattern.context == "none") & ~ambiguous
        weak = ~need_none | _matched(values, "^[0-9]+$")  # str.isdigit on ASCII
        needs_context = np.where(ambiguous, self._needs_context("majority"), self._needs_context(pattern.context))
        kept = ~((entry.name_verdict == "soft_veto") & weak) & (contextual | ~needs_context)
        if not kept.any():
            return
        checked = np.flatnonzero(kept)
        valid = validate_many(pattern.validator or entity.validator, values.take(_positions(checked)))
        accepted = checked[valid]
        weak_spans = (weak & ~(need_none & contextual))[accepted].tolist()
        spans: dict[tuple[int, bool], tuple[Span, int]] = {}  # frozen: one object per (length, weak)
        for index, size, is_weak in zip(
            rows[accepted].tolist(), lengths[rows[accepted]].tolist(), weak_spans, strict=True
        ):
            span = spans.get((size, is_weak))
            if span is None:
                span = spans[size, is_weak] = (Span(0, size, entity.name, is_weak), entity.priority)
            found[index].append(span)

    def _window_verdict(self, entity: EntityDef, window: str) -> str:
        """``context_verdict`` of the last tokens of ``window`` (memoised: windows repeat in real text)."""
        key = (entity.name, window)
        verdict = self._window_verdicts.get(key)
        if verdict is None:
            if len(self._window_verdicts) >= WINDOW_MEMO_MAX:
                self._window_verdicts.clear()
            verdict = context_verdict(entity, name_tokens(window)[-CONTEXT_WINDOW_TOKENS:])
            self._window_verdicts[key] = verdict
        return verdict

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
            verdict = self._window_verdict(entry.entity, window)
            if verdict == "veto":
                return None
            contextual = contextual or verdict == "raise"
            soft_vetoed = soft_vetoed or (verdict == "soft_veto" and entry.name_verdict != "raise")
        if soft_vetoed and weak and not (contextual and entry.name_verdict != "soft_veto"):
            return None
        if not contextual and self._needs_context(need):
            return None
        if not value or not (entry.pattern.validator or entry.entity.validator)(value):
            return None
        return Span(start, end, entry.entity.name, weak=weak and not (need == "none" and contextual))


class _BatchGates:
    """``find``'s per-cell gates for a whole Arrow batch: which cells may hold a match of an entry."""

    def __init__(self, scanner: ColumnScanner, array: pa.Array) -> None:
        import pyarrow.compute as pc

        self.scanner = scanner
        self.array = array
        self.valid: np.ndarray = array.is_valid().to_numpy(zero_copy_only=False)
        self.ascii: np.ndarray = pc.string_is_ascii(array).fill_null(False).to_numpy(zero_copy_only=False)
        self._counts: dict[int, np.ndarray] = {}
        self._bytes: tuple[np.ndarray, np.ndarray] | None = None  # (offsets from 0, the cells' bytes + a 0)
        self._compact: pa.Array | None = None
        self._present: dict[str, np.ndarray] = {}

    def passing(self, entry: _Entry) -> np.ndarray:
        """Indices of the cells passing every gate of ``entry`` (non-ASCII cells: context decided later)."""
        mask = self.valid.copy()
        for index, minimum in entry.needs:
            mask &= self._count(index) >= minimum
        if entry.context_gated and mask.any():
            # before the pattern's RE2 pass: one pass per entity, shared by its patterns, and few cells of
            # free text hold a context word, so the pattern's pass then runs over far fewer cells
            mask &= self._present_mask(entry.entity.name) | ~self.ascii
        if entry.gate is not None:
            rows = np.flatnonzero(mask)
            if 0 < len(rows) < len(mask):  # RE2 only over the cells the counts let through
                mask[rows[~_matched(self.array.take(_positions(rows)), entry.gate)]] = False
            elif len(rows):
                mask &= _matched(self.array, entry.gate)
        return np.flatnonzero(mask)

    def _count(self, index: int) -> np.ndarray:
        """Characters of ``COUNT_CLASSES[index]`` per cell, counted over the UTF-8 bytes: the classes are
        ASCII, and no byte of a multi-byte UTF-8 character is, so byte counts are character counts."""
        counts = self._counts.get(index)
        if counts is None:
            counts = self._counts[index] = self._per_cell(_CLASS_BYTES[index].take(self._cell_bytes()[1]))
        return counts

    def _cell_bytes(self) -> tuple[np.ndarray, np.ndarray]:
        """(offsets from 0, the cells' UTF-8 bytes + a trailing 0 byte)."""
        if self._bytes is None:
            offsets = np.frombuffer(self.array.buffers()[1], dtype=np.int32)
            offsets = offsets[self.array.offset : self.array.offset + len(self.array) + 1].astype(np.int64)
            data = self.array.buffers()[2]
            values = np.frombuffer(data, dtype=np.uint8) if data is not None else np.zeros(0, np.uint8)
            # the trailing byte (0: in no class, not kept): every cell start, even of empty cells at the end,
            # is an index
            self._bytes = (offsets - offsets[0], np.append(values[offsets[0] : offsets[-1]], np.uint8(0)))
        return self._bytes

    def _per_cell(self, flags: np.ndarray) -> np.ndarray:
        """Per-cell sums of a 0/1 flag per byte of ``_cell_bytes``."""
        offsets = self._cell_bytes()[0]
        starts = offsets[:-1]
        # reduceat gives an empty cell the flag at its start instead of 0
        counts = np.add.reduceat(flags, starts, dtype=np.int64)
        counts[starts == offsets[1:]] = 0
        return counts

    def _compacted(self) -> pa.Array:
        """``_compact`` of every ASCII cell (lower-cased, only ``[a-z0-9]`` kept), from the byte buffer; what
        a non-ASCII cell becomes does not matter (``find``'s own gate decides those)."""
        import pyarrow as pa

        if self._compact is None:
            values = self._cell_bytes()[1]
            lowered = _LOWER_BYTES.take(values)
            keep = _COMPACT_BYTES.take(lowered)
            kept = self._per_cell(keep)
            new_offsets = np.concatenate([[0], np.cumsum(kept)]).astype(np.int32)
            data = lowered[keep.view(bool)]
            self._compact = pa.StringArray.from_buffers(
                len(kept), pa.py_buffer(new_offsets), pa.py_buffer(np.ascontiguousarray(data))
            )
        return self._compact

    def _present_mask(self, entity: str) -> np.ndarray:
        """ASCII cells in which one of the entity's context words occurs (``_context_present``, vectorised)."""
        import pyarrow.compute as pc

        present = self._present.get(entity)
        if present is None:
            words = self.scanner._presence.get(entity)
            if words is None:
                present = np.zeros(len(self.array), dtype=bool)
            else:
                present = (
                    pc.match_substring_regex(self._compacted(), words).fill_null(False).to_numpy(zero_copy_only=False)
                )
            self._present[entity] = present
        return present


def _matched(array: pa.Array, regex: str) -> np.ndarray:
    """RE2 ``search`` per cell (nulls: False)."""
    import pyarrow.compute as pc

    return np.asarray(pc.match_substring_regex(array, regex).fill_null(False).to_numpy(zero_copy_only=False), bool)


def _lengths(array: pa.Array) -> np.ndarray:
    """Characters per cell (nulls: 0)."""
    import pyarrow.compute as pc

    return np.asarray(pc.utf8_length(array).fill_null(0).to_numpy(zero_copy_only=False), dtype=np.int64)


def _positions(rows: np.ndarray) -> pa.Array:
    import pyarrow as pa

    return pa.array(rows, pa.int64())


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while a batch is scanned: it allocates ~10^5 short-lived acyclic objects
    (spans, lists, outcomes), which trigger full collections that walk everything alive (the cell-mode memo,
    Spark's objects on the driver): measured ~10 µs per row of 8 columns, a sixth of the scan. Cycles made
    meanwhile are collected once it is re-enabled."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


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
    counted = Counter(candidates)
    for (value, count), spans in zip(counted.items(), scanner.find_many(list(counted)), strict=True):
        kinds: dict[str, bool] = {}
        for span in spans:
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
    if not any(f.flagged for f in findings):
        ruled = _column_rules(scanner, candidates, sample_count)
        findings = [f for f in findings if f.entity not in {r.entity for r in ruled}] + ruled
    return sorted(findings, key=lambda f: (-f.flagged, -f.matches, f.entity))


def _column_rules(scanner: ColumnScanner, values: list[str], sample_count: int) -> list[EntityFinding]:
    """Entities whose column rule the values meet (only for a column with a neutral name nothing else explains)."""
    if sample_count < COLUMN_RULE_MIN_SAMPLE:
        return []
    findings = []
    for entity in scanner.entities:
        if entity.column_rule is None or scanner.verdicts[entity.name] != "neutral":
            continue
        support = entity.column_rule(values)
        if support >= COLUMN_RULE_SHARE * sample_count:
            findings.append(EntityFinding(entity.name, support, 0, sample_count, "column-values", True))
    return findings
