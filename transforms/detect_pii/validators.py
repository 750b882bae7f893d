"""Checksums and structural rules that turn a regex candidate into a confirmed entity.

Every validator takes the matched text (as found, separators included) and returns True when the value is
structurally valid. They are pure Python (no JVM) and run only on candidates the JVM regex prefilter kept.
Sources for the rules: ``shared/reference/pii.md`` §2 (Luhn, NPI 80840, ABA 3-7-1, IBAN mod-97, SSN/ITIN,
MBI positions, MAC, NANP).
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Callable
from datetime import date
from functools import cache
from pathlib import Path

Validator = Callable[[str], bool]

_NON_DIGITS = re.compile(r"[^0-9]")


def digits_of(text: str) -> str:
    return _NON_DIGITS.sub("", text)


# --- checksums -------------------------------------------------------------------------------------------


def luhn_valid(number: str) -> bool:
    """Luhn mod 10 over a string of digits (the rightmost digit is the check digit)."""
    if not number.isdigit():
        return False
    total = 0
    for index, char in enumerate(reversed(number)):
        digit = ord(char) - 48
        if index % 2 == 1:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


# (prefix range low, high, allowed lengths), checked on the leading digits. Covers the IIN ranges in use:
# Mastercard 51-55 and 2221-2720, Visa 4, Amex 34/37, Discover 6011/644-649/65/622126-622925, JCB 3528-3589
# and the legacy 15-digit 1800/2131, Diners 300-305/3095/36/38/39, UnionPay 62/81, Maestro 50/56-69, Mir 2200-2204,
# RuPay 60/65/81/82/508, Verve 506099-506198/650002-650027, Troy 9792, UATP 1 (15 digits).
ISSUER_PREFIXES: tuple[tuple[int, int, frozenset[int]], ...] = (
    (4, 4, frozenset({13, 16, 19})),  # Visa
    (51, 55, frozenset({16})),  # Mastercard
    (2221, 2720, frozenset({16})),  # Mastercard 2-series
    (34, 34, frozenset({15})),  # American Express
    (37, 37, frozenset({15})),
    (6011, 6011, frozenset({16, 17, 18, 19})),  # Discover
    (644, 649, frozenset({16, 17, 18, 19})),
    (65, 65, frozenset({16, 17, 18, 19})),
    (622126, 622925, frozenset({16, 17, 18, 19})),  # Discover co-branded UnionPay
    (3528, 3589, frozenset({16, 17, 18, 19})),  # JCB
    (1800, 1800, frozenset({15})),  # JCB legacy
    (2131, 2131, frozenset({15})),
    (300, 305, frozenset({14, 16, 17, 18, 19})),  # Diners Club
    (3095, 3095, frozenset({14, 16, 17, 18, 19})),
    (36, 36, frozenset({14, 16, 17, 18, 19})),
    (38, 39, frozenset({14, 16, 17, 18, 19})),
    (62, 62, frozenset({16, 17, 18, 19})),  # UnionPay
    (81, 81, frozenset({16, 17, 18, 19})),
    (50, 50, frozenset({12, 13, 14, 15, 16, 17, 18, 19})),  # Maestro
    (56, 69, frozenset({12, 13, 14, 15, 16, 17, 18, 19})),
    (2200, 2204, frozenset({16, 17, 18, 19})),  # Mir
    (82, 82, frozenset({16})),  # RuPay
    (508, 508, frozenset({16})),
    (9792, 9792, frozenset({16})),  # Troy
    (1, 1, frozenset({15})),  # UATP
)


# ISSUER_PREFIXES by card length, in the same order: (prefix width, low, high)
_ISSUERS_BY_LENGTH: dict[int, tuple[tuple[int, int, int], ...]] = {
    length: tuple((len(str(low)), low, high) for low, high, lengths in ISSUER_PREFIXES if length in lengths)
    for length in range(1, 20)
}


def card_issuer_known(number: str) -> bool:
    return any(low <= int(number[:width]) <= high for width, low, high in _ISSUERS_BY_LENGTH.get(len(number), ()))


_CARD_GROUPING = re.compile(r"^[0-9]+(?:([ -])[0-9]+)*$")


def credit_card_valid(text: str) -> bool:
    """12-19 digits, consistent separators, a known issuer prefix for that length, Luhn."""
    if not _CARD_GROUPING.match(text) or len(set(re.findall(r"[ -]", text))) > 1:
        return False
    number = digits_of(text)
    if not 12 <= len(number) <= 19 or len(set(number)) == 1:
        return False
    return card_issuer_known(number) and luhn_valid(number)


def npi_valid(text: str) -> bool:
    """US National Provider Identifier: 10 digits, first 1 or 2, Luhn over ``80840`` + NPI."""
    number = digits_of(text)
    return len(number) == 10 and number[0] in "12" and luhn_valid("80840" + number)


_ABA_PREFIX_RANGES = ((0, 12), (21, 32), (61, 72), (80, 80))


def aba_routing_valid(text: str) -> bool:
    """ABA routing transit number: 9 digits, Fed district prefix, 3-7-1 weighted sum mod 10."""
    number = digits_of(text)
    if len(number) != 9 or number == "000000000":
        return False
    prefix = int(number[:2])
    if not any(low <= prefix <= high for low, high in _ABA_PREFIX_RANGES):
        return False
    d = [int(c) for c in number]
    return (3 * (d[0] + d[3] + d[6]) + 7 * (d[1] + d[4] + d[7]) + (d[2] + d[5] + d[8])) % 10 == 0


# Country -> total IBAN length (SWIFT IBAN registry).
IBAN_LENGTHS: dict[str, int] = {
    "AD": 24,
    "AE": 23,
    "AL": 28,
    "AT": 20,
    "AZ": 28,
    "BA": 20,
    "BE": 16,
    "BG": 22,
    "BH": 22,
    "BI": 27,
    "BR": 29,
    "BY": 28,
    "CH": 21,
    "CR": 22,
    "CY": 28,
    "CZ": 24,
    "DE": 22,
    "DJ": 27,
    "DK": 18,
    "DO": 28,
    "EE": 20,
    "EG": 29,
    "ES": 24,
    "FI": 18,
    "FK": 18,
    "FO": 18,
    "FR": 27,
    "GB": 22,
    "GE": 22,
    "GI": 23,
    "GL": 18,
    "GR": 27,
    "GT": 28,
    "HR": 21,
    "HU": 28,
    "IE": 22,
    "IL": 23,
    "IQ": 23,
    "IS": 26,
    "IT": 27,
    "JO": 30,
    "KW": 30,
    "KZ": 20,
    "LB": 28,
    "LC": 32,
    "LI": 21,
    "LT": 20,
    "LU": 20,
    "LV": 21,
    "LY": 25,
    "MC": 27,
    "MD": 24,
    "ME": 22,
    "MK": 19,
    "MN": 20,
    "MR": 27,
    "MT": 31,
    "MU": 30,
    "NI": 28,
    "NL": 18,
    "NO": 15,
    "OM": 23,
    "PK": 24,
    "PL": 28,
    "PS": 29,
    "PT": 25,
    "QA": 29,
    "RO": 24,
    "RS": 22,
    "RU": 33,
    "SA": 24,
    "SC": 31,
    "SD": 18,
    "SE": 24,
    "SI": 19,
    "SK": 24,
    "SM": 27,
    "SO": 23,
    "ST": 25,
    "SV": 28,
    "TL": 23,
    "TN": 24,
    "TR": 26,
    "UA": 29,
    "VA": 22,
    "VG": 24,
    "XK": 20,
    "YE": 30,
}


def iban_valid(text: str) -> bool:
    """IBAN: known country, its registered length, alphanumeric BBAN, mod-97 == 1."""
    compact = text.replace(" ", "").upper()
    if len(compact) < 15 or not compact.isalnum() or not compact.isascii():
        return False
    country = compact[:2]
    if IBAN_LENGTHS.get(country) != len(compact) or not compact[2:4].isdigit():
        return False
    rearranged = compact[4:] + compact[:4]
    numeric = "".join(str(int(c, 36)) for c in rearranged)
    return int(numeric) % 97 == 1


def dea_valid(text: str) -> bool:
    """DEA registration: registrant-type letter, letter (or 9), 6 digits + check digit.

    Check: (d1 + d3 + d5) + 2 * (d2 + d4 + d6); its last digit equals d7.
    """
    value = text.upper()
    if len(value) != 9 or value[0] not in "ABCDEFGHJKLMPRSTUX":
        return False
    if not (value[1].isalpha() or value[1] == "9") or not value[2:].isdigit():
        return False
    d = [int(c) for c in value[2:]]
    return (d[0] + d[2] + d[4] + 2 * (d[1] + d[3] + d[5])) % 10 == d[6]


# --- structural rules ------------------------------------------------------------------------------------

_PUBLISHED_SSNS = frozenset({"078051120", "219099999", "457555462"})


def ssn_parts_valid(number: str) -> bool:
    """SSN area/group/serial rules on 9 digits: area not 000/666/9xx, group not 00, serial not 0000."""
    if len(number) != 9 or not number.isdigit() or number in _PUBLISHED_SSNS:
        return False
    area, group, serial = int(number[:3]), int(number[3:5]), int(number[5:])
    return area not in (0, 666) and area < 900 and group != 0 and serial != 0 and len(set(number)) > 1


_DASHED_OR_BARE_9 = re.compile(r"^(?:[0-9]{3}([- ]?)[0-9]{2}\1[0-9]{4})$")


def ssn_valid(text: str) -> bool:
    return bool(_DASHED_OR_BARE_9.match(text)) and ssn_parts_valid(digits_of(text))


def itin_valid(text: str) -> bool:
    """ITIN: 9xx-GG-SSSS with group 50-65, 70-88, 90-92 or 94-99."""
    if not _DASHED_OR_BARE_9.match(text):
        return False
    number = digits_of(text)
    if number[0] != "9" or number[5:] == "0000":
        return False
    group = int(number[3:5])
    return 50 <= group <= 65 or 70 <= group <= 88 or 90 <= group <= 92 or 94 <= group <= 99


# HICN beneficiary identification code suffixes (CMS): A, B, B1-B9, BY, C1-C9, D, D1-D9, E, E1-E9, F1-F8,
# G, G1-G2, H, H1-H8, J1-J4, K, K1-K9, M, M1, T, TA-TZ, W, W1-W9, WB, WC ... (the common ones).
_HICN_SUFFIX = re.compile(
    r"^(?:A|B[1-9Y]?|C[1-9A-Z]?|D[1-9A-Z]?|E[1-9A-Z]?|F[1-8]|G[1-2]?|H[1-8A-Z]?|J[1-4]|"
    r"K[1-9A-Z]?|M1?|T[A-Z2]?|W[1-9BCFGJRT]?)$"
)


def hicn_valid(text: str) -> bool:
    """Medicare HICN: a valid SSN followed by a beneficiary identification code (e.g. ``123456789A``)."""
    compact = text.replace("-", "").replace(" ", "").upper()
    return len(compact) in (10, 11) and ssn_parts_valid(compact[:9]) and bool(_HICN_SUFFIX.match(compact[9:]))


_MBI_LETTERS = "ACDEFGHJKMNPQRTUVWXY"  # A-Z without S, L, O, I, B, Z
_MBI_ALNUM = _MBI_LETTERS + "0123456789"


def mbi_valid(text: str) -> bool:
    """Medicare Beneficiary Identifier: 11 positions (dashes display-only), see CMS MBI format."""
    value = text.replace("-", "").upper()
    if len(value) != 11:
        return False
    rules = (
        "123456789",
        _MBI_LETTERS,
        _MBI_ALNUM,
        "0123456789",
        _MBI_LETTERS,
        _MBI_ALNUM,
        "0123456789",
        _MBI_LETTERS,
        _MBI_LETTERS,
        "0123456789",
        "0123456789",
    )
    return all(char in allowed for char, allowed in zip(value, rules, strict=True))


def ipv4_valid(text: str) -> bool:
    """Dotted quad, octets 0-255 without leading zeros, not 0.x.x.x."""
    parts = text.split(".")
    if len(parts) != 4 or any(not p.isdigit() or (len(p) > 1 and p[0] == "0") for p in parts):
        return False
    try:
        address = ipaddress.IPv4Address(text)
    except ValueError:
        return False
    return not text.startswith("0.") and not address.is_unspecified


def ipv4_version_like(text: str) -> bool:
    """Small leading components (``3.12.0.7``): how software versions look; used as a column-level veto."""
    parts = [int(p) for p in text.split(".") if p.isdigit()]
    return len(parts) == 4 and parts[0] < 30 and parts[1] < 50 and parts[2] < 100


def ipv6_valid(text: str) -> bool:
    if text.count(":") < 2:
        return False
    try:
        address = ipaddress.IPv6Address(text.split("%")[0])
    except ValueError:
        return False
    return not address.is_unspecified


def ip_valid(text: str) -> bool:
    return ipv6_valid(text) if ":" in text else ipv4_valid(text)


_MAC = re.compile(
    r"^(?:[0-9A-Fa-f]{2}([:-])(?:[0-9A-Fa-f]{2}\1){4}[0-9A-Fa-f]{2}|[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4})$"
)


def mac_valid(text: str) -> bool:
    """Six octets with one consistent separator (or Cisco dotted); not all-zero, not broadcast."""
    if not _MAC.match(text):
        return False
    hex_digits = re.sub(r"[^0-9A-Fa-f]", "", text).lower()
    return hex_digits not in ("000000000000", "ffffffffffff")


_EMAIL = re.compile(
    r"^(?P<local>[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*)@"
    r"(?P<domain>(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24})$"
)


def email_valid(text: str) -> bool:
    match = _EMAIL.match(text)
    return match is not None and len(match.group("local")) <= 64 and len(text) <= 254


# ITU-T E.164 country calling codes (assigned, 1-3 digits).
_COUNTRY_CODES_TEXT = (
    "1 7 20 27 30 31 32 33 34 36 39 40 41 43 44 45 46 47 48 49 51 52 53 54 55 56 57 58 60 61 62 63 64 65 66 81 82 "
    "84 86 90 91 92 93 94 95 98 211 212 213 216 218 220 221 222 223 224 225 226 227 228 229 230 231 232 233 234 "
    "235 236 237 238 239 240 241 242 243 244 245 246 247 248 249 250 251 252 253 254 255 256 257 258 260 261 262 "
    "263 264 265 266 267 268 269 290 291 297 298 299 350 351 352 353 354 355 356 357 358 359 370 371 372 373 374 "
    "375 376 377 378 379 380 381 382 383 385 386 387 389 420 421 423 500 501 502 503 504 505 506 507 508 509 590 "
    "591 592 593 594 595 596 597 598 599 670 672 673 674 675 676 677 678 679 680 681 682 683 685 686 687 688 689 "
    "690 691 692 850 852 853 855 856 880 886 960 961 962 963 964 965 966 967 968 970 971 972 973 974 975 976 977 "
    "992 993 994 995 996 998"
)
COUNTRY_CODES: frozenset[str] = frozenset(_COUNTRY_CODES_TEXT.split())


def nanp_valid(national: str) -> bool:
    """North American number (10 digits): NPA [2-9][0-8]x and not N11, NXX [2-9]xx and not N11."""
    if len(national) != 10 or not national.isdigit():
        return False
    npa, nxx = national[:3], national[3:6]
    if npa[0] in "01" or npa[1] == "9" or npa[1:] == "11":
        return False
    if nxx[0] in "01" or nxx[1:] == "11":
        return False
    return len(set(national)) > 2


def phone_valid(text: str) -> bool:
    """NANP (optionally +1 / 1 prefixed) or E.164-style international (+CC, 8-15 digits in total)."""
    stripped = text.strip()
    number = digits_of(stripped)
    if stripped.startswith("+") or stripped.startswith("00"):
        if stripped.startswith("00"):
            number = number[2:]
        if number.startswith("1"):
            return nanp_valid(number[1:])
        if not 8 <= len(number) <= 15:
            return False
        return any(number[:width] in COUNTRY_CODES for width in (1, 2, 3)) and len(set(number)) > 2
    if len(number) == 11 and number[0] == "1":
        number = number[1:]
    return nanp_valid(number)


def passport_us_valid(text: str) -> bool:
    """9 digits (legacy) or one letter + 8 digits (next generation); no check digit exists."""
    value = text.upper()
    if len(value) != 9 or len(set(value)) <= 2:
        return False
    return value.isdigit() or (value[0].isalpha() and value[1:].isdigit())


PASSPORT_LETTER_FORM_SHARE = 0.1


def ssn_column_support(values: list[str]) -> int:
    """How many values are whole valid SSNs (dashed, spaced or bare): the column rule for neutral names."""
    return sum(ssn_valid(value.strip()) for value in values)


def passport_column_support(values: list[str]) -> int:
    """How many values are whole US passport numbers, provided the letter + 8 digits form (issued since 2021)
    makes up at least ``PASSPORT_LETTER_FORM_SHARE`` of them: a column of bare 9-digit numbers alone is
    indistinguishable from any 9-digit id without context, so it supports nothing."""
    shaped = [value.strip() for value in values if passport_us_valid(value.strip())]
    letter_form = sum(value[0].isalpha() for value in shaped)
    return len(shaped) if values and letter_form >= PASSPORT_LETTER_FORM_SHARE * len(values) else 0


def driving_license_valid(text: str) -> bool:
    """US state formats vary: 4-16 letters/digits (``*``/`-` allowed), at least 4 digits, not all one digit."""
    compact = text.replace("-", "").replace(" ", "").replace("*", "")
    digit_count = sum(c.isdigit() for c in compact)
    return 5 <= len(compact) <= 16 and compact.isalnum() and digit_count >= 4 and len(set(compact)) > 2


def bank_account_valid(text: str) -> bool:
    """IBAN (checked), or 8-17 digits (US account numbers have no checksum: only with context)."""
    compact = text.replace(" ", "").replace("-", "")
    if compact[:2].isalpha():
        return iban_valid(compact)
    return compact.isdigit() and 8 <= len(compact) <= 17 and len(set(compact)) > 2


_NAME_TOKEN = re.compile(r"^[^\W\d_][^\W\d_'\u2019.\-]*(?:['\u2019.\-][^\W\d_]*)*$")  # \u2019: typographic apostrophe


def person_name_valid(text: str) -> bool:
    """1-4 alphabetic tokens (any script), each starting upper-case; needs a name-like column."""
    tokens = text.split()
    if not 1 <= len(tokens) <= 4 or len(text) > 80:
        return False
    return all(_NAME_TOKEN.match(t) and (t[0].isupper() or not t[0].isalpha() or not t[0].isascii()) for t in tokens)


@cache
def known_names() -> frozenset[str]:
    """Common US given names and surnames (lower-case, letters only): ``entities/names.json``."""
    data = json.loads((Path(__file__).parent / "entities" / "names.json").read_text(encoding="utf-8"))
    return frozenset(_letters_lower(n) for n in [*data["given_names"], *data["surnames"]])


def _letters_lower(token: str) -> str:
    return _NON_LETTERS.sub("", token).lower()


_NON_LETTERS = re.compile(r"[^A-Za-z]")


def person_name_known(text: str) -> bool:
    """Name-shaped (``person_name_valid``) with at least one common given name or surname among its tokens.

    Column-level evidence for a column whose name says nothing: most real names contain a common given name
    or surname, while codes, cities and product names mostly do not.
    """
    if not person_name_valid(text):
        return False
    names = known_names()
    return any(_letters_lower(token) in names for token in text.split())


_DATE_FORMATS = (
    re.compile(r"^(?P<y>[0-9]{4})[-/.](?P<m>[0-9]{1,2})[-/.](?P<d>[0-9]{1,2})$"),
    re.compile(r"^(?P<m>[0-9]{1,2})[-/.](?P<d>[0-9]{1,2})[-/.](?P<y>[0-9]{4})$"),
)


def date_valid(text: str) -> bool:
    """A real calendar date between 1900 and today (dates of birth), ISO or US order."""
    for pattern in _DATE_FORMATS:
        match = pattern.match(text)
        if match:
            try:
                value = date(int(match["y"]), int(match["m"]), int(match["d"]))
            except ValueError:
                continue
            return date(1900, 1, 1) <= value <= date.today()
    return False


_GPS = re.compile(r"^\(?\s*(?P<lat>[-+]?[0-9]{1,2}\.[0-9]{3,})\s*[,; ]\s*(?P<lon>[-+]?[0-9]{1,3}\.[0-9]{3,})\s*\)?$")


def gps_valid(text: str) -> bool:
    """``lat, lon`` decimal degrees, >= 3 decimals each, within range, not (0, 0)."""
    match = _GPS.match(text)
    if not match:
        return False
    lat, lon = float(match["lat"]), float(match["lon"])
    return abs(lat) <= 90 and abs(lon) <= 180 and (lat, lon) != (0.0, 0.0)


def hcpcs_valid(text: str) -> bool:
    """HCPCS level II: a letter A-V (not I/O... D,E included) then 4 digits."""
    value = text.upper()
    return len(value) == 5 and value[0] in "ABCDEGHJKLMPQRSTUV" and value[1:].isdigit()


def icd10_valid(text: str) -> bool:
    """ICD-10-CM: letter (not U), 2 characters (digit, digit/letter), optional ``.`` + 1-4 alphanumerics."""
    value = text.upper()
    match = re.match(r"^[A-TV-Z][0-9][0-9A-Z](?:\.[0-9A-Z]{1,4})?$", value)
    return bool(match)


def cpt_valid(text: str) -> bool:
    """CPT: 5 digits, or 4 digits + F/T/U (category II/III)."""
    return len(text) == 5 and text[:4].isdigit() and (text[4].isdigit() or text[4].upper() in "FTU")


def address_valid(text: str) -> bool:
    """Structure is checked by the regex (number + words + street suffix); reject all-digit runs."""
    return any(c.isalpha() for c in text) and len(text) <= 120


def always_valid(text: str) -> bool:
    """For custom entities: the user's regex is the whole rule."""
    return True
