"""The cheap JVM prefilter and the per-value memo/dedup: same results as scanning every cell. No JVM."""

from __future__ import annotations

import random
import re

import pandas as pd
import pytest

from transforms.detect_pii import detect
from transforms.detect_pii.actions import ActionPlan
from transforms.detect_pii.entities import REGISTRY, custom_entity
from transforms.detect_pii.options import parse_options
from transforms.detect_pii.prefilter import min_count, prefilter_regex, requires_any
from transforms.detect_pii.scanner import ColumnScanner, classify_column

DIGITS = frozenset("0123456789")
ALL = list(REGISTRY.values())


@pytest.mark.parametrize(
    ("regex", "chars", "expected"),
    [
        (r"[0-9]{3}-[0-9]{2}", DIGITS, True),
        (r"(?<![0-9])[A-Z]{2}(?![0-9])", DIGITS, False),  # digits only in lookarounds: not required
        (r"[A-Z]+(?:-[0-9]+)?", DIGITS, False),  # optional group
        (r"a[0-9]|b[0-9]", DIGITS, True),  # every branch needs one
        (r"a[0-9]|b", DIGITS, False),
        (r"\d{4}", DIGITS, False),  # \d is a category (Unicode in Python, ASCII in Java): not trusted
        (r"[^a-z]{4}", DIGITS, False),  # negated class
        (r"[0-9a]", DIGITS, False),  # class wider than the gate
        (r"(?:x(?:[3-5]))+", DIGITS, True),  # nested groups and repeats
        (r"[a-z]+@[a-z]+", frozenset("@"), True),
        (r"(?i)[a-z]+@x", frozenset("@"), True),
        (r"(", DIGITS, False),  # not a regex: never claimed
    ],
)
def test_requires_any(regex: str, chars: frozenset[str], expected: bool) -> None:
    assert requires_any(regex, chars) is expected


def test_prefilter_is_a_cheap_superset_of_every_builtin_pattern() -> None:
    patterns = [p.regex for e in ALL for p in e.patterns]
    gate = prefilter_regex(patterns)
    assert gate is not None and gate.startswith("[0-9@:]|")
    # only the patterns without a required digit/@/: keep their own regex (PERSON_NAME, two MAC shapes)
    kept = {p for p in patterns if f"(?:{p})" in gate}
    assert kept == {p.regex for name in ("PERSON_NAME", "MAC_ADDRESS") for p in REGISTRY[name].patterns}
    compiled = [re.compile(p) for p in patterns]
    rng = random.Random(5)
    alphabet = "0123456789abcdefABCDEF:-.@ ,()+/xyzXYZ#"
    texts = ["ab-cd-ef-ab-cd-ef", "abcd.ef01.cdef", "Ann Lee", "no pii here!", "", "x@y.io", "fe80::1"]
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randrange(1, 40))) for _ in range(3000)]
    for text in texts:
        if any(p.search(text) for p in compiled):
            assert re.search(gate, text), text


def test_prefilter_keeps_custom_patterns_without_a_required_character() -> None:
    staff = custom_entity("STAFF_CODE", r"STF-[A-Z]{4}")
    assert prefilter_regex([staff.patterns[0].regex]) == r"(?:STF-[A-Z]{4})"
    assert prefilter_regex([r"EMP-[0-9]{6}", r"[0-9]{3}"]) == "[0-9]"
    assert prefilter_regex([]) is None
    assert ColumnScanner("notes", [staff], "cell").jvm_regex() == r"(?:STF-[A-Z]{4})"


def test_classify_counts_repeated_values_with_their_multiplicity() -> None:
    scanner = ColumnScanner("col_01", ALL, "column")
    values = ["536-22-1234"] * 30 + [f"note {i}" for i in range(70)]
    findings = {f.entity: f for f in classify_column(scanner, values, len(values), 0.25)}
    assert findings["USA_SSN"].matches == 30 and findings["USA_SSN"].flagged
    assert findings["USA_SSN"].share == pytest.approx(0.3)
    below = {f.entity: f for f in classify_column(scanner, values, len(values), 0.35)}
    assert not below["USA_SSN"].flagged
    # the value veto sees every occurrence: 5 real IPs among 95 repeated versions is a version column
    versions = ["3.12.0.7"] * 95 + ["8.8.4.4"] * 5
    vetoed = {f.entity: f for f in classify_column(scanner, versions, len(versions), 0.1)}
    assert vetoed["IP_ADDRESS"].vetoed_by_values and not vetoed["IP_ADDRESS"].flagged


def _masker(column: str, action: str = "REDACT") -> object:
    plan = ActionPlan(parse_options({"detectionMode": "cell", "action": action}))
    return detect.cell_masker(ColumnScanner(column, ALL, "cell"), plan, None).func  # type: ignore[attr-defined]


def test_cell_masker_memo_gives_the_same_result_as_scanning_each_cell(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(detect, "MEMO_MAX_ENTRIES", 3)  # forces the memo to be cleared mid-batch
    monkeypatch.setattr(detect, "MEMO_MAX_CHARS", 40)  # long cells bypass the memo
    cells = [
        "SSN 536-22-1234, call (212) 555-0199",
        None,
        "nothing to see",
        "mail ann.lee@example.com " + "x" * 50,
        "SSN 536-22-1234, call (212) 555-0199",
        "card 4111 1111 1111 1111",
        "Order 4111111111111112 shipped",
    ] * 4
    masker = _masker("notes")
    first = masker(pd.Series(cells))  # type: ignore[operator]
    again = masker(pd.Series(cells))  # type: ignore[operator]
    pd.testing.assert_frame_equal(first, again)
    fresh = _masker("notes")  # a fresh memo per cell: the reference result
    for index, cell in enumerate(cells):
        expected = fresh(pd.Series([cell])).iloc[0].tolist()  # type: ignore[operator]
        assert first.iloc[index].tolist() == expected, cell
    assert first.iloc[0]["value"] == "SSN *******, call *******" and first.iloc[0]["changed"]
    assert first.iloc[1]["value"] is None and not first.iloc[1]["changed"]
    assert first.iloc[3]["value"].startswith("mail ******* x")
    assert first.iloc[6]["value"] is None and not first.iloc[6]["changed"]  # Luhn-failing order id: untouched


@pytest.mark.parametrize(
    ("regex", "chars", "expected"),
    [
        (r"[0-9]{3}-[0-9]{2}-[0-9]{4}", DIGITS, 9),
        (r"[0-9](?:[ -]?[0-9]){11,18}", DIGITS, 12),
        (r"[A-Za-z][0-9]{8}|[0-9]{9}", DIGITS, 8),  # the smaller branch
        (r"(?<![0-9])x(?![0-9])", DIGITS, 0),  # lookarounds consume nothing
        (r"[0-9]{3}-[0-9]{2}", frozenset("-"), 1),
        (r"\d{9}", DIGITS, 0),  # categories are not trusted
    ],
)
def test_min_count(regex: str, chars: frozenset[str], expected: int) -> None:
    assert min_count(regex, chars) == expected


def _ungated_find(scanner: ColumnScanner, text: str) -> list[tuple[int, int, str]]:
    """Every entry's regex on the whole text, no gate: what ``find`` must return."""
    from transforms.detect_pii.scanner import _non_overlapping

    found = []
    for entry in scanner._entries:
        for match in entry.regex.finditer(text):
            span = scanner._accept(entry, text, match)
            if span is not None:
                found.append((span, entry.entity.priority))
    return [(s.start, s.end, s.entity) for s in _non_overlapping(found)]


def test_gates_never_change_what_find_returns() -> None:
    """The character-count and context-word gates only skip regexes that could not have produced a span."""
    rng = random.Random(99)
    pieces = [
        "536-22-1234", "536221234", "4111 1111 1111 1111", "4111111111111111", "(212) 555-0199", "2125550199",
        "+44 20 7946 0958", "ann.lee@example.com", "8.8.4.4", "3.12.0.7", "2001:db8::1", "ab:cd:ef:01:23:45",
        "DE89370210440532013000", "1EG4-TE5-MK73", "AB1234563", "1234567893", "021000021", "C12345678",
        "1990-05-12", "5/12/1990", "123 Main Street", "40.7128, -74.0060", "E11.9", "99213", "J1100",
        "ssn", "SSN:", "social security", "phone", "call", "account", "routing", "passport", "dob", "born",
        "npi", "itin", "tax", "license", "DL", "order", "ref", "version", "hash", "since", "Mary Smith",
        "x", "-", ".", ",", ":", "/", "@", " ", "  ",
    ]  # fmt: skip
    texts = [" ".join(rng.choice(pieces) for _ in range(rng.randrange(1, 7))) for _ in range(1500)]
    texts += ["".join(rng.choice(pieces) for _ in range(rng.randrange(1, 4))) for _ in range(500)]
    for column in ("notes", "col_01", "ssn", "phone_number", "routing", "passport_no", "full_name"):
        for mode in ("cell", "column"):
            scanner = ColumnScanner(column, ALL, mode)  # type: ignore[arg-type]
            for text in texts:
                assert [(s.start, s.end, s.entity) for s in scanner.find(text)] == _ungated_find(scanner, text), (
                    column,
                    mode,
                    text,
                )
