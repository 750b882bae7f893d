"""The demo domain: customers (with PII) and their orders, generated deterministically from a seed.

Used by ``make demo`` (written to a SQLite source read over JDBC) and by tests that need realistic rows.
Every generated PII value is valid (Luhn-valid cards, SSNs with legal area/group/serial).
"""

from __future__ import annotations

import random
import sqlite3
from dataclasses import astuple, dataclass, fields
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import get_type_hints

FIRST_NAMES = ["Ana", "Ben", "Chloe", "David", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jonas", "Kemal", "Lea"]
LAST_NAMES = ["Garcia", "Smith", "Nguyen", "Muller", "Rossi", "Kowalski", "Okafor", "Tanaka", "Silva", "Dubois"]
CITIES = ["Seattle", "Austin", "Boston", "Denver", "Chicago", "Portland"]
ORDER_STATUSES = ["placed", "shipped", "delivered", "cancelled"]
EPOCH = datetime(2026, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Customer:
    customer_id: int
    first_name: str
    last_name: str
    email: str
    phone: str
    ssn: str
    credit_card: str
    city: str
    updated_at: datetime


@dataclass(frozen=True)
class Order:
    order_id: int
    customer_id: int
    order_ts: datetime
    status: str
    amount: Decimal
    updated_at: datetime


def luhn_complete(prefix: str, length: int, rng: random.Random) -> str:
    """A Luhn-valid number of ``length`` digits starting with ``prefix``."""
    body = prefix + "".join(str(rng.randrange(10)) for _ in range(length - len(prefix) - 1))
    total = 0
    for index, char in enumerate(reversed(body)):
        digit = int(char)
        if index % 2 == 0:  # these get doubled once the check digit is appended
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return body + str((10 - total % 10) % 10)


def valid_ssn(rng: random.Random) -> str:
    area = rng.choice([a for a in range(1, 900) if a != 666])
    return f"{area:03d}-{rng.randrange(1, 100):02d}-{rng.randrange(1, 10000):04d}"


def customers(count: int, seed: int = 7) -> list[Customer]:
    rng = random.Random(seed)
    rows = []
    for customer_id in range(1, count + 1):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        rows.append(
            Customer(
                customer_id=customer_id,
                first_name=first,
                last_name=last,
                email=f"{first.lower()}.{last.lower()}{customer_id}@example.com",
                phone=f"+1-{rng.randrange(201, 990)}-555-{rng.randrange(0, 10000):04d}",
                ssn=valid_ssn(rng),
                credit_card=luhn_complete(rng.choice(["4", "51", "2221", "37"]), 16, rng),
                city=rng.choice(CITIES),
                updated_at=EPOCH + timedelta(minutes=customer_id),
            )
        )
    return rows


def orders(count: int, customer_count: int, seed: int = 11) -> list[Order]:
    rng = random.Random(seed)
    rows = []
    for order_id in range(1, count + 1):
        ordered = EPOCH + timedelta(minutes=7 * order_id)
        rows.append(
            Order(
                order_id=order_id,
                customer_id=rng.randrange(1, customer_count + 1),
                order_ts=ordered,
                status=rng.choice(ORDER_STATUSES),
                amount=Decimal(rng.randrange(500, 50000)) / 100,
                updated_at=ordered + timedelta(seconds=rng.randrange(0, 3600)),
            )
        )
    return rows


_SQLITE_TYPES = {int: "INTEGER", str: "TEXT", datetime: "TIMESTAMP", Decimal: "NUMERIC(10,2)"}


def write_sqlite(path: Path, table: str, rows: list[Customer] | list[Order], primary_key: str) -> None:
    """(Re)create ``table`` in a SQLite file; timestamps as ISO text, which Spark's JDBC reader parses."""
    hints = get_type_hints(type(rows[0]))
    columns = [(f.name, _SQLITE_TYPES[hints[f.name]]) for f in fields(type(rows[0]))]
    with sqlite3.connect(path) as connection:
        connection.execute(f'DROP TABLE IF EXISTS "{table}"')
        ddl = ", ".join(
            f'"{name}" {sql_type}' + (" PRIMARY KEY" if name == primary_key else "") for name, sql_type in columns
        )
        connection.execute(f'CREATE TABLE "{table}" ({ddl})')
        placeholders = ", ".join("?" for _ in columns)
        connection.executemany(
            f'INSERT INTO "{table}" VALUES ({placeholders})',
            [tuple(_sqlite_value(v) for v in astuple(r)) for r in rows],
        )


def _sqlite_value(value: object) -> object:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, Decimal):
        return float(value)
    return value
