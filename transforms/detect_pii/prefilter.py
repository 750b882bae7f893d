"""The JVM prefilter: a cheap regex every cell must match before Python looks for entities in it.

The union of all entity patterns is an exact prefilter, but Java evaluates ~30 alternatives with lookarounds at
every position of every cell: that alone cost as much as the whole plain ``regexp_replace`` baseline. Python
re-checks every candidate with the real patterns anyway, so the prefilter only has to be a superset: a pattern
that provably cannot match without a digit (or an ``@``, or a ``:``) is represented by that character class; only
patterns without such a required character keep their own regex in the prefilter.
"""

from __future__ import annotations

import re
import re._constants as sre  # the parsed form of a Python regex (stable since 3.11)
import re._parser as sre_parse
from functools import lru_cache
from typing import Any

# Tried in this order; the first class a pattern provably needs stands for the pattern.
GATE_CLASSES: tuple[tuple[str, frozenset[str]], ...] = (
    ("0-9", frozenset("0123456789")),
    ("@", frozenset("@")),
    (":", frozenset(":")),
)
_REPEATS = (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT)


def requires_any(regex: str, chars: frozenset[str]) -> bool:
    """True when every match of ``regex`` contains at least one of ``chars`` (False when unsure)."""
    return min_count(regex, chars) >= 1


@lru_cache(maxsize=4096)  # every ColumnScanner asks the same (pattern, class) questions: parse each regex once
def min_count(regex: str, chars: frozenset[str]) -> int:
    """A lower bound on how many of ``chars`` every match of ``regex`` contains (0 when unsure)."""
    try:
        parsed = sre_parse.parse(regex)
    except re.error:
        return 0
    if parsed.state.flags & re.IGNORECASE and any(c.lower() != c.upper() for c in chars):
        return 0  # letters under (?i) would need case folding; the gate classes are caseless anyway
    return _sequence_count(list(parsed), chars)


@lru_cache(maxsize=4096)
def max_width(regex: str) -> int:
    """The most characters a match of ``regex`` can have (``sre``'s MAXREPEAT, a huge number, when unbounded
    or when it does not parse)."""
    try:
        return int(sre_parse.parse(regex).getwidth()[1])
    except re.error:
        return int(sre.MAXREPEAT)


@lru_cache(maxsize=4096)
def min_width(regex: str) -> int:
    """The fewest characters a match of ``regex`` can have (0 when it does not parse)."""
    try:
        return int(sre_parse.parse(regex).getwidth()[0])
    except re.error:
        return 0


_OPAQUE = (sre.ASSERT, sre.ASSERT_NOT, sre.AT, sre.GROUPREF, sre.GROUPREF_EXISTS, sre.ATOMIC_GROUP)


@lru_cache(maxsize=4096)
def edge_lookarounds_only(regex: str) -> bool:
    """True when ``regex`` is negative lookbehinds, then a core without any assertion, anchor or group
    reference, then negative lookaheads (each assertion needing at least one character). For such a regex,
    a match of the core that spans a whole string is a match of the regex (nothing before or after it), and
    the first core match a leftmost-first engine finds from position 0 is the one Python's ``match`` finds
    whenever it spans the string."""
    try:
        parsed = sre_parse.parse(regex)
    except re.error:
        return False
    if parsed.state.flags & ~sre.SRE_FLAG_UNICODE:  # (?i), (?s), (?m), (?x)...: not in RE2's defaults
        return False
    items = list(parsed)
    start, end = 0, len(items)
    while start < end and _edge_assertion(items[start], -1):
        start += 1
    while end > start and _edge_assertion(items[end - 1], 1):
        end -= 1
    return start < end and all(_plain(op, arg) for op, arg in items[start:end])


def _edge_assertion(item: tuple[Any, Any], direction: int) -> bool:
    op, arg = item
    if op is not sre.ASSERT_NOT or arg[0] != direction:
        return False
    low, _high = sre_parse.SubPattern(sre_parse.State(), list(arg[1])).getwidth()
    return low > 0 and all(_plain(o, a) for o, a in arg[1])


def _plain(op: Any, arg: Any) -> bool:
    """No assertion, anchor, group reference or inline flag anywhere inside."""
    if op in _OPAQUE:
        return False
    if op in _REPEATS:
        return all(_plain(o, a) for o, a in arg[2])
    if op is sre.SUBPATTERN:
        _group, add_flags, del_flags, items = arg
        return not add_flags and not del_flags and all(_plain(o, a) for o, a in items)
    if op is sre.BRANCH:
        return all(_plain(o, a) for branch in arg[1] for o, a in branch)
    return True


def _sequence_count(items: list[tuple[Any, Any]], chars: frozenset[str]) -> int:
    return sum(_item_count(op, arg, chars) for op, arg in items)


def _item_count(op: Any, arg: Any, chars: frozenset[str]) -> int:
    if op is sre.LITERAL:
        return int(chr(arg) in chars)
    if op is sre.IN:
        return int(_class_within(arg, chars))
    if op in _REPEATS:
        low, _high, item = arg
        return int(low) * _sequence_count(list(item), chars)
    if op is sre.SUBPATTERN:
        return _sequence_count(list(arg[-1]), chars)
    if op is sre.ATOMIC_GROUP:
        return _sequence_count(list(arg), chars)
    if op is sre.BRANCH:
        return min(_sequence_count(list(branch), chars) for branch in arg[1])
    return 0  # lookarounds, anchors, '.', negated literals, backreferences: require nothing


def _class_within(entries: list[tuple[Any, Any]], chars: frozenset[str]) -> bool:
    """A character class all of whose members are in ``chars`` (no negation, no categories like ``\\d``)."""
    for op, arg in entries:
        if op is sre.LITERAL:
            if chr(arg) not in chars:
                return False
        elif op is sre.RANGE:
            low, high = arg
            if high - low > len(chars) or any(chr(c) not in chars for c in range(low, high + 1)):
                return False
        else:
            return False
    return bool(entries)


def prefilter_regex(patterns: list[str]) -> str | None:
    """One cheap regex that matches every cell in which any of ``patterns`` can match (a superset)."""
    if not patterns:
        return None
    used: set[str] = set()
    rest: list[str] = []
    for regex in dict.fromkeys(patterns):
        gate = next((spelled for spelled, chars in GATE_CLASSES if requires_any(regex, chars)), None)
        if gate is None:
            rest.append(regex)
        else:
            used.add(gate)
    classes = "".join(spelled for spelled, _ in GATE_CLASSES if spelled in used)
    parts = ([f"[{classes}]"] if classes else []) + [f"(?:{regex})" for regex in rest]
    return "|".join(parts)


# --- vectorised gates (pyarrow's RE2) ---------------------------------------------------------------------

# Escapes that mean the same in Python ``re`` and RE2; anything else (``\d``, ``\w``, ``\b``: Unicode in
# Python, ASCII in RE2) makes a pattern ineligible rather than risk a narrower RE2 regex.
_PORTABLE_ESCAPES = frozenset(".()+-[]\\/*?{}|^$tn ,:;@#%&=<>!'\"_~`")
_LOOKAROUNDS = ("(?=", "(?!", "(?<=", "(?<!")


@lru_cache(maxsize=4096)  # every ColumnScanner relaxes the same built-in patterns
def relaxed_regex(regex: str) -> str | None:
    """``regex`` without its lookarounds, for RE2 (pyarrow): it matches somewhere in every text in which
    ``regex`` does (dropping a zero-width assertion only widens the matches). ``None`` when the pattern uses
    anything whose meaning could differ between the two engines (flags, ``\\d``, possessive repeats...).
    """
    if "{," in regex or "[[" in regex:  # Python quantifier shorthand; RE2 POSIX classes ([[:alpha:]])
        return None
    out: list[str] = []
    index = 0
    while index < len(regex):
        char = regex[index]
        if char == "\\":
            if index + 1 >= len(regex) or regex[index + 1] not in _PORTABLE_ESCAPES:
                return None
            out.append(regex[index : index + 2])
            index += 2
        elif char == "[":
            end = _class_end(regex, index)
            if end is None or any(
                regex[i] == "\\" and regex[i + 1] not in _PORTABLE_ESCAPES for i in range(index, end)
            ):
                return None
            out.append(regex[index:end])
            index = end
        elif regex.startswith(_LOOKAROUNDS, index):
            end = _group_end(regex, index)
            if end is None or regex[end : end + 1] in ("?", "*", "+", "{"):
                return None
            index = end
        elif regex.startswith("(?", index) and not regex.startswith("(?:", index):
            return None  # flags, named groups, atomic groups, conditionals
        elif char == "$":
            out.append(r"\n?$")  # Python's $ also matches before a final newline; RE2's only at the end
            index += 1
        else:
            out.append(char)
            index += 1
    relaxed = "".join(out)
    return relaxed if _re2_compiles(relaxed) else None


@lru_cache(maxsize=4096)
def bounded_regex(regex: str) -> str | None:
    """``relaxed_regex`` keeping one edge lookbehind and one edge lookahead as consumed characters, for RE2
    gates: ``(?<![0-9A-Za-z])core(?![0-9A-Za-z])`` -> ``(?:^|[^0-9A-Za-z])core(?:$|[^0-9A-Za-z])``. Still a
    superset (a match of ``regex`` at [p, q) has no class character at p-1 and q), far tighter for runs of
    digits (a 9-digit pattern no longer passes every 16-digit number). Only for ``edge_lookarounds_only``
    patterns whose edge assertion is a single positive character class; else ``None``."""
    if not edge_lookarounds_only(regex) or relaxed_regex(regex) is None:
        return None
    items = _top_level_items(regex)
    if items is None:
        return None
    behind = [item for item in items if item.startswith("(?<!")]
    ahead = [item for item in items if item.startswith("(?!")]
    core = "".join(items[len(behind) : len(items) - len(ahead)])
    prefix = next((f"(?:^|[^{c}])" for c in map(_single_class, behind) if c), "")
    suffix = next((f"(?:$|[^{c}])" for c in map(_single_class, ahead) if c), "")
    relaxed = relaxed_regex(core)
    if relaxed is None or not (prefix or suffix):
        return None
    bounded = prefix + relaxed + suffix
    return bounded if _re2_compiles(bounded) else None


def _top_level_items(regex: str) -> list[str] | None:
    """``regex`` cut into top-level pieces: groups, classes, escapes, single characters (with any quantifier
    that follows attached)."""
    items: list[str] = []
    index = 0
    while index < len(regex):
        char = regex[index]
        if char == "\\":
            end: int | None = index + 2
        elif char == "[":
            end = _class_end(regex, index)
        elif char == "(":
            end = _group_end(regex, index)
        else:
            end = index + 1
        if end is None:
            return None
        while end < len(regex) and regex[end] in "?*+{":
            close = regex.find("}", end) + 1 if regex[end] == "{" else end + 1
            if close <= end:
                return None
            end = close
        items.append(regex[index:end])
        index = end
    return items


def _single_class(assertion: str) -> str | None:
    """``[0-9A-Za-z]`` of ``(?<![0-9A-Za-z])`` / ``(?![0-9A-Za-z])``, without its brackets; ``None`` when the
    assertion is anything else (several characters, a negated class, escapes)."""
    inner = assertion[4:-1] if assertion.startswith("(?<!") else assertion[3:-1]
    if not (inner.startswith("[") and inner.endswith("]")) or inner.startswith("[^") or "\\" in inner:
        return None
    if _class_end(inner, 0) != len(inner):
        return None
    return inner[1:-1]


def _class_end(regex: str, start: int) -> int | None:
    """Index just after the character class opening at ``start``."""
    index = start + 1
    if regex[index : index + 1] == "^":
        index += 1
    if regex[index : index + 1] == "]":
        index += 1
    while index < len(regex) and regex[index] != "]":
        index += 2 if regex[index] == "\\" else 1
    return index + 1 if index < len(regex) else None


def _group_end(regex: str, start: int) -> int | None:
    """Index just after the group opening at ``start`` (escapes and classes skipped)."""
    depth = 0
    index = start
    while index < len(regex):
        char = regex[index]
        if char == "\\":
            index += 2
            continue
        if char == "[":
            end = _class_end(regex, index)
            if end is None:
                return None
            index = end
            continue
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return index + 1
        index += 1
    return None


@lru_cache(maxsize=1024)
def _re2_compiles(regex: str) -> bool:
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        pc.match_substring_regex(pa.array(["x"], pa.string()), regex)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return False
    return True
