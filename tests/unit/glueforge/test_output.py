import datetime as dt
import json
from decimal import Decimal

from glueforge.output import json_value, rows_to_csv, rows_to_json


def test_json_values_are_stable_and_typed():
    assert json_value(dt.datetime(2026, 1, 2, 3, 4, 5)) == "2026-01-02T03:04:05"
    assert json_value(dt.date(2026, 1, 2)) == "2026-01-02"
    assert json_value(Decimal("12.50")) == 12.5
    assert json_value(Decimal("3")) == 3
    assert json_value(b"\x01\xff") == "01ff"
    assert json_value({"a": [Decimal("1.5")]}) == {"a": [1.5]}


def test_rows_to_json_is_an_array_of_objects():
    assert json.loads(rows_to_json(["id", "name"], [(1, "a"), (2, None)])) == [
        {"id": 1, "name": "a"},
        {"id": 2, "name": None},
    ]


def test_rows_to_csv_has_a_header_and_empty_nulls():
    assert rows_to_csv(["id", "name"], [(1, "a,b"), (2, None)]) == 'id,name\n1,"a,b"\n2,\n'
