"""Every validator against known valid and invalid values (reference values from pii.md §2 and issuer docs)."""

import pytest

from transforms.detect_pii import validators as v


def luhn_complete(prefix: str, length: int) -> str:
    body = prefix + "0" * (length - len(prefix) - 1)
    return next(body + str(d) for d in range(10) if v.luhn_valid(body + str(d)))


@pytest.mark.parametrize(
    "number",
    [
        "4111111111111111",
        "4111 1111 1111 1111",
        "4111-1111-1111-1111",
        "5500000000000004",
        "2221000000000009",
        "2720990000000007",
        "378282246310005",
        "3782 822463 10005",
        "6011111111111117",
        "3530111333300000",
        "30569309025904",
        "6759649826438453",
        "6221260000000000"[:0] + luhn_complete("622126", 16),
        luhn_complete("4", 19),
        luhn_complete("4", 13),
        luhn_complete("2131", 15),
        luhn_complete("62", 19),
    ],
)
def test_credit_card_valid(number: str) -> None:
    assert v.credit_card_valid(number)


@pytest.mark.parametrize(
    "number",
    [
        "4111111111111112",  # Luhn fails
        "0000000000000000",
        "4444444444444448"[:0] + "4" * 16,  # one repeated digit
        luhn_complete("37", 16),  # Amex prefix, wrong length
        luhn_complete("2721", 16),
        luhn_complete("2220", 16),  # just outside Mastercard 2-series
        luhn_complete("1", 16),
        luhn_complete("99", 16),  # no issuer
        "4111 1111-1111 1111",  # mixed separators
        luhn_complete("51", 15),
    ],
)
def test_credit_card_invalid(number: str) -> None:
    assert not v.credit_card_valid(number)


def test_mastercard_2_series_whole_range() -> None:
    for prefix in ("2221", "2300", "2500", "2720"):
        assert v.credit_card_valid(luhn_complete(prefix, 16)), prefix


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("536-22-1234", True),
        ("123-45-6789", True),
        ("536221234", True),
        ("899-99-9999", True),
        ("000-12-3456", False),
        ("666-12-3456", False),
        ("900-12-3456", False),
        ("999-12-3456", False),
        ("123-00-4567", False),
        ("123-45-0000", False),
        ("078-05-1120", False),
        ("219-09-9999", False),
        ("457-55-5462", False),
        ("123-456789", False),
        ("12-345-6789", False),
        ("111-11-1111", False),  # placeholder
    ],
)
def test_ssn(value: str, ok: bool) -> None:
    assert v.ssn_valid(value) is ok


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("912-70-1234", True),
        ("912-50-1234", True),
        ("912-65-1234", True),
        ("912-88-1234", True),
        ("912-90-1234", True),
        ("912-99-1234", True),
        ("912701234", True),
        ("912-89-1234", False),
        ("912-93-1234", False),
        ("912-66-1234", False),
        ("912-40-1234", False),
        ("812-70-1234", False),
        ("912-70-0000", False),
    ],
)
def test_itin(value: str, ok: bool) -> None:
    assert v.itin_valid(value) is ok


def test_ssn_and_itin_never_both() -> None:
    for value in ("912-70-1234", "536-22-1234", "900-70-1234"):
        assert not (v.ssn_valid(value) and v.itin_valid(value))


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("011000015", True),
        ("021000021", True),
        ("011000016", False),
        ("131000011", False),
        ("000000000", False),
        ("01100001", False),
    ],
)
def test_aba(value: str, ok: bool) -> None:
    assert v.aba_routing_valid(value) is ok


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("GB82WEST12345698765432", True),
        ("DE89370400440532013000", True),
        ("GB82 WEST 1234 5698 7654 32", True),
        ("gb82west12345698765432", True),
        ("GB82WEST12345698765433", False),
        ("DE8937040044053201300", False),
        ("XX82WEST12345698765432", False),
        ("GB8AWEST12345698765432", False),
    ],
)
def test_iban(value: str, ok: bool) -> None:
    assert v.iban_valid(value) is ok


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("1234567893", True),
        ("1234567890", False),
        ("3234567893", False),
        ("123456789", False),
    ],
)
def test_npi(value: str, ok: bool) -> None:
    assert v.npi_valid(value) is ok


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("1EG4TE5MK73", True),
        ("1EG4-TE5-MK73", True),
        ("1eg4te5mk73", True),
        ("0EG4TE5MK73", False),
        ("1SG4TE5MK73", False),
        ("1EG4TE5MK7A", False),
        ("1EG4TE5MK7", False),
        ("1BG4TE5MK73", False),
    ],
)
def test_mbi(value: str, ok: bool) -> None:
    assert v.mbi_valid(value) is ok


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("AB1234563", True),
        ("F91234563", True),
        ("AB1234564", False),
        ("IB1234563", False),
        ("AB123456", False),
    ],
)
def test_dea(value: str, ok: bool) -> None:
    assert v.dea_valid(value) is ok


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("536221234A", True),
        ("536221234B1", True),
        ("536-22-1234C2", True),
        ("536221234Z", False),
        ("000221234A", False),
        ("536221234", False),
    ],
)
def test_hicn(value: str, ok: bool) -> None:
    assert v.hicn_valid(value) is ok


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("8.8.8.8", True),
        ("192.168.1.1", True),
        ("255.255.255.255", True),
        ("256.1.1.1", False),
        ("01.2.3.4", False),
        ("0.1.2.3", False),
        ("1.2.3", False),
        ("2001:db8::1", True),
        ("fe80::1%eth0", True),
        ("::ffff:192.0.2.1", True),
        ("12:30:45", False),
        ("aa:bb:cc:dd:ee:ff", False),
        ("2001:db8:::1", False),
    ],
)
def test_ip(value: str, ok: bool) -> None:
    assert v.ip_valid(value) is ok


def test_version_like_ipv4() -> None:
    assert v.ipv4_version_like("3.12.0.7")
    assert not v.ipv4_version_like("172.217.3.110")


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("00:1A:2B:3C:4D:5E", True),
        ("00-1a-2b-3c-4d-5e", True),
        ("001a.2b3c.4d5e", True),
        ("00:1A-2B:3C:4D:5E", False),
        ("00:00:00:00:00:00", False),
        ("FF:FF:FF:FF:FF:FF", False),
        ("00:1A:2B:3C:4D", False),
    ],
)
def test_mac(value: str, ok: bool) -> None:
    assert v.mac_valid(value) is ok


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("a.b@ex.com", True),
        ("first+tag@mail.example.co.uk", True),
        ("a..b@ex.com", False),
        ("a@b", False),
        ("a@ex.c0m", False),
        ("@ex.com", False),
        ("x" * 65 + "@ex.com", False),
    ],
)
def test_email(value: str, ok: bool) -> None:
    assert v.email_valid(value) is ok


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("(212) 555-0199", True),
        ("212-555-0199", True),
        ("+1 212 555 0199", True),
        ("2125550199", True),
        ("+44 20 7946 0958", True),
        ("+33 1 23 45 67 89", True),
        ("+4915123456789", True),
        ("123-456-7890", False),
        ("212-155-0199", False),
        ("291-555-0199", False),
        ("211-555-0199", False),
        ("+999 1234567", False),
        ("+44 123", False),
        ("1700000000", False),
    ],
)
def test_phone(value: str, ok: bool) -> None:
    assert v.phone_valid(value) is ok


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("1985-03-12", True),
        ("03/12/1985", True),
        ("1985-02-30", False),
        ("1850-01-01", False),
        ("2999-01-01", False),
    ],
)
def test_date(value: str, ok: bool) -> None:
    assert v.date_valid(value) is ok


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("40.7128,-74.0060", True),
        ("(40.7128, -74.0060)", True),
        ("-33.8688 151.2093", True),
        ("91.0000,10.0000", False),
        ("40.71,-74.00", False),
        ("0.000,0.000", False),
        ("3948.06", False),
    ],
)
def test_gps(value: str, ok: bool) -> None:
    assert v.gps_valid(value) is ok


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("C12345678", True),
        ("123456789", True),
        ("111111111", False),
        ("12345678", False),
    ],
)
def test_passport(value: str, ok: bool) -> None:
    assert v.passport_us_valid(value) is ok


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("José Müller", True),
        ("Mary-Jane O'Neil", True),
        ("Ann", True),
        ("Zhāng Wěi", True),
        ("widget 3000", False),
        ("john smith", False),
        ("A B C D E", False),
    ],
)
def test_person_name(value: str, ok: bool) -> None:
    assert v.person_name_valid(value) is ok


@pytest.mark.parametrize(
    ("validator", "good", "bad"),
    [
        (v.driving_license_valid, "D1234567", "ABC"),
        (v.hcpcs_valid, "J3490", "W3490"),
        (v.cpt_valid, "99213", "9921"),
        (v.icd10_valid, "E11.9", "U07.1"),
        (v.bank_account_valid, "123456789012", "1111111111"),
    ],
)
def test_other_validators(validator, good: str, bad: str) -> None:
    assert validator(good)
    assert not validator(bad)
