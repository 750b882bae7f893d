"""Span finding, context words, column classification and decoys: pure Python, no JVM."""

import random
import re
import uuid

import pytest

from transforms.detect_pii import validators as v
from transforms.detect_pii.entities import REGISTRY, custom_entity, name_tokens, resolve
from transforms.detect_pii.entities.base import split_tokens
from transforms.detect_pii.scanner import ColumnScanner, classify_column

ALL = list(REGISTRY.values())


def classify(column: str, values: list[str], threshold: float = 0.1) -> list[str]:
    scanner = ColumnScanner(column, ALL, "column")
    findings = classify_column(scanner, values, len(values), threshold)
    return [f.entity for f in findings if f.flagged]


def spans(column: str, text: str) -> list[tuple[str, str]]:
    return [(text[s.start : s.end], s.entity) for s in ColumnScanner(column, ALL, "cell").find(text)]


def luhn_complete(prefix: str, length: int, rng: random.Random) -> str:
    body = prefix + "".join(str(rng.randrange(10)) for _ in range(length - len(prefix) - 1))
    return next(body + str(d) for d in range(10) if v.luhn_valid(body + str(d)))


RNG = random.Random(1234)


def digits(n: int) -> str:
    return str(RNG.randrange(1, 10)) + "".join(str(RNG.randrange(10)) for _ in range(n - 1))


# --- decoys: never flagged, whatever the (neutral) column name ---------------------------------------------

DECOYS = {
    "16-digit ids failing Luhn": [d for d in (digits(16) for _ in range(400)) if not v.luhn_valid(d)][:200],
    "random 10-digit ids": [digits(10) for _ in range(200)],
    "random 9-digit ids": [digits(9) for _ in range(200)],
    "invalid ssns": [
        f"{RNG.choice(['000', '666'])}-{RNG.randrange(100):02d}-{RNG.randrange(10000):04d}" for _ in range(100)
    ]
    + [f"9{RNG.randrange(100):02d}-{RNG.randrange(50):02d}-{RNG.randrange(10000):04d}" for _ in range(50)]
    + [f"{RNG.randrange(1, 900):03d}-00-{RNG.randrange(10000):04d}" for _ in range(50)],
    "amounts": [f"{RNG.randrange(1, 100000)}.{RNG.randrange(100):02d}" for _ in range(200)],
    "versions": [
        f"{RNG.randrange(12)}.{RNG.randrange(30)}.{RNG.randrange(50)}.{RNG.randrange(300)}" for _ in range(200)
    ],
    "epoch seconds": [str(RNG.randrange(1_500_000_000, 1_800_000_000)) for _ in range(200)],
    "isbn13": [luhn_complete("978", 13, RNG) for _ in range(200)],
    "uuids": [str(uuid.UUID(int=RNG.getrandbits(128))) for _ in range(200)],
    "sha256": [f"{RNG.getrandbits(256):064x}" for _ in range(200)],
    "zip+4": [f"{RNG.randrange(10000, 99999)}-{RNG.randrange(1000, 9999)}" for _ in range(200)],
}


@pytest.mark.parametrize("kind", sorted(DECOYS))
def test_decoy_columns_with_neutral_names_are_not_flagged(kind: str) -> None:
    assert classify("col_07", DECOYS[kind]) == []


@pytest.mark.parametrize("kind", sorted(DECOYS))
def test_decoys_in_free_text_are_not_spans(kind: str) -> None:
    for value in DECOYS[kind][:50]:
        assert spans("notes", f"see {value} for details") == [], value


@pytest.mark.parametrize(
    ("column", "values"),
    [
        ("order_id", [luhn_complete("4", 16, RNG) for _ in range(50)]),  # Luhn-valid: the name vetoes
        ("sku", [f"0{luhn_complete('2100002', 8, RNG)}" for _ in range(50)]),
        ("amount", ["2125550199", "536221234"] * 25),  # bare digits: phone- and SSN-valid
        ("version", ["10.24.1.5", "8.8.8.8", "172.16.4.2"] * 20),
        ("ssn_hash", ["536-22-1234"] * 20),
    ],
)
def test_column_name_veto(column: str, values: list[str]) -> None:
    assert classify(column, values) == []


def test_honest_and_neutral_names() -> None:
    ssns = ["536-22-1234", "123-45-6789", "219-09-9998"] * 10
    assert classify("ssn", ssns) == ["USA_SSN"]
    assert classify("col_03", ssns) == ["USA_SSN"]  # dashed SSNs need no context
    bare = [s.replace("-", "") for s in ssns]
    assert classify("socialSecurityNumber", bare) == ["USA_SSN"]
    assert classify("col_03", bare) == []  # bare 9 digits are not SSNs without context


def test_bare_digits_need_a_majority_of_the_column() -> None:
    npis = ["1234567893"] * 30
    assert classify("col_01", npis) == ["USA_NATIONAL_PROVIDER_IDENTIFIER"]
    mixed = npis[:3] + [digits(10) for _ in range(27)]
    assert "USA_NATIONAL_PROVIDER_IDENTIFIER" not in classify("col_01", mixed)
    assert "USA_NATIONAL_PROVIDER_IDENTIFIER" not in classify("provider_npi", mixed)
    # random 10-digit ids under a phone-sounding name: ~60% are valid NANP numbers, not enough
    assert classify("phone", DECOYS["random 10-digit ids"]) == []
    assert classify("phone", ["2125550199", "3105550123"] * 10) == ["PHONE_NUMBER"]


def test_threshold_counts_share_of_sampled_values() -> None:
    values = ["a.b@ex.com"] * 2 + ["no email"] * 18
    assert classify("contact", values, threshold=0.1) == ["EMAIL"]
    assert classify("contact", values, threshold=0.2) == []


def test_version_column_under_neutral_name_is_not_ip() -> None:
    assert classify("col_09", DECOYS["versions"]) == []
    ips = [
        f"{RNG.randrange(1, 224)}.{RNG.randrange(256)}.{RNG.randrange(256)}.{RNG.randrange(256)}" for _ in range(100)
    ]
    assert classify("col_09", ips) == ["IP_ADDRESS"]


def test_cell_spans_in_free_text() -> None:
    text = "Patient SSN 536-22-1234, card 4111 1111 1111 1111; mail j.doe@example.org, ip 8.8.4.4."
    assert spans("notes", text) == [
        ("536-22-1234", "USA_SSN"),
        ("4111 1111 1111 1111", "CREDIT_CARD"),
        ("j.doe@example.org", "EMAIL"),
        ("8.8.4.4", "IP_ADDRESS"),
    ]


def test_in_text_context_raises_and_vetoes() -> None:
    assert spans("notes", "ssn 536221234") == [("536221234", "USA_SSN")]
    assert spans("notes", "ticket 536221234") == []
    assert spans("notes", "order 4111111111111111") == []
    assert spans("notes", "paid with 4111111111111111") == [("4111111111111111", "CREDIT_CARD")]
    assert spans("notes", "running version 1.2.3.4") == []
    assert spans("notes", "My SSN is 078-05-1120") == []  # the published Woolworth number


def test_unicode_and_huge_cells() -> None:
    text = "Grüße von Zoë — 電話 +44 20 7946 0958 ✓ " + "ß" * 200_000 + " é-mail: zoë@example.com? no: zoe@example.com"
    found = spans("notes", text)
    assert ("+44 20 7946 0958", "PHONE_NUMBER") in found
    assert ("zoe@example.com", "EMAIL") in found
    assert all(text[text.index(value) :].startswith(value) for value, _ in found)


def test_person_name_only_in_name_columns() -> None:
    assert classify("firstName", ["José", "Ann", "Mary-Jane"] * 5) == ["PERSON_NAME"]
    assert classify("patientJobTitle", ["Engineer", "Nurse", "Data Analyst"] * 5) == []
    assert classify("product_name", ["Widget Pro", "Gadget"] * 5) == []
    assert spans("notes", "Mary Smith called") == []  # no NER: names are not found in free text


def test_name_tokens() -> None:
    assert name_tokens("driverLicenseNumber") == ["driver", "license", "number"]
    assert name_tokens("col_07") == ["col", "07"]
    assert name_tokens("E-Mail") == ["e", "mail"]
    assert name_tokens("SSNHash") == ["ssn", "hash"]
    assert name_tokens("\u212aey ID") == ["key", "id"]  # the Kelvin sign lower-cases to an ASCII k


def test_ascii_name_tokens_agree_with_the_general_split() -> None:
    rng = random.Random(4)
    alphabet = "aAbBzZ019_- .\t\n"
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randrange(14))) for _ in range(50_000)]
    texts += ["HTTPServer", "aBCd", "1ABc", "ABcD", "My SSN is ", "after 5pm. Call ", "col_07", "iPhone12Pro"]
    wrong = [t for t in texts if name_tokens(t) != split_tokens(t)]
    assert not wrong, wrong[:10]


def test_resolve_categories_aliases_and_errors() -> None:
    networking = {e.name for e in resolve(["NETWORKING"])}
    assert networking == {"IP_ADDRESS", "MAC_ADDRESS"}
    assert {e.name for e in resolve(["email_address", "USA_SNN"])} == {"EMAIL", "USA_SSN"}
    hipaa = {e.name for e in resolve(["hipaa"])}
    assert {"USA_MEDICARE_BENEFICIARY_IDENTIFIER", "PERSON_NAME", "USA_DRIVING_LICENSE"} <= hipaa
    from glueforge.errors import ConfigError

    with pytest.raises(ConfigError, match="unknown entity type 'NOPE'"):
        resolve(["NOPE"])


def test_custom_entity_context_words_are_a_hard_gate() -> None:
    employee = custom_entity("EMPLOYEE_ID", r"EMP-[0-9]{6}", ["employee", "staff"])
    scanner = ColumnScanner("notes", [employee], "cell")
    assert [s.entity for s in scanner.find("staff EMP-123456")] == ["EMPLOYEE_ID"]
    assert scanner.find("ref EMP-123456") == []
    assert [s.entity for s in ColumnScanner("employee_id", [employee], "cell").find("EMP-123456")] == ["EMPLOYEE_ID"]
    ungated = custom_entity("EMPLOYEE_ID", r"EMP-[0-9]{6}")
    assert len(ColumnScanner("notes", [ungated], "cell").find("ref EMP-123456")) == 1


@pytest.mark.parametrize(
    ("regex", "message"),
    [
        (r"(a)\1", "backreferences"),
        (r"(?P<x>a)", "named groups"),
        ("[", "does not compile"),
        ("a" * 256, "1..255"),
    ],
)
def test_custom_entity_rejects_non_portable_regex(regex: str, message: str) -> None:
    from glueforge.errors import ConfigError

    with pytest.raises(ConfigError, match=re.escape(message)):
        custom_entity("X_ID", regex)


def test_every_pattern_is_portable() -> None:
    for entity in REGISTRY.values():
        for pattern in entity.patterns:
            assert not re.search(r"\\[1-9]|\(\?P|\\d|\\w|\\s", pattern.regex), (entity.name, pattern.regex)
