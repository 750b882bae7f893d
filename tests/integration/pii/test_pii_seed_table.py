"""The seed scenario on real PostgreSQL (standing in for Redshift): scan a PHI table, mask it in place."""

from __future__ import annotations

import random

import pytest
from sqlalchemy import create_engine, text

from glueforge.errors import SourceError
from transforms.detect_pii.tables import JdbcTarget, mask_table, scan_table
from transforms.detect_pii.validators import luhn_valid

DDL = """CREATE TABLE {t} (
    mpi char(10) PRIMARY KEY, firstName VARCHAR(30), lastName VARCHAR(30), email VARCHAR(75), gender CHAR(10),
    mobileNumber VARCHAR(20), clinicId VARCHAR(10), creditCardNumber VARCHAR(50), driverLicenseNumber VARCHAR(40),
    patientJobTitle VARCHAR(100), ssn VARCHAR(15), geo VARCHAR(250), mbi VARCHAR(50))"""
PII = {
    "firstname": ["PERSON_NAME"],
    "lastname": ["PERSON_NAME"],
    "email": ["EMAIL"],
    "mobilenumber": ["PHONE_NUMBER"],
    "creditcardnumber": ["CREDIT_CARD"],
    "driverlicensenumber": ["USA_DRIVING_LICENSE"],
    "ssn": ["USA_SSN"],
    "geo": ["GPS_COORDINATES"],
    "mbi": ["USA_MEDICARE_BENEFICIARY_IDENTIFIER"],
}
MBI_LETTERS = "ACDEFGHJKMNPQRTUVWXY"


def card(rng: random.Random) -> str:
    body = rng.choice(["4", "51", "2221", "6011"]) + "".join(str(rng.randrange(10)) for _ in range(11))
    body = body[:15]
    return next(body + str(d) for d in range(10) if luhn_valid(body + str(d)))


def mbi(rng: random.Random) -> str:
    def pick(kind: str) -> str:
        return {
            "n": rng.choice("123456789"),
            "a": rng.choice(MBI_LETTERS),
            "d": rng.choice("0123456789"),
            "c": rng.choice(MBI_LETTERS + "0123456789"),
        }[kind]

    return "".join(pick(k) for k in "nacdacdaadd")


def seed_rows(count: int) -> list[dict]:
    rng = random.Random(42)
    first = ["Ana", "Ben", "Chloé", "David", "Elena", "Farid"]
    last = ["Garcia", "Smith", "Nguyen", "Müller", "O'Neil"]
    return [
        {
            "mpi": f"P{i:09d}",
            "firstname": rng.choice(first),
            "lastname": rng.choice(last),
            "email": f"patient{i}@example.com",
            "gender": rng.choice(["Female", "Male"]),
            "mobilenumber": f"({rng.randrange(201, 990)}) 555-{rng.randrange(10000):04d}".replace("(29", "(28"),
            "clinicid": f"C-{rng.randrange(100, 999)}",
            "creditcardnumber": card(rng),
            "driverlicensenumber": f"{rng.choice('ABDFGS')}{rng.randrange(10**6, 10**7)}",
            "patientjobtitle": rng.choice(["Nurse", "Engineer", "Teacher", "Data Analyst"]),
            "ssn": f"{rng.randrange(1, 666):03d}-{rng.randrange(1, 100):02d}-{rng.randrange(1, 10000):04d}",
            "geo": f"{rng.uniform(25, 48):.5f},{rng.uniform(-123, -70):.5f}",
            "mbi": mbi(rng),
        }
        for i in range(count)
    ]


@pytest.fixture
def phi_table(postgres_db):
    table = postgres_db.unique_table("phi")
    engine = create_engine(postgres_db.sqlalchemy_url)
    rows = seed_rows(60)
    with engine.begin() as connection:
        connection.execute(text(DDL.format(t=table)))
        columns = list(rows[0])
        connection.execute(
            text(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(':' + c for c in columns)})"), rows
        )
        connection.execute(text(f"INSERT INTO {table} (mpi) VALUES ('P999999999')"))  # an all-null row
    yield table, engine
    with engine.begin() as connection:
        connection.execute(text(f"DROP TABLE IF EXISTS {table}"))
        connection.execute(text(f"DROP TABLE IF EXISTS stage_{table}"))
    engine.dispose()


def fetch(engine, table: str) -> dict[str, dict]:
    with engine.connect() as connection:
        return {r["mpi"]: dict(r) for r in connection.execute(text(f"SELECT * FROM {table}")).mappings()}


def test_scan_and_mask_in_place(spark, postgres_db, phi_table) -> None:
    table, engine = phi_table
    target = JdbcTarget(postgres_db.jdbc_url, table, postgres_db.user)
    scanned = scan_table(spark, target, sampleFraction=1.0)
    assert scanned.report.pii_columns == PII

    before = fetch(engine, table)
    _, updated = mask_table(spark, target, action="REDACT", sampleFraction=1.0)  # key: the primary key
    assert updated == len(before) == 61
    after = fetch(engine, table)
    assert after.keys() == before.keys()  # no row lost, none added
    for key, old in before.items():
        new = after[key]
        for column, value in old.items():
            if column in PII:
                assert new[column] == (None if value is None else "*******"), (key, column)
            else:
                assert new[column] == value, (key, column)
    with engine.connect() as connection:
        leftover = connection.execute(
            text(f"SELECT count(*) FROM information_schema.tables WHERE table_name = 'stage_{table}'")
        ).scalar_one()
    assert leftover == 0


def test_failed_update_rolls_back(spark, postgres_db, phi_table, monkeypatch) -> None:
    table, engine = phi_table
    monkeypatch.setenv("GLUEFORGE_PII_HMAC_KEY", "k" * 32)
    before = fetch(engine, table)
    target = JdbcTarget(postgres_db.jdbc_url, table, postgres_db.user)
    with pytest.raises(SourceError, match="rolled back"):  # 64-char pseudonyms do not fit ssn VARCHAR(15)
        mask_table(spark, target, ["mpi"], action="HMAC", sampleFraction=1.0)
    assert fetch(engine, table) == before
