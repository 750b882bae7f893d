"""The vectorised validators (``batch_validators``) against their scalar twins, string by string. No JVM."""

from __future__ import annotations

import random

import numpy as np
import pyarrow as pa
import pytest

from transforms.detect_pii import validators as v
from transforms.detect_pii.batch_validators import BATCH_VALIDATORS, _Digits, validate_many

INTERNATIONAL = ["+", "00", " +", "\t00"]


def _luhn(prefix: str, length: int, rng: random.Random) -> str:
    body = prefix + "".join(str(rng.randrange(10)) for _ in range(length - len(prefix) - 1))
    return next(body + str(d) for d in range(10) if v.luhn_valid(body + str(d)))


def shaped(rng: random.Random) -> str:
    """Strings near each validator's boundaries: real-looking values, off-by-one lengths, odd separators."""

    def digits(n: int) -> str:
        return "".join(rng.choice("0123456789") for _ in range(n))

    def grouped(number: str, separator: str) -> str:
        return separator.join(number[i : i + 4] for i in range(0, len(number), 4))

    makers = [
        lambda: f"{digits(3)}-{digits(2)}-{digits(4)}",
        lambda: f"{digits(3)} {digits(2)} {digits(4)}",
        lambda: f"{digits(3)}-{digits(2)} {digits(4)}",
        lambda: rng.choice(["078-05-1120", "219099999", "666-12-3456", "900-12-3456", "123-00-4567", "123-45-0000"]),
        lambda: rng.choice(["111-11-1111", "000000000", "9", "", "\n"]),
        lambda: f"9{digits(2)}-{rng.randrange(40, 100)}-{digits(4)}",
        lambda: f"9{digits(2)}{rng.randrange(40, 100)}{digits(4)}",
        lambda: _luhn(
            rng.choice(["4", "51", "2221", "34", "37", "6011", "65", "3528", "1", "36", "62", "81"]),
            rng.choice([12, 13, 14, 15, 16, 17, 19]),
            rng,
        ),
        lambda: grouped(_luhn("4", 16, rng), rng.choice([" ", "-", ""])),
        lambda: grouped(_luhn("5", 16, rng), " ")[:-5] + "-" + _luhn("5", 16, rng)[-4:],
        lambda: rng.choice(["4", "5", "3", "6"]) + digits(rng.randrange(10, 21)),
        lambda: "4" * rng.randrange(12, 20),
        lambda: f"user{rng.randrange(99)}@example.{rng.choice(['com', 'co.uk', 'c', 'x' * 25])}",
        lambda: "a" * rng.randrange(60, 70) + "@mail.com",
        lambda: f"{rng.choice(['a.b', '.a', 'a..b', 'a!#'])}@{rng.choice(['-x.com', 'x-.com', 'x.com', 'x.c0m', 'x'])}",
        lambda: ".".join(str(rng.randrange(300)) for _ in range(rng.choice([3, 4, 4, 4, 5]))),
        lambda: ".".join(rng.choice(["0", "00", "01", "255", "256", "1"]) for _ in range(4)),
        lambda: f"{rng.randrange(40)}.{rng.randrange(60)}.{rng.randrange(120)}.{rng.randrange(300)}",
        lambda: ".".join(rng.choice(["0", "29", "30", "049", "0000099", "100", "x", "", "1234"]) for _ in range(5)),
        lambda: rng.choice(["fe80::1", "::", "::1", "2001:db8::ff00:42:8329", "1:2:3", "::ffff:1.2.3.4", "a:b"]),
        lambda: f"({rng.randrange(100, 1000)}) {rng.randrange(100, 1000)}-{digits(4)}",
        lambda: f"{rng.choice(['', '+1 ', '1-', '+1-', '001'])}{digits(3)}-{digits(3)}-{digits(4)}",
        lambda: (
            rng.choice(INTERNATIONAL)
            + rng.choice(["1", "44", "49", "7", "0", "999", "211"])
            + digits(rng.randrange(4, 14))
        ),
        lambda: rng.choice(["+12125550199", "2125550199", "12125550199", "2115550199", "2125110199", "2222222222"]),
        lambda: digits(rng.randrange(0, 24)),
    ]
    value = rng.choice(makers)()
    if rng.random() < 0.1:
        value += rng.choice(["\n", " ", "x", "\n\n", "-"])
    if rng.random() < 0.05:
        value = rng.choice([" ", "\t", "x"]) + value
    return value


def noise(rng: random.Random) -> str:
    alphabet = "0123456789 -.:@+()x\n\tAZaz_"
    return "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 25)))


@pytest.mark.parametrize("validator", list(BATCH_VALIDATORS), ids=lambda f: f.__name__)
def test_batch_validator_agrees_with_scalar(validator: v.Validator) -> None:
    rng = random.Random(17)
    texts = [shaped(rng) for _ in range(6000)] + [noise(rng) for _ in range(3000)]
    got = validate_many(validator, pa.array(texts, pa.string()))
    expected = np.array([validator(t) for t in texts], dtype=bool)
    wrong = [t for t, a, b in zip(texts, got.tolist(), expected.tolist(), strict=True) if a != b]
    assert not wrong, wrong[:10]
    assert expected.sum() > 100  # the corpus reaches the valid side of each rule


@pytest.mark.parametrize("validator", list(BATCH_VALIDATORS), ids=lambda f: f.__name__)
def test_batch_validator_on_a_slice_and_with_nulls(validator: v.Validator) -> None:
    """The digits come from the Arrow buffers: a slice (an offset into shared buffers) and null slots read the
    same strings as a fresh array."""
    rng = random.Random(29)
    texts = [shaped(rng) for _ in range(2000)]
    array = pa.array(["4111 1111 1111 1111", *texts, "536-22-1234"], pa.string()).slice(1, len(texts))
    expected = [validator(t) for t in texts]
    assert validate_many(validator, array).tolist() == expected
    digits = _Digits(pa.array([None, *texts[:50], None], pa.string()))
    assert digits.lengths.tolist() == [0, *[len(v.digits_of(t)) for t in texts[:50]], 0]


def test_validate_many_without_a_twin_uses_the_scalar_validator() -> None:
    texts = ["1234567893", "1234567890", ""]
    got = validate_many(v.npi_valid, pa.array(texts, pa.string()))
    assert got.tolist() == [v.npi_valid(t) for t in texts] == [True, False, False]


def test_batch_validators_on_an_empty_batch() -> None:
    for validator in BATCH_VALIDATORS:
        assert validate_many(validator, pa.array([], pa.string())).tolist() == []


def test_card_issuer_known_by_length_table_matches_the_prefix_list() -> None:
    """The per-length table behind ``card_issuer_known`` says what a plain walk over ``ISSUER_PREFIXES`` says."""

    def walk(number: str) -> bool:
        widths = ((low, high, lengths, len(str(low))) for low, high, lengths in v.ISSUER_PREFIXES)
        return any(len(number) in lengths and low <= int(number[:w]) <= high for low, high, lengths, w in widths)

    rng = random.Random(3)
    numbers = [str(rng.randrange(10**5, 10**6)) + "0" * rng.randrange(6, 14) for _ in range(20_000)]
    numbers += [str(p) + "1" * (n - len(str(p))) for p in range(1, 1000) for n in (12, 13, 14, 15, 16, 19)]
    assert [v.card_issuer_known(n) for n in numbers] == [walk(n) for n in numbers]
