"""Neutral column names: dates, names, bare SSNs and passports found from the values alone; decoys stay clean.

Pure Python (no JVM). Values are drawn here with ``random``, not Faker (which generates the benchmark data).
"""

from __future__ import annotations

import random

import pytest

from transforms.detect_pii import validators as v
from transforms.detect_pii.entities import REGISTRY
from transforms.detect_pii.entities.base import COLUMN_RULE_MIN_SAMPLE
from transforms.detect_pii.scanner import ColumnScanner, classify_column

ALL = list(REGISTRY.values())
RNG = random.Random(4321)


def classify(column: str, values: list[str]) -> list[str]:
    findings = classify_column(ColumnScanner(column, ALL, "column"), values, len(values), 0.1)
    return [f.entity for f in findings if f.flagged]


def spans(column: str, text: str) -> list[str]:
    return [s.entity for s in ColumnScanner(column, ALL, "cell").find(text)]


def digits(n: int) -> str:
    return str(RNG.randrange(1, 10)) + "".join(str(RNG.randrange(10)) for _ in range(n - 1))


def valid_bare_ssns(n: int) -> list[str]:
    values: list[str] = []
    while len(values) < n:
        value = f"{RNG.randrange(1, 900):03d}{RNG.randrange(1, 100):02d}{RNG.randrange(1, 10000):04d}"
        if v.ssn_valid(value):
            values.append(value)
    return values


def test_bare_ssn_column_needs_nearly_every_value_valid_and_a_real_sample() -> None:
    ssns = valid_bare_ssns(200)
    assert classify("col_17", ssns) == ["USA_SSN"]
    finding = classify_column(ColumnScanner("col_17", ALL, "column"), ssns, 200, 0.1)[0]
    assert finding.context == "column-values" and finding.strong_matches == 0 and finding.share == 1.0
    # random 9-digit ids pass the SSN rules ~88% of the time: far from the 98% the rule needs
    assert classify("col_17", [digits(9) for _ in range(1000)]) == []
    # a few invalid values among real SSNs (2.5%) already break it
    assert classify("col_17", ssns[:195] + ["000123456"] * 5) == []
    # too small a sample says nothing
    assert classify("col_17", ssns[: COLUMN_RULE_MIN_SAMPLE - 1]) == []
    # a decoy word in the name (id, sku, ...) keeps the column out of the rule
    assert classify("customer_id", ssns) == []
    assert classify("sku", ssns) == []


def test_aba_routing_column_is_not_taken_for_ssns() -> None:
    numbers: list[str] = []
    while len(numbers) < 150:
        body = RNG.choice(["01", "02", "11", "21", "26", "31", "32", "07"]) + "".join(
            str(RNG.randrange(10)) for _ in range(6)
        )
        number = next((body + str(d) for d in range(10) if v.aba_routing_valid(body + str(d))), None)
        if number:
            numbers.append(number)
    assert classify("col_04", numbers) == ["USA_ABA_ROUTING_NUMBER"]


def test_passport_column_needs_the_letter_form() -> None:
    letter = [RNG.choice("ABCEFS") + digits(8) for _ in range(60)]
    bare = [digits(9) for _ in range(60)]
    assert classify("col_08", letter + bare) == ["USA_PASSPORT_NUMBER"]
    assert classify("col_08", bare * 2) == []  # bare 9 digits alone: any id looks like this
    assert classify("col_08", letter + bare + ["n/a"] * 10) == []  # 92% passport-shaped: not enough
    assert classify("document_id", letter + bare) == []  # "id" is a decoy word


def test_date_column_without_context() -> None:
    dates = [f"{RNG.randrange(1930, 2005)}-{RNG.randrange(1, 13):02d}-{RNG.randrange(1, 29):02d}" for _ in range(100)]
    us_dates = [f"{RNG.randrange(1, 13)}/{RNG.randrange(1, 29)}/{RNG.randrange(1930, 2005)}" for _ in range(100)]
    assert classify("col_15", dates) == ["DATE"]
    assert classify("col_15", us_dates) == ["DATE"]
    assert classify("created", dates) == []  # a record timestamp, not a person's date
    assert classify("col_15", dates[:50] + [digits(8) for _ in range(50)]) == []  # half dates: not a date column
    assert spans("notes", f"shipped {dates[0]}") == []  # in text a date needs birth context
    assert spans("notes", f"born {dates[0]}") == ["DATE"]


def test_name_column_without_context() -> None:
    names = v.known_names()
    given = sorted(n.capitalize() for n in ("james", "mary", "linda", "robert", "maria", "david", "susan"))
    surnames = sorted(n.capitalize() for n in ("smith", "garcia", "nguyen", "johnson", "lee", "brown"))
    assert all(n.lower() in names for n in given + surnames)
    people = [f"{RNG.choice(given)} {RNG.choice(surnames)}" for _ in range(100)]
    assert classify("col_16", people) == ["PERSON_NAME"]
    # name-shaped but no common name: cities, products, job titles
    cities = ["Springfield", "Lake Oswego", "Fort Collins", "New Haven", "Boulder", "Santa Fe"] * 20
    products = ["Widget Pro", "Gadget Max", "Ultra Blender", "Desk Lamp"] * 25
    titles = ["Engineer", "Nurse", "Data Analyst", "Sales Manager"] * 25
    for values in (cities, products, titles):
        assert classify("col_16", values) == []
    # a column half full of names is not a name column without context
    assert classify("col_16", people[:50] + products[:50]) == []
    assert classify("label", people) == []  # a word that says "not a person" still vetoes
    assert spans("col_16", people[0]) == []  # cells: names need a name-like column


@pytest.mark.parametrize(
    ("value", "known"),
    [
        ("Mary Smith", True),
        ("Dr. Linda Nguyen MD", True),
        ("Xyzzy Quux", False),
        ("mary smith", False),  # not capitalised: not name-shaped
        ("Mary 2", False),
        ("O'Connor", True),
    ],
)
def test_person_name_known(value: str, known: bool) -> None:
    assert v.person_name_known(value) is known
