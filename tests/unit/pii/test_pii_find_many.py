"""The batch scanner (``find_many``: RE2 gates in pyarrow) against the per-cell reference (``find``), and the
string-encoded cell masker against the struct one. Pure Python + pyarrow, no JVM."""

from __future__ import annotations

import dataclasses
import random
import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from transforms.detect_pii import detect
from transforms.detect_pii import validators as v
from transforms.detect_pii.actions import ActionPlan
from transforms.detect_pii.entities import REGISTRY, custom_entity
from transforms.detect_pii.options import parse_options
from transforms.detect_pii.prefilter import bounded_regex, relaxed_regex
from transforms.detect_pii.scanner import (
    COUNT_CLASSES,
    VECTOR_MIN_CELLS,
    ColumnScanner,
    _BatchGates,
    _compact,
    class_counts,
)

ALL = list(REGISTRY.values())
CUSTOM = [
    custom_entity("STAFF_CODE", r"STF-[A-Z]{4}"),
    custom_entity("BADGE", r"B\d{5}", ["badge"]),  # \d: no RE2 gate, ``find`` decides alone
    custom_entity("TICKET", r"(?<![A-Z])TK[0-9]{6}$", ["ticket", "support_case"]),
]
# words around the values: context, decoys, vetoes, non-ASCII (only ``find``'s own gate sees those), nothing
WORDS = [
    *["ssn", "SSN:", "card", "call", "phone", "mail", "IP", "MAC", "IBAN", "born", "DOB", "order", "sku"],
    *["version", "Medicare", "NPI", "passport", "routing", "badge", "ticket", "support case", "cpt"],
    *["diagnosis", "Téléphone", "Straße", "İD", "ﬁle", "no.", "ref", "#", "", "and", "the"],
]
COLUMNS = ["notes", "ssn", "phone", "email", "full_name", "col_07", "order_id", "ip_address", "version", "comments"]


def _luhn(prefix: str, length: int, rng: random.Random) -> str:
    body = prefix + "".join(str(rng.randrange(10)) for _ in range(length - len(prefix) - 1))
    return next(body + str(d) for d in range(10) if v.luhn_valid(body + str(d)))


def corpus(seed: int, size: int) -> list[str | None]:
    """Free text, bare values and noise: entities with and without context words, decoys, non-ASCII text
    (context words found only by ``find``'s own gate), names ending in a newline, nulls and empty cells."""
    rng = random.Random(seed)

    def digits(n: int) -> str:
        return "".join(str(rng.randrange(10)) for _ in range(n))

    values = [
        lambda: f"{rng.randrange(1, 899):03d}-{rng.randrange(1, 99):02d}-{rng.randrange(1, 9999):04d}",
        lambda: digits(9),
        lambda: _luhn("4", 16, rng),
        lambda: " ".join(_luhn("5", 16, rng)[i : i + 4] for i in range(0, 16, 4)),
        lambda: f"({rng.randrange(200, 999)}) {rng.randrange(200, 999)}-{digits(4)}",
        lambda: f"+44{digits(10)}",
        lambda: ".".join(str(rng.randrange(256)) for _ in range(4)),
        lambda: f"{rng.randrange(12)}.{rng.randrange(30)}.{rng.randrange(50)}.{rng.randrange(300)}",
        lambda: f"fe80::{rng.randrange(65536):x}",
        lambda: ":".join(f"{rng.randrange(256):02x}" for _ in range(6)),
        lambda: f"user{rng.randrange(999)}@example.{rng.choice(['com', 'io', 'co.uk'])}",
        lambda: "GB82WEST1234569876543" + str(rng.randrange(10)),
        lambda: f"19{rng.randrange(40, 99)}-0{rng.randrange(1, 9)}-1{rng.randrange(0, 9)}",
        lambda: f"{rng.randrange(1, 9999)} {rng.choice(['Main', 'Oak Hill', 'Elm'])} {rng.choice(['Street', 'Ave'])}",
        lambda: "1" + rng.choice("ACDEFG") + "X9" + "-" + "AB1" + "-" + "CD12",
        lambda: digits(10),
        lambda: digits(16),
        lambda: f"{rng.randrange(1, 100000)}.{rng.randrange(100):02d}",
        lambda: f"STF-{''.join(rng.choice('ABCXYZ') for _ in range(4))}",
        lambda: f"B{digits(5)}",
        lambda: f"TK{digits(6)}",
        lambda: f"A{digits(4)}",
        lambda: f"J4{rng.randrange(10)}.{rng.randrange(10)}",
    ]
    words = WORDS
    # lower() turns İ into i (+ a combining dot) and the Kelvin sign into k: context words only Python sees
    cells: list[str | None] = ["ticket TK123456", "support case: TK654321\n", "Socİal 536 22 1234", "tİcket TK111111"]
    cells += ["Téléphone (212) 555-0199", "\u212aey 1234", "Medİcare MBI 1EG4-TE5-MK73"]
    for _ in range(size):
        kind = rng.random()
        if kind < 0.05:
            cells.append(None)
        elif kind < 0.08:
            cells.append(rng.choice(["", " ", "John Smith\n", "Ann Lee", "Zoë Ünal", "no pii here"]))
        elif kind < 0.3:
            cells.append(rng.choice(values)())
        else:
            parts = []
            for _ in range(rng.randrange(1, 4)):
                parts += [rng.choice(words), rng.choice(values)(), rng.choice(words)]
            cells.append(" ".join(p for p in parts if p) + rng.choice(["", ".", "\n", " x"]))
    return cells


@pytest.mark.parametrize("mode", ["cell", "column"])
def test_find_many_agrees_with_find(mode: str) -> None:
    cells = corpus(3, 1500)
    for column in COLUMNS:
        scanner = ColumnScanner(column, [*ALL, *CUSTOM], mode)  # type: ignore[arg-type]
        expected = [[] if cell is None else scanner.find(cell) for cell in cells]
        assert scanner.find_many(cells) == expected, column
        # small batches take the per-cell path; the results must not depend on the batch size
        small = cells[: VECTOR_MIN_CELLS - 1]
        assert scanner.find_many(small) == expected[: len(small)], column


def test_find_many_found_something() -> None:
    """The corpus above is not trivially empty: each family of spans occurs in it."""
    cells = corpus(3, 1500)
    found = {s.entity for spans in ColumnScanner("notes", [*ALL, *CUSTOM], "cell").find_many(cells) for s in spans}
    assert {"USA_SSN", "CREDIT_CARD", "PHONE_NUMBER", "IP_ADDRESS", "EMAIL", "MAC_ADDRESS", "BANK_ACCOUNT"} <= found
    assert {"STAFF_CODE", "BADGE", "TICKET"} <= found


def test_find_many_counts_the_last_cells_and_empty_ones() -> None:
    """Character counts per cell over the batch's bytes: a value right before trailing empty or null cells
    keeps its last character, and empty cells count nothing."""
    scanner = ColumnScanner("ssn", ALL, "cell")
    cells: list[str | None] = ["", None, *["536-22-1234"] * VECTOR_MIN_CELLS, "", "536-22-1234", None, ""]
    expected = [[] if c is None else scanner.find(c) for c in cells]
    assert scanner.find_many(cells) == expected
    assert sum(map(len, expected)) == VECTOR_MIN_CELLS + 1


def test_find_many_falls_back_without_utf8() -> None:
    scanner = ColumnScanner("notes", ALL, "cell")
    cells: list[str | None] = ["SSN 536-22-1234 \ud800", *["call (212) 555-0199"] * VECTOR_MIN_CELLS, None]
    assert scanner.find_many(cells) == [[] if c is None else scanner.find(c) for c in cells]


@pytest.mark.parametrize(
    ("regex", "expected"),
    [
        (
            r"(?<![0-9A-Za-z])(?<![0-9][.,])[0-8][0-9]{2}-[0-9]{2}-[0-9]{4}(?![0-9A-Za-z])",
            r"[0-8][0-9]{2}-[0-9]{2}-[0-9]{4}",
        ),
        (r"(?<![0-9A-Za-z:-])[0-9A-Fa-f]{2}(?:[:-][0-9A-Fa-f]{2}){5}", r"[0-9A-Fa-f]{2}(?:[:-][0-9A-Fa-f]{2}){5}"),
        (r"^[ \t]*[^0-9@(]{1,80}$", r"^[ \t]*[^0-9@(]{1,80}\n?$"),  # Python's $ also matches before a final \n
        (r"a(?=[)])b", "ab"),  # a parenthesis inside a class does not end the lookahead
        (r"\d{3}", None),  # Unicode digits in Python, ASCII in RE2
        (r"\bx", None),
        (r"(?i)abc", None),
        (r"a{,3}", None),  # {0,3} in Python, a literal in RE2
        (r"x(?=y)?", None),  # a quantified lookaround
        (r"(?P<n>a)", None),
        (r"a*+", None),  # possessive: RE2 does not compile it
        (r"[[:alpha:]]", None),
    ],
)
def test_relaxed_regex(regex: str, expected: str | None) -> None:
    assert relaxed_regex(regex) == expected


@pytest.mark.parametrize("loosen", [relaxed_regex, bounded_regex], ids=["relaxed", "bounded"])
def test_re2_gates_are_supersets_of_every_builtin_pattern(loosen: Callable[[str], str | None]) -> None:
    patterns = [p.regex for e in [*ALL, *CUSTOM] for p in e.patterns]
    relaxed = {p: loosen(p) for p in patterns}
    if loosen is relaxed_regex:
        assert [p for p, r in relaxed.items() if r is None] == [CUSTOM[1].patterns[0].regex]  # only the \d one
    else:  # all but the \d one, names (anchors, no edge lookarounds) and the ticket's $
        assert len([r for r in relaxed.values() if r is None]) == 4
    rng = random.Random(9)
    alphabet = "0123456789abcdefABCDEFSTKX:-.@ ,()+/\n\tzé"
    texts = ["ab-cd-ef-ab-cd-ef", "Ann Lee\n", "TK123456", "536-22-1234", "\n123456789\n", "é4111111111111111é"]
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randrange(1, 30))) for _ in range(3000)]
    texts += [c for c in corpus(4, 500) if c is not None]
    array = pa.array(texts, pa.string())
    for pattern, loose in relaxed.items():
        if loose is None:
            continue
        matched = pc.match_substring_regex(array, loose).to_pylist()
        compiled = re.compile(pattern)
        for text, hit in zip(texts, matched, strict=True):
            if compiled.search(text):
                assert hit, (pattern, text)


@pytest.mark.parametrize(
    ("regex", "expected"),
    [
        (r"(?<![0-9A-Za-z])(?<![0-9][.,])[0-9]{9}(?![0-9A-Za-z])", r"(?:^|[^0-9A-Za-z])[0-9]{9}(?:$|[^0-9A-Za-z])"),
        (r"(?<![0-9][.,])[0-9]{9}", None),  # no single-class edge assertion: nothing to keep
        (r"(?<![^a])x", None),  # a negated class: its complement is not spelled that simply
        (r"a(?=b)c(?![0-9])", None),  # a lookaround inside: not edge-only
        (r"(?i)(?<![0-9])ab", None),
        (r"(?<![0-9])[0-9]+$", None),  # an anchor in the core
    ],
)
def test_bounded_regex(regex: str, expected: str | None) -> None:
    assert bounded_regex(regex) == expected


@pytest.mark.parametrize("action", ["REDACT", "NULLIFY", "PARTIAL_REDACT", "DETECT"])
def test_string_encoded_masker_agrees_with_the_struct_one(action: str) -> None:
    plan = ActionPlan(parse_options({"detectionMode": "cell", "action": action}))
    scanner = ColumnScanner("notes", ALL, "cell")
    cells = corpus(5, 300)
    struct = detect.cell_masker(scanner, plan, None).func(pd.Series(cells))  # type: ignore[attr-defined]
    encoded = detect.cell_masker(scanner, plan, None, with_findings=False).func(  # type: ignore[attr-defined]
        pd.Series(cells)
    )
    for cell, (changed, value, _found), code in zip(cells, struct.itertuples(index=False), encoded, strict=True):
        if not changed:
            assert code is None, cell
        elif value is None:
            assert code == detect.NULLIFIED, cell
        else:
            assert code == detect.CHANGED + value, cell
    assert action == "DETECT" or struct["changed"].any()


def structured(seed: int, size: int) -> list[str | None]:
    """Cells that are one value each, as in structured columns: every entity shape, decoys, near misses
    (a trailing newline or space, a letter glued on, mixed separators) and values two entities both match."""
    rng = random.Random(seed)

    def digits(n: int) -> str:
        return "".join(str(rng.randrange(10)) for _ in range(n))

    makers = [
        lambda: f"{rng.randrange(1, 999):03d}-{rng.randrange(0, 99):02d}-{rng.randrange(0, 9999):04d}",
        lambda: f"9{digits(2)}-{rng.randrange(40, 99)}-{digits(4)}",
        lambda: digits(rng.choice([9, 10, 11, 12, 16])),
        lambda: _luhn(rng.choice(["4", "51", "2221", "34", "6011", "3528"]), rng.choice([13, 15, 16, 19]), rng),
        lambda: " ".join(_luhn("4", 16, rng)[i : i + 4] for i in range(0, 16, 4)),
        lambda: f"user.{rng.randrange(999)}@example.{rng.choice(['com', 'co.uk', 'x'])}",
        lambda: (
            rng.choice(["", "+1-", "001-", "1 ", "+1 "])
            + f"{rng.randrange(200, 999)}-{rng.randrange(100, 999)}-{digits(4)}"
        ),
        lambda: f"({rng.randrange(200, 999)}){rng.randrange(200, 999)}-{digits(4)}",
        lambda: f"+{rng.choice(['44', '49', '33', '81'])}{digits(rng.randrange(8, 12))}",
        lambda: ".".join(str(rng.randrange(256)) for _ in range(4)),
        lambda: f"{rng.randrange(12)}.{rng.randrange(30)}.{rng.randrange(50)}.{rng.randrange(300)}",
        lambda: ":".join(f"{rng.randrange(256):02x}" for _ in range(6)),
        lambda: f"{rng.randrange(1, 100000)}.{rng.randrange(100):02d}",
        lambda: f"19{rng.randrange(40, 99)}-0{rng.randrange(1, 9)}-1{rng.randrange(0, 9)}",
        lambda: "1" + rng.choice("ACDEFG") + "X9-AB1-CD12",
        lambda: f"{rng.choice('ABCDEFGHJ')}{digits(8)}",
    ]
    cells: list[str | None] = []
    for _ in range(size):
        if rng.random() < 0.03:
            cells.append(None)
            continue
        value = rng.choice(makers)()
        roll = rng.random()
        if roll < 0.04:
            value += rng.choice(["\n", " ", "x", "-", "."])
        elif roll < 0.06:
            value = rng.choice([" ", "x", "-", "0"]) + value
        cells.append(value)
    return cells


@pytest.mark.parametrize("mode", ["cell", "column"])
def test_whole_cell_path_agrees_with_find(mode: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Structured columns go through ``find_many``'s whole-cell path (vectorised acceptance and validators):
    same spans as ``find`` for column names that raise, soft-veto, veto or say nothing."""
    decided = [0]
    original = ColumnScanner._whole_tokens

    def counting(self: ColumnScanner, entry: object, array: object, rows: np.ndarray) -> object:
        decided[0] += len(rows)
        return original(self, entry, array, rows)  # type: ignore[arg-type]

    monkeypatch.setattr(ColumnScanner, "_whole_tokens", counting)
    cells = structured(21, 3000)
    for column in ["ssn", "phone", "card_number", "email", "ip_address", "order_id", "version", "col_07", "amount"]:
        decided[0] = 0
        scanner = ColumnScanner(column, [*ALL, *CUSTOM], mode)  # type: ignore[arg-type]
        expected = [[] if cell is None else scanner.find(cell) for cell in cells]
        assert scanner.find_many(cells) == expected, column
        if column != "version":  # vetoes every entity but names (whole-value patterns: never this path)
            assert decided[0] > len(cells) // 2, column  # most cells really took the whole-cell path


def test_cell_mixing_whole_and_partial_matches(monkeypatch: pytest.MonkeyPatch) -> None:
    """``001-705-392-7046``: the card pattern matches the whole cell, the phone pattern only its tail; the first
    is decided by the whole-cell path, the second by the general one, in the same cell, with ``find``'s spans."""
    whole: list[str] = []
    general: list[str] = []
    original_whole, original_candidate = ColumnScanner._whole_tokens, ColumnScanner._candidate

    def counting_whole(self: ColumnScanner, entry: Any, array: object, rows: np.ndarray) -> object:
        whole.extend([entry.entity.name] * len(rows))
        return original_whole(self, entry, array, rows)  # type: ignore[arg-type]

    def counting_candidate(self: ColumnScanner, entry: Any, *rest: object) -> object:
        general.append(entry.entity.name)
        return original_candidate(self, entry, *rest)  # type: ignore[arg-type]

    monkeypatch.setattr(ColumnScanner, "_whole_tokens", counting_whole)
    monkeypatch.setattr(ColumnScanner, "_candidate", counting_candidate)
    rng = random.Random(5)
    cells: list[str | None] = [
        f"001-{rng.randrange(200, 999)}-{rng.randrange(200, 999)}-{rng.randrange(10000):04d}" for _ in range(400)
    ]
    for column in ["phone", "col_07", "order_id"]:
        scanner = ColumnScanner(column, [*ALL, *CUSTOM], "cell")  # type: ignore[arg-type]
        expected = [[] if cell is None else scanner.find(cell) for cell in cells]
        whole.clear()
        general.clear()
        assert scanner.find_many(cells) == expected, column
        if column == "phone":
            assert any(spans for spans in expected)
            assert "CREDIT_CARD" in whole and "PHONE_NUMBER" in general  # both paths, in the same cells


def test_batch_compaction_is_compact_per_ascii_cell() -> None:
    """The context-word gate's compaction from the byte buffer equals ``_compact`` for every ASCII cell, also
    for sliced arrays, empty and null cells."""
    rng = random.Random(3)
    alphabet = "aZ09 -_.@:/Xy\u00e9\n"
    cells: list[str | None] = [
        None if rng.random() < 0.05 else "".join(rng.choice(alphabet) for _ in range(rng.randrange(12)))
        for _ in range(3000)
    ]
    cells += ["", None, ""]
    scanner = ColumnScanner("notes", list(REGISTRY.values()), "cell")
    whole = pa.array(cells, pa.string())
    for array in [whole, whole.slice(7, 2000), whole.slice(1000)]:
        compacted = _BatchGates(scanner, array)._compacted().to_pylist()
        assert len(compacted) == len(array)
        checked = 0
        for got, cell in zip(compacted, array.to_pylist(), strict=True):
            if cell is not None and cell.isascii():
                assert got == _compact(cell), cell
                checked += 1
        assert checked > len(array) // 2


def test_whole_cell_winner_follows_priority_then_entity_order() -> None:
    """Entities matching the same whole cells: ``find`` keeps the higher priority, on a tie the earlier entity.
    ``find_many`` keeps only the best whole-cell span per cell and skips later entries that cannot beat it."""
    first = custom_entity("FIRST", r"(?<![0-9])[0-9]{6}(?![0-9])")
    tied = dataclasses.replace(first, name="TIED")  # same priority, later: never wins
    higher = dataclasses.replace(first, name="HIGHER", priority=first.priority + 1)  # later but higher: wins
    general = custom_entity("GENERAL", r"(?<![0-9])\d{6}(?![0-9])")  # \d: no RE2 gate, never the batch path
    cells: list[str | None] = [f"{n:06d}" for n in range(100_000, 100_100)] + ["code 123456", None, "1234567"]
    orders = [([first, tied], "FIRST"), ([first, tied, higher], "HIGHER"), ([tied, first], "TIED")]
    orders += [([general, first], "GENERAL"), ([first, general], "FIRST"), ([general, first, higher], "HIGHER")]
    for entities, winner in orders:
        scanner = ColumnScanner("code", entities, "cell")
        expected = [[] if cell is None else scanner.find(cell) for cell in cells]
        assert scanner.find_many(cells) == expected
        assert {span.entity for spans in expected for span in spans} == {winner}


def test_context_word_of_digits_is_found_in_cells_without_letters() -> None:
    """The context-word gate skips cells without a letter only for entities whose words all have one."""
    lot = custom_entity("LOT", r"(?<![0-9])[0-9]{3}/[0-9]{2}(?![0-9])", ["42"])
    cells: list[str | None] = [f"42 {n}/17" for n in range(100, 140)] + [f"41 {n}/17" for n in range(100, 140)]
    scanner = ColumnScanner("notes", [lot], "cell")
    expected = [[] if cell is None else scanner.find(cell) for cell in cells]
    assert scanner.find_many(cells) == expected
    assert sum(map(len, expected)) == 40


def test_batch_counts_agree_with_class_counts() -> None:
    """Every count class over the Arrow bytes equals ``class_counts`` per cell (non-ASCII, empty, sliced)."""
    rng = random.Random(8)
    alphabet = "aZ09 -_.@:/+x\u00e9\u212a\n"
    cells: list[str | None] = [
        None if rng.random() < 0.05 else "".join(rng.choice(alphabet) for _ in range(rng.randrange(15)))
        for _ in range(2000)
    ]
    scanner = ColumnScanner("notes", ALL, "cell")
    for array in [pa.array(cells, pa.string()), pa.array(cells, pa.string()).slice(5, 1500)]:
        gates = _BatchGates(scanner, array)
        texts = array.to_pylist()
        for index in range(len(COUNT_CLASSES)):
            counts = gates._count(index).tolist()
            assert counts == [0 if t is None else class_counts(t)[index] for t in texts], COUNT_CLASSES[index]


ACTION_PARAMS: list[dict[str, Any]] = [
    {"action": "REDACT"},
    {"action": "NULLIFY"},
    {"action": "PARTIAL_REDACT", "numLeftCharsToExclude": 1},
    {"action": "SHA256_HASH"},
    {"action": "HMAC"},
    {
        "action": "REDACT",
        "detectionParameters": {
            "EMAIL": [{"action": "NULLIFY"}],
            "USA_SSN": [{"action": "PARTIAL_REDACT", "actionOptions": {"numRightCharsToExclude": 4}}],
            "PHONE_NUMBER": [{"action": "REDACT", "actionOptions": {"redactText": "[PHONE]"}}],
            "CREDIT_CARD": [{"action": "DETECT"}],
        },
    },
]


@pytest.mark.parametrize("params", ACTION_PARAMS, ids=lambda p: p["action"] + ("+rules" if len(p) > 2 else ""))
def test_arrow_masker_agrees_with_the_cell_results(params: dict[str, Any]) -> None:
    """``mapInArrow``'s masking (whole-cell results as array operations, repeated values through a dictionary)
    gives every cell what the per-cell results (``cell_results``, the pandas-UDF path) give it."""
    plan = ActionPlan(parse_options({"detectionMode": "cell", **params}))
    key = b"k" * 32
    mixed = corpus(11, 600)
    frames = {
        "notes": mixed,
        "ssn": structured(12, 600),
        "phone": structured(13, 600),
        "email": structured(14, 600),
        "col_07": structured(15, 600) + mixed[:200],
    }
    size = max(map(len, frames.values()))
    columns = {name: [*cells, *[None] * (size - len(cells))] for name, cells in frames.items()}
    columns["repeated"] = [mixed[i % 40] for i in range(size)]  # few distinct values: the dictionary path
    table = pa.table({name: pa.array(cells, pa.string()) for name, cells in columns.items()})
    scanners = {index: ColumnScanner(name, ALL, "cell") for index, name in enumerate(table.column_names)}
    masker = detect.arrow_masker(scanners, plan, key)
    batches = [table.to_batches()[0].slice(0, 250), table.to_batches()[0].slice(250)]  # offsets into shared buffers
    masked = pa.Table.from_batches(list(masker(iter(batches))))
    changed = 0
    for index, name in enumerate(table.column_names):
        codes = detect.cell_results(scanners[index], plan, key, with_findings=False)(columns[name])
        expected = [
            cell if code is None else None if code == detect.NULLIFIED else code[len(detect.CHANGED) :]
            for cell, code in zip(columns[name], codes, strict=True)
        ]
        assert masked.column(name).to_pylist() == expected, name
        changed += sum(code is not None for code in codes)
    assert changed > 1000
