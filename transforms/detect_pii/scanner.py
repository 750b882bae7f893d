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
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import numpy as np

from transforms.detect_pii.batch_validators import has_batch_twin, validate_many
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
from transforms.detect_pii.validators import Validator

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
class BatchSpans:
    """The spans of a batch of cells (``ColumnScanner.scan``), the commonest case as arrays: where
    ``whole[i] >= 0`` the only span of cell i covers all of it (``lengths[i]`` characters), of entity
    ``names[whole[i]]``, weak when ``weak[i]``; every other cell with spans is in ``other``."""

    names: list[str]
    lengths: np.ndarray
    whole: np.ndarray
    weak: np.ndarray
    other: dict[int, list[Span]]

    @classmethod
    def of_cells(cls, size: int, spans: dict[int, list[Span]]) -> BatchSpans:
        return cls([], np.zeros(size, np.int64), np.full(size, -1, np.int64), np.zeros(size, bool), spans)

    def whole_span(self, index: int) -> Span:
        return Span(0, int(self.lengths[index]), self.names[self.whole[index]], bool(self.weak[index]))

    def lists(self) -> list[list[Span]]:
        """One list of spans per cell, as ``find`` gives them."""
        result: list[list[Span]] = [[] for _ in range(len(self.whole))]
        shared: dict[tuple[int, int, bool], Span] = {}  # frozen: one object per (entity, length, weak)
        rows = np.flatnonzero(self.whole >= 0)
        for index, entity, size, is_weak in zip(
            rows.tolist(), self.whole[rows].tolist(), self.lengths[rows].tolist(), self.weak[rows].tolist(), strict=True
        ):
            span = shared.get((entity, size, is_weak))
            if span is None:
                span = shared[entity, size, is_weak] = Span(0, size, self.names[entity], is_weak)
            result[index].append(span)
        for index, spans in self.other.items():
            result[index] = spans
        return result


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

    @property
    def validator(self) -> Validator:
        return self.pattern.validator or self.entity.validator


# Character classes counted per cell (C-speed ``str.translate``/``str.count``) to gate patterns cheaply.
# "+" and ":-" (either) gate the international phone and the MAC patterns, which otherwise pass every cell
# with a few digits (~1 µs a row of RE2 passes on the bench's data).
_CLASS_SPELLINGS = (
    "0123456789",
    "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
    string.ascii_letters,
    "@",
    ":",
    "-",
    ".",
    "/",
    "+",
    ":-",
)
COUNT_CLASSES: tuple[frozenset[str], ...] = tuple(frozenset(chars) for chars in _CLASS_SPELLINGS)
_DIGITS, _UPPER, _LETTERS = (str.maketrans("", "", chars) for chars in _CLASS_SPELLINGS[:3])
_LETTER_CLASS = 2
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
RE2_SPAN_MAX_WIDTH = 64


def class_counts(text: str) -> tuple[int, ...]:
    """How many characters of each of ``COUNT_CLASSES`` the text holds (same order)."""
    size = len(text)
    colons, dashes = text.count(":"), text.count("-")
    return (
        size - len(text.translate(_DIGITS)),
        size - len(text.translate(_UPPER)),
        size - len(text.translate(_LETTERS)),
        text.count("@"),
        colons,
        dashes,
        text.count("."),
        text.count("/"),
        text.count("+"),
        colons + dashes,
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
    _presence: dict[str, tuple[str, bool] | None] = field(init=False, repr=False)

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
        widest = max_width(pattern.regex)
        # RE2 finds where a match ends in its slower engines, whose cost grows with counted repetitions: for
        # wide patterns (e-mail: ~2 µs a cell) Python's ``match`` behind RE2's yes/no test is cheaper (~0.4 µs)
        by_re2 = whole is not None and edge_lookarounds_only(pattern.regex) and widest <= RE2_SPAN_MAX_WIDTH
        gate = bounded_regex(pattern.regex) or relaxed
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
                lettered = all(not w.isdigit() for w in usable)  # no word occurs in a cell without a letter
                self._presence[entry.entity.name] = ("|".join(usable), lettered) if usable else None

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
        return self.scan(texts).lists()

    def scan(self, texts: Sequence[str | None], array: pa.Array | None = None) -> BatchSpans:
        """``find_many``'s spans as a ``BatchSpans`` (``array``: ``texts`` as an Arrow string array, if at hand)."""
        import pyarrow as pa

        if len(texts) >= VECTOR_MIN_CELLS:
            try:
                array = pa.array(texts, pa.string()) if array is None else array
            except (pa.ArrowException, UnicodeEncodeError):  # e.g. lone surrogates: no UTF-8 for RE2
                array = None
            if array is not None:
                with gc_paused():
                    return self._find_batch(texts, array)
        spans = {index: self.find(text) for index, text in enumerate(texts) if text is not None}
        return BatchSpans.of_cells(len(texts), {index: found for index, found in spans.items() if found})

    def _find_batch(self, texts: Sequence[str | None], array: pa.Array) -> BatchSpans:
        gates = _BatchGates(self, array)
        size = len(texts)
        # In a cell that an entry matches whole (most cells of a structured column) that match is the entry's
        # only one, so its span there is decided for the batch at once (``_whole_tokens``), whatever the other
        # entries do in that cell. A span covering the whole cell outlasts every shorter one in
        # ``_non_overlapping``, and of two whole-cell spans the higher priority wins, the earlier entry on a
        # tie: so each cell keeps only its best whole-cell span so far (``winner``, ``best``), and a later
        # entry runs there only if its priority is higher.
        lengths = np.asarray(_lengths(array))
        winner = np.full(size, -1, np.int64)  # position in ``_entries`` of the best whole-cell span, or -1
        best = np.full(size, np.iinfo(np.int64).min, np.int64)  # its entity's priority
        weak = np.zeros(size, bool)
        found: dict[int, list[tuple[Span, int]]] = {}  # general-path spans: (span, priority)
        is_whole = np.zeros(size, bool)
        presence: dict[int, frozenset[str]] = {}  # per non-ASCII cell, decided by ``find``'s own gate
        candidate = self._candidate
        for position, entry in enumerate(self._entries):
            name, priority = entry.entity.name, entry.entity.priority
            indices = gates.passing(entry)
            indices = indices[best[indices] < priority]
            rows = self._whole_rows(entry, texts, array, indices[gates.ascii[indices]], lengths)
            if len(rows):
                accepted, accepted_weak = self._whole_tokens(entry, array, rows)
                winner[accepted], best[accepted], weak[accepted] = position, priority, accepted_weak
                is_whole[rows] = True
                indices = indices[~is_whole[indices]]
                is_whole[rows] = False
            candidates: list[tuple[int, Span]] = []
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
                    span = candidate(entry, text, match)
                    if span is not None:
                        candidates.append((index, span))
            # the validator once for all the entry's candidates (vectorised where it has a batch twin), then
            # the spans in the order ``find`` makes them
            values = [texts[index][span.start : span.end] for index, span in candidates]  # type: ignore[index]
            for (index, span), valid in zip(candidates, _validated(entry.validator, values), strict=True):
                if valid:
                    found.setdefault(index, []).append((span, priority))
        names = [entry.entity.name for entry in self._entries]
        other: dict[int, list[Span]] = {}
        for index, spans in found.items():
            if winner[index] >= 0:
                # last, not in entry order: the general path's spans from later entries there have a higher
                # priority (the others were skipped), so no tie of ``_non_overlapping`` depends on the place
                whole = Span(0, int(lengths[index]), names[winner[index]], bool(weak[index]))
                spans.append((whole, int(best[index])))
                winner[index] = -1
            other[index] = [spans[0][0]] if len(spans) == 1 else _non_overlapping(spans)
        return BatchSpans(names, lengths, winner, weak, other)

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

    def _whole_tokens(self, entry: _Entry, array: pa.Array, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Of the cells ``rows``, all matched whole by ``entry``, those in which that match is a span, and the
        spans' weak flags: ``_accept`` for a match at 0 (no context window) reduces to the column's verdict,
        the value's ambiguity and digits, and the validator, all vectorised (``batch_validators``)."""
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
        checked = np.flatnonzero(kept)
        if len(checked):
            checked = checked[validate_many(entry.validator, values.take(_positions(checked)))]
        return rows[checked], (weak & ~(need_none & contextual))[checked]

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
        span = self._candidate(entry, text, match)
        if span is None or not entry.validator(text[span.start : span.end]):
            return None
        return span

    def _candidate(self, entry: _Entry, text: str, match: re.Match[str]) -> Span | None:
        """The span ``_accept`` gives for ``match`` if the value there passes the validator."""
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
        if not value:
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
        rows = np.flatnonzero(mask)
        if entry.gate is not None and len(rows):  # RE2 only over the cells the other gates let through
            rows = rows[_matched_rows(self.array, entry.gate, rows)[rows]]
        return rows

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
        present = self._present.get(entity)
        if present is None:
            spelled = self.scanner._presence.get(entity)
            if spelled is None:
                present = np.zeros(len(self.array), dtype=bool)
            else:
                words, lettered = spelled
                # words with a letter are not in cells without one (most cells of numeric columns)
                rows = np.flatnonzero(self._count(_LETTER_CLASS) > 0) if lettered else None
                present = _matched_rows(self._compacted(), words, rows)
            self._present[entity] = present
        return present


def _matched(array: pa.Array, regex: str) -> np.ndarray:
    """RE2 ``search`` per cell (nulls: False)."""
    import pyarrow.compute as pc

    return np.asarray(pc.match_substring_regex(array, regex).fill_null(False).to_numpy(zero_copy_only=False), bool)


def _validated(validator: Validator, values: list[str]) -> Iterable[bool]:
    """``map(validator, values)``, in one vectorised call for enough ASCII values of a validator with a batch
    twin (a scalar Luhn, NANP or ``ipaddress`` check costs 2-7 µs a value)."""
    import pyarrow as pa

    if len(values) >= VECTOR_MIN_CELLS and has_batch_twin(validator) and all(map(str.isascii, values)):
        return validate_many(validator, pa.array(values, pa.string())).tolist()
    return map(validator, values)


def _matched_rows(array: pa.Array, regex: str, rows: np.ndarray | None) -> np.ndarray:
    """``_matched`` for the cells ``rows`` only (None: all cells), False for the others."""
    if rows is None or len(rows) == len(array):
        return _matched(array, regex)
    matched = np.zeros(len(array), bool)
    if len(rows):
        matched[rows] = _matched(array.take(_positions(rows)), regex)
    return matched


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
    # a value's spans depend only on the value (and the column): scan each distinct value once, weight by count
    counted = Counter(candidates)
    values, counts = list(counted), np.fromiter(counted.values(), np.int64, len(counted))
    with gc_paused():
        found = scanner.scan(values)
    strong: dict[str, int] = {}
    weak: dict[str, int] = {}
    # cells that are one whole span (most of a structured column): counted per entry at once
    rows = np.flatnonzero(found.whole >= 0)
    for flags, tally in ((~found.weak[rows], strong), (found.weak[rows], weak)):
        per_entry = np.bincount(found.whole[rows][flags], weights=counts[rows][flags], minlength=len(found.names))
        for position in np.flatnonzero(per_entry).tolist():
            name = found.names[position]
            tally[name] = tally.get(name, 0) + int(per_entry[position])
    for index, spans in found.other.items():
        kinds: dict[str, bool] = {}
        for span in spans:
            kinds[span.entity] = kinds.get(span.entity, False) or not span.weak
        for entity, is_strong in kinds.items():
            (strong if is_strong else weak)[entity] = (strong if is_strong else weak).get(entity, 0) + int(
                counts[index]
            )

    def matched_values(name: str) -> list[str]:
        """The text of every span of ``name``, once per occurrence of its value (value order)."""
        texts: list[str] = []
        for index, (value, count) in enumerate(counted.items()):
            spans = [found.whole_span(index)] if found.whole[index] >= 0 else found.other.get(index, [])
            texts.extend(value[s.start : s.end] for s in spans if s.entity == name for _ in range(count))
        return texts

    by_name = {e.name: e for e in scanner.entities}
    findings = []
    for name in sorted(set(strong) | set(weak)):
        strong_count, total = strong.get(name, 0), strong.get(name, 0) + weak.get(name, 0)
        share_strong = strong_count / sample_count if sample_count else 0.0
        share_all = total / sample_count if sample_count else 0.0
        flagged = total > 0 and (share_strong >= threshold or share_all >= max(threshold, MAJORITY_SHARE))
        veto = by_name[name].column_veto
        # the values can veto (a column of versions is not IPs) unless the column's name says what it holds
        vetoed = bool(flagged and veto is not None and scanner.verdicts[name] != "raise" and veto(matched_values(name)))
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
