"""Validators for a whole Arrow batch of ASCII strings, each giving exactly what its scalar twin in
``validators`` gives for every string of the batch.

``ColumnScanner.find_many`` uses them on cells that are one whole candidate token: a scalar validator costs
5-20 µs of Python per cell (Luhn, issuer prefixes, ``ipaddress``), these well under 1 µs (RE2 for the shapes,
numpy over the digit bytes for checksums and ranges). ASCII only: Python's ``isdigit`` and ``strip`` are
Unicode-aware, RE2's classes here are not. ``tests/unit/pii/test_pii_batch_validators.py`` checks each one
against its scalar validator on random and entity-shaped strings.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from transforms.detect_pii import validators as v
from transforms.detect_pii.validators import Validator

if TYPE_CHECKING:
    import pyarrow as pa

BatchValidator = Callable[["pa.Array"], np.ndarray]

# Python's ``$`` (no MULTILINE) also matches before one final newline; RE2's only at the very end.
_END = r"\n?$"
# What ``str.strip()`` removes from an ASCII string.
_SPACE = r"[ \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f]"
_MAX_DIGITS = 32  # wider digit strings are rejected by every validator here before their digits matter
_MIN_WIDTH = 16  # the digit matrices are at least this wide: prefixes of up to 9 digits, NANP after "00" + "1"


def _bools(array: pa.Array | pa.ChunkedArray) -> np.ndarray:
    return np.asarray(array.fill_null(False).to_numpy(zero_copy_only=False), dtype=bool)


def _matches(array: pa.Array, regex: str) -> np.ndarray:
    import pyarrow.compute as pc

    return _bools(pc.match_substring_regex(array, regex))


def _lengths(array: pa.Array) -> np.ndarray:
    import pyarrow.compute as pc

    return np.asarray(pc.utf8_length(array).fill_null(0).to_numpy(zero_copy_only=False), dtype=np.int64)


class _Digits:
    """The ASCII digits of each string (``digits_of``), as zero-padded matrices of digit values."""

    def __init__(self, array: pa.Array) -> None:
        import pyarrow as pa
        import pyarrow.compute as pc

        if isinstance(array, pa.ChunkedArray):
            array = array.combine_chunks()
        if array.null_count:
            array = pc.fill_null(array, "")
        # the digit bytes of each string, picked from the UTF-8 buffer (no byte of a multi-byte character is
        # an ASCII digit): numpy instead of an RE2 pass that deletes the others
        bounds = np.frombuffer(array.buffers()[1], dtype=np.int32)[array.offset : array.offset + len(array) + 1]
        raw = array.buffers()[2]
        text = np.frombuffer(raw, dtype=np.uint8)[bounds[0] : bounds[-1]] if raw is not None else np.zeros(0, np.uint8)
        is_digit = (text >= 48) & (text <= 57)
        seen = np.concatenate(([0], np.cumsum(is_digit, dtype=np.int64)))
        offsets = seen[bounds - bounds[0]]
        self.lengths = np.diff(offsets)
        data = text[is_digit]
        # as wide as the longest digit string (at least the widest prefix asked for, at most _MAX_DIGITS)
        width = self.width = int(np.clip(self.lengths.max(initial=0), _MIN_WIDTH, _MAX_DIGITS))
        columns = np.arange(width)
        starts = offsets[:-1, None]
        ends = offsets[1:, None]
        left_mask = columns[None, :] < np.minimum(self.lengths, width)[:, None]
        right_mask = columns[None, :] >= width - np.minimum(self.lengths, width)[:, None]
        if len(data) == 0:
            self.left = np.zeros((len(array), width), np.int64)
            self.right = np.zeros((len(array), width), np.int64)
        else:
            top = len(data) - 1
            left = data[np.clip(starts + columns, 0, top)].astype(np.int64) - 48
            right = data[np.clip(ends - width + columns, 0, top)].astype(np.int64) - 48
            self.left = np.where(left_mask, left, 0)
            self.right = np.where(right_mask, right, 0)
        self.mask = left_mask
        self._prefixes: dict[int, np.ndarray] = {}

    def prefix(self, width: int) -> np.ndarray:
        """The integer value of the first ``width`` digits (of shorter strings: of all their digits)."""
        cached = self._prefixes.get(width)
        if cached is None:
            powers = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
            cached = self._prefixes[width] = self.left[:, :width] @ powers
        return cached

    def distinct(self) -> np.ndarray:
        """How many different digits each string holds."""
        present = np.zeros(len(self.lengths), np.int64)
        for digit in range(10):
            present += ((self.left == digit) & self.mask).any(axis=1)
        return present

    def luhn(self) -> np.ndarray:
        """Luhn mod 10 (zero padding on the left adds nothing)."""
        doubled = np.where(self.right > 4, self.right * 2 - 9, self.right * 2)
        from_right = self.width - 1 - np.arange(self.width)
        total = np.where(from_right % 2 == 1, doubled, self.right).sum(axis=1)
        return (total % 10 == 0) & (self.lengths > 0) & (self.lengths <= _MAX_DIGITS)


def _card_issuer_known(digits: _Digits) -> np.ndarray:
    known = np.zeros(len(digits.lengths), bool)
    sized = {length: digits.lengths == length for length in range(12, 20)}
    for low, high, lengths in v.ISSUER_PREFIXES:
        prefix = digits.prefix(len(str(low)))
        known |= np.logical_or.reduce([sized[n] for n in lengths]) & (low <= prefix) & (prefix <= high)
    return known


def credit_card_valid_many(array: pa.Array) -> np.ndarray:
    """``validators.credit_card_valid``."""
    shaped = _matches(array, r"^[0-9]+(?:[ -][0-9]+)*" + _END)
    mixed = _matches(array, " ") & _matches(array, "-")
    digits = _Digits(array)
    sized = (digits.lengths >= 12) & (digits.lengths <= 19) & (digits.distinct() > 1)
    return shaped & ~mixed & sized & _card_issuer_known(digits) & digits.luhn()


def _ssn_parts_valid(digits: _Digits) -> np.ndarray:
    area, group_serial = digits.prefix(3), digits.prefix(9) % 1_000_000
    group, serial = group_serial // 10_000, group_serial % 10_000
    published = np.isin(digits.prefix(9), [int(n) for n in v._PUBLISHED_SSNS])
    return (
        (digits.lengths == 9)
        & ~published
        & (area != 0)
        & (area != 666)
        & (area < 900)
        & (group != 0)
        & (serial != 0)
        & (digits.distinct() > 1)
    )


_DASHED_OR_BARE_9 = r"^[0-9]{3}(?:-[0-9]{2}-|[0-9]{2}| [0-9]{2} )[0-9]{4}" + _END


def ssn_valid_many(array: pa.Array) -> np.ndarray:
    """``validators.ssn_valid``."""
    return _matches(array, _DASHED_OR_BARE_9) & _ssn_parts_valid(_Digits(array))


def itin_valid_many(array: pa.Array) -> np.ndarray:
    """``validators.itin_valid``."""
    digits = _Digits(array)
    number = digits.prefix(9)
    group = number // 10_000 % 100
    allowed = (
        ((group >= 50) & (group <= 65))
        | ((group >= 70) & (group <= 88))
        | ((group >= 90) & (group <= 92))
        | (group >= 94)
    )
    return _matches(array, _DASHED_OR_BARE_9) & (number // 100_000_000 == 9) & (number % 10_000 != 0) & allowed


_EMAIL_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_EMAIL = (
    rf"^{_EMAIL_ATOM}(?:\.{_EMAIL_ATOM})*@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{{0,61}}[A-Za-z0-9])?\.)+[A-Za-z]{{2,24}}" + _END
)


def email_valid_many(array: pa.Array) -> np.ndarray:
    """``validators.email_valid`` (the local part has no ``@``: it ends at the first one)."""
    import pyarrow.compute as pc

    at = np.asarray(pc.find_substring(array, "@").fill_null(-1).to_numpy(zero_copy_only=False), dtype=np.int64)
    return _matches(array, _EMAIL) & (at <= 64) & (_lengths(array) <= 254)


_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9][0-9]|[0-9])"
_IPV4 = rf"^{_OCTET}(?:\.{_OCTET}){{3}}$"  # split('.') + isdigit + no leading zero + ipaddress: no newline


def ip_valid_many(array: pa.Array) -> np.ndarray:
    """``validators.ip_valid``: IPv4 vectorised; the few values with ``:`` (IPv6) through the scalar one."""
    import pyarrow as pa
    import pyarrow.compute as pc

    valid = _matches(array, _IPV4) & ~_bools(pc.starts_with(array, "0."))
    six = np.flatnonzero(_matches(array, ":"))  # never a valid IPv4 shape: decided by ipv6_valid alone
    if len(six):  # one conversion for all of them, not a pyarrow scalar per value
        valid[six] = [v.ipv6_valid(text) for text in array.take(pa.array(six)).to_pylist()]
    return valid


def _nanp_valid(digits: _Digits, lengths: np.ndarray, left: np.ndarray) -> np.ndarray:
    """``validators.nanp_valid`` on the digits starting at column ``left`` of each row (``lengths`` of them)."""
    rows = np.arange(len(lengths))

    def at(offset: int) -> np.ndarray:
        return digits.left[rows, np.clip(left + offset, 0, digits.width - 1)]

    npa0, npa1, npa2, nxx0, nxx1, nxx2 = (at(i) for i in range(6))
    present = np.zeros(len(lengths), np.int64)
    columns = np.arange(digits.width)[None, :]
    window = (columns >= left[:, None]) & (columns < (left + lengths)[:, None])
    for digit in range(10):
        present += ((digits.left == digit) & window).any(axis=1)
    return (
        (lengths == 10)
        & (npa0 > 1)
        & (npa1 != 9)
        & ~((npa1 == 1) & (npa2 == 1))
        & (nxx0 > 1)
        & ~((nxx1 == 1) & (nxx2 == 1))
        & (present > 2)
    )


_COUNTRY_CODES = {width: [int(c) for c in v.COUNTRY_CODES if len(c) == width] for width in (1, 2, 3)}


def phone_valid_many(array: pa.Array) -> np.ndarray:
    """``validators.phone_valid``."""
    digits = _Digits(array)
    size = len(digits.lengths)
    plus = _matches(array, rf"^{_SPACE}*\+")
    double_zero = _matches(array, rf"^{_SPACE}*00")
    international = plus | double_zero
    # international: "00" dropped, then "1" + NANP, or 8-15 digits with a country code and > 2 distinct digits
    start = np.where(double_zero & ~plus, 2, 0)
    length = digits.lengths - start
    rows = np.arange(size)
    first = digits.left[rows, np.clip(start, 0, digits.width - 1)]
    leading_one = (length > 0) & (first == 1)
    nanp_after_one = _nanp_valid(digits, length - 1, start + 1)
    coded = np.zeros(size, bool)
    columns = np.arange(digits.width)[None, :]
    window = (columns >= start[:, None]) & (columns < (start + length)[:, None])
    for width, codes in _COUNTRY_CODES.items():
        value = np.zeros(size, np.int64)
        for offset in range(width):
            value = value * 10 + digits.left[rows, np.clip(start + offset, 0, digits.width - 1)]
        coded |= (length >= width) & np.isin(value, codes)
    present = np.zeros(size, np.int64)
    for digit in range(10):
        present += ((digits.left == digit) & window).any(axis=1)
    other = (length >= 8) & (length <= 15) & coded & (present > 2)
    international_valid = np.where(leading_one, nanp_after_one, other)
    # national: an 11-digit number starting with 1 loses the 1
    trunk = (digits.lengths == 11) & (digits.left[:, 0] == 1)
    national_start = np.where(trunk, 1, 0)
    national_valid = _nanp_valid(digits, digits.lengths - national_start, national_start)
    return np.where(international, international_valid, national_valid)


def ipv4_version_like_many(array: pa.Array) -> np.ndarray:
    """``validators.ipv4_version_like``: the ``.``-separated parts that are digits, exactly four of them, the
    first three small."""
    import pyarrow as pa
    import pyarrow.compute as pc

    parts = pc.split_pattern(array, ".")
    flat = parts.flatten()
    parent = np.asarray(pc.list_parent_indices(parts).to_numpy(zero_copy_only=False), dtype=np.int64)
    numeric = _matches(flat, "^[0-9]+$")
    count = np.bincount(parent[numeric], minlength=len(array))
    # int(part) < 100 needs at most 2 digits after the leading zeros: parse 3 at most, longer ones are big
    trimmed = pc.utf8_ltrim(pc.if_else(pa.array(numeric), flat, "0"), "0")
    short = pc.if_else(pc.equal(trimmed, ""), "0", pc.utf8_slice_codeunits(trimmed, 0, 3))
    value = np.asarray(pc.cast(short, pa.int64()).to_numpy(zero_copy_only=False), dtype=np.int64)
    value = np.where(_lengths(trimmed) > 3, 1000, value)
    # rank of each numeric part among the numeric parts of its string
    running = np.concatenate(([0], np.cumsum(numeric)))
    starts = np.asarray(parts.offsets.to_numpy(zero_copy_only=False), dtype=np.int64)[:-1] - parts.offsets[0].as_py()
    rank = running[1:] - 1 - running[starts][parent] if len(parent) else np.zeros(0, np.int64)
    small = np.ones(len(array), bool)
    for position, limit in enumerate((30, 50, 100)):
        chosen = numeric & (rank == position)
        small[parent[chosen]] &= value[chosen] < limit
    return (count == 4) & small


BATCH_VALIDATORS: dict[Validator, BatchValidator] = {
    v.credit_card_valid: credit_card_valid_many,
    v.ssn_valid: ssn_valid_many,
    v.itin_valid: itin_valid_many,
    v.email_valid: email_valid_many,
    v.ip_valid: ip_valid_many,
    v.phone_valid: phone_valid_many,
    v.ipv4_version_like: ipv4_version_like_many,  # not a validator: the IPv4 ambiguity test, same signature
}


def has_batch_twin(validator: Validator) -> bool:
    return validator in BATCH_VALIDATORS


def validate_many(validator: Validator, array: pa.Array) -> np.ndarray:
    """``[validator(s) for s in array]`` for ASCII strings without nulls, vectorised where a twin exists."""
    batch = BATCH_VALIDATORS.get(validator)
    if batch is not None:
        return batch(array)
    return np.fromiter((validator(text) for text in array.to_pylist()), dtype=bool, count=len(array))
