"""detect_pii on real Spark: modes, actions, overrides, include/exclude, HMAC joins, fail-closed, edge cells."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from transforms.detect_pii import apply
from transforms.detect_pii.actions import hmac_hex, sha256_hex
from transforms.detect_pii.pipeline import run

KEY = "test-hmac-key-0123456789abcdef"
ROWS = [
    (1, "ann.lee@example.com", "536-22-1234", "4111 1111 1111 1111", "SSN 536-22-1234, call (212) 555-0199", "1.2.3.4"),
    (2, "bo.kim@example.org", "123-45-6789", "2221000000000009", "nothing to see", "3.12.0.7"),
    (3, None, "", None, None, "10.1.2.3"),
]
SCHEMA = "id int, email string, ssn string, card string, notes string, version string"


@pytest.fixture
def df(spark):
    return spark.createDataFrame(ROWS, SCHEMA)


@pytest.fixture(autouse=True)
def _hmac_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GLUEFORGE_PII_HMAC_KEY", KEY)


def by_id(frame) -> dict[int, dict]:
    return {row["id"]: row.asDict() for row in frame.collect()}


def test_column_mode_each_action(df) -> None:
    key = KEY.encode()
    expected = {
        "REDACT": lambda v: "*******",
        "PARTIAL_REDACT": lambda v: "*" * (len(v) - 4) + v[-4:],
        "SHA256_HASH": sha256_hex,
        "HMAC": lambda v: hmac_hex(key, v),
        "NULLIFY": lambda v: None,
    }
    for action, mask in expected.items():
        result = run(df, action=action, sampleFraction=1.0, numRightCharsToExclude=4)
        assert result.report.pii_columns == {
            "email": ["EMAIL"],
            "ssn": ["USA_SSN"],
            "card": ["CREDIT_CARD"],
            "notes": ["PHONE_NUMBER", "USA_SSN"],
        }
        rows = by_id(result.frame)
        assert result.frame.columns == df.columns
        for original in ROWS:
            row = rows[original[0]]
            for name, value in zip(["email", "ssn", "card", "notes"], original[1:5], strict=True):
                want = value if value in (None, "") else mask(value)
                if action == "NULLIFY":
                    want = None
                assert row[name] == want, (action, name)
            assert row["version"] == original[5] and row["id"] == original[0]


def test_cell_mode_masks_only_the_spans(df) -> None:
    redacted = by_id(apply(df, detectionMode="cell", action="REDACT", sampleFraction=1.0))
    assert redacted[1]["notes"] == "SSN *******, call *******"
    assert redacted[2]["notes"] == "nothing to see"
    assert redacted[1]["email"] == "*******" and redacted[3]["email"] is None and redacted[3]["ssn"] == ""
    assert [redacted[i]["version"] for i in (1, 2, 3)] == ["1.2.3.4", "3.12.0.7", "10.1.2.3"]
    hashed = by_id(apply(df, detectionMode="cell", action="HMAC", sampleFraction=1.0))
    assert (
        hashed[1]["notes"] == f"SSN {hmac_hex(KEY.encode(), '536-22-1234')}, call "
        f"{hmac_hex(KEY.encode(), '(212) 555-0199')}"
    )
    assert hashed[1]["ssn"] == hmac_hex(KEY.encode(), "536-22-1234")


def test_detect_adds_result_column_and_changes_nothing(df) -> None:
    for mode in ("column", "cell"):
        frame = apply(df, detectionMode=mode, sampleFraction=1.0, outputColumnName="found")
        assert frame.columns == [*df.columns, "found"]
        rows = by_id(frame)
        for original in ROWS:
            assert tuple(rows[original[0]][c] for c in df.columns) == original
        found = json.loads(rows[1]["found"])
        assert {e["entityType"] for e in found["notes"]} == {"USA_SSN", "PHONE_NUMBER"}
        assert json.loads(rows[3]["found"]).keys() <= {"ssn"}
        if mode == "cell":
            assert {"entityType": "USA_SSN", "start": 4, "end": 15, "actionUsed": "DETECT"} in found["notes"]


def test_per_entity_overrides_and_include_exclude(df) -> None:
    params = {
        "detectionMode": "cell",
        "action": "REDACT",
        "sampleFraction": 1.0,
        "excludeColumns": ["card"],
        "detectionParameters": json.dumps(
            {
                "USA_SSN": [{"action": "PARTIAL_REDACT", "actionOptions": {"numRightCharsToExclude": 4}}],
                "EMAIL": [{"action": "SHA256_HASH", "sourceColumns": ["email"]}],
                "PHONE_NUMBER": [{"action": "NULLIFY", "sourceColumns": ["notes"]}],
            }
        ),
        "entityTypesToDetect": ["EMAIL", "USA_SSN", "PHONE_NUMBER", "CREDIT_CARD"],
    }
    rows = by_id(apply(df, **params))
    assert rows[1]["ssn"] == "*******1234"
    assert rows[1]["email"] == sha256_hex("ann.lee@example.com")
    assert rows[1]["card"] == "4111 1111 1111 1111"  # excluded
    assert rows[1]["notes"] is None  # a NULLIFY span nulls the cell
    only = by_id(apply(df, action="REDACT", sampleFraction=1.0, includeColumns=["ssn"]))
    assert only[1]["ssn"] == "*******" and only[1]["email"] == "ann.lee@example.com"


def test_hmac_pseudonyms_join_across_tables(spark, monkeypatch: pytest.MonkeyPatch) -> None:
    customers = spark.createDataFrame([(i, f"user{i}@example.com") for i in range(20)], "id int, email string")
    orders = spark.createDataFrame(
        [(100 + i, f"user{i % 5}@example.com") for i in range(30)], "order_no int, customer_email string"
    )
    customer_keys = {r["email"]: r["id"] for r in apply(customers, action="HMAC", sampleFraction=1.0).collect()}
    order_keys = [r["customer_email"] for r in apply(orders, action="HMAC", sampleFraction=1.0).collect()]
    assert not any("@" in k for k in customer_keys)
    assert [customer_keys[k] for k in order_keys] == [i % 5 for i in range(30)]  # every order joins its customer
    monkeypatch.setenv("GLUEFORGE_PII_HMAC_KEY", "another-key-0123456789abcdef")
    other = {r["customer_email"] for r in apply(orders, action="HMAC", sampleFraction=1.0).collect()}
    assert other.isdisjoint(customer_keys)  # another key, other pseudonyms


def test_fail_closed_when_a_validator_raises(spark, df, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from dataclasses import replace

    from transforms.detect_pii import entities, validators
    from transforms.detect_pii.files import write_file

    def broken_on_driver(value: str) -> bool:
        raise RuntimeError("validator crashed")

    def broken_on_executors(value: str) -> bool:
        from pyspark import TaskContext

        if TaskContext.get() is not None:
            raise RuntimeError("validator crashed on an executor")
        return validators.ssn_valid(value)

    email, ssn = entities.REGISTRY["EMAIL"], entities.REGISTRY["USA_SSN"]
    monkeypatch.setitem(entities.REGISTRY, "EMAIL", replace(email, validator=broken_on_driver))
    with pytest.raises(RuntimeError, match="validator crashed"):  # column mode: the scan itself fails
        run(df, action="REDACT", sampleFraction=1.0)
    monkeypatch.setitem(entities.REGISTRY, "EMAIL", email)
    monkeypatch.setitem(entities.REGISTRY, "USA_SSN", replace(ssn, validator=broken_on_executors))
    frame = apply(df, detectionMode="cell", action="REDACT", sampleFraction=1.0)  # no driver-side scan of text
    target = tmp_path / "masked.parquet"
    with pytest.raises(Exception, match="validator crashed on an executor"):
        write_file(frame, target, "parquet")
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []  # no temporary folder left behind either


def test_nulls_empty_and_non_string_columns(spark) -> None:
    frame = spark.createDataFrame(
        [(536221234, 3948.06, True, None, ""), (123456789, 12.5, False, None, "")],
        "ssn bigint, amount double, flag boolean, empty_col string, blank string",
    )
    result = run(frame, action="REDACT", sampleFraction=1.0)
    assert result.report.pii_columns == {"ssn": ["USA_SSN"]}
    scanned = {c.name: c.scanned for c in result.report.columns}
    assert scanned == {"ssn": True, "amount": False, "flag": False, "empty_col": True, "blank": True}
    rows = result.frame.collect()
    assert [r["ssn"] for r in rows] == ["*******", "*******"]
    assert [(r["amount"], r["flag"], r["empty_col"], r["blank"]) for r in rows] == [
        (3948.06, True, None, ""),
        (12.5, False, None, ""),
    ]
    cell = run(frame, detectionMode="cell", action="REDACT", sampleFraction=1.0)
    assert [r["ssn"] for r in cell.frame.collect()] == ["*******", "*******"]  # numbers: masked per column
    empty = run(frame.limit(0), action="REDACT", sampleFraction=1.0)
    assert empty.report.pii_columns == {} and empty.frame.count() == 0


def test_huge_cells_and_unicode(spark) -> None:
    filler = "é漢🙂 " * 60_000
    text = f"Zoe\u2019s card: 4111-1111-1111-1111 {filler} write to zoë.x@example.com or zoe.x@example.com"
    frame = spark.createDataFrame([(text,), ("Grüße, ☎ +44 20 7946 0958",)], "notes string")
    rows = apply(frame, detectionMode="cell", action="REDACT", sampleFraction=1.0).collect()
    assert rows[0]["notes"].startswith("Zoe\u2019s card: ******* é漢🙂")
    assert rows[0]["notes"].endswith("or *******") and len(rows[0]["notes"]) == len(text) - 19 + 7 - 17 + 7
    assert rows[1]["notes"] == "Grüße, ☎ *******"


def test_glue_entry_binding_parses_string_parameters(spark, df) -> None:
    from glueforge.glue_runtime import install_local_awsglue

    install_local_awsglue()
    from awsglue.dynamicframe import DynamicFrame

    import transforms.detect_pii.detect_pii  # noqa: F401 - registers DynamicFrame.detect_pii

    dyf = DynamicFrame.fromDF(df, None, "input")
    out = dyf.detect_pii(
        entityTypesToDetect="EMAIL,USA_SSN",
        action="partial",
        sampleFraction="1.0",
        numRightCharsToExclude="4",
        detectionMode="column",
    )
    rows = {r["id"]: r for r in out.toDF().collect()}
    assert rows[1]["ssn"] == "*******1234" and rows[1]["card"] == "4111 1111 1111 1111"


def test_cell_mode_prefilter_fallbacks_and_repeated_cells(spark) -> None:
    """Letter-only MACs pass the JVM prefilter through their own regex; repeated cells (memo) mask identically."""
    cells = ["Device MAC ab-cd-ef-ab-cd-ef registered", "MAC abcd.efab.cdef", "no digits at all", None]
    rows = [(i, cells[i % len(cells)]) for i in range(40)]
    masked = by_id(apply(spark.createDataFrame(rows, "id int, notes string"), detectionMode="cell", action="REDACT"))
    expected = ["Device MAC ******* registered", "MAC *******", "no digits at all", None]
    assert [masked[i]["notes"] for i in range(40)] == [expected[i % len(cells)] for i in range(40)]


def test_neutral_column_names_flagged_from_values_and_masked(spark) -> None:
    """Bare SSNs (column rule), dates and common names under col_NN names; random 9-digit ids stay clean."""
    import random

    from transforms.detect_pii.validators import ssn_valid

    rng = random.Random(5)
    ssns: list[str] = []
    while len(ssns) < 150:
        value = f"{rng.randrange(1, 900):03d}{rng.randrange(1, 100):02d}{rng.randrange(1, 10000):04d}"
        if ssn_valid(value):
            ssns.append(value)
    rows = [
        (
            ssns[i],
            str(rng.randrange(100_000_000, 1_000_000_000)),
            f"{rng.randrange(1940, 2004)}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}",
            f"{rng.choice(['Mary', 'James', 'Linda', 'Robert'])} {rng.choice(['Smith', 'Garcia', 'Nguyen', 'Lee'])}",
        )
        for i in range(150)
    ]
    frame = spark.createDataFrame(rows, "col_01 string, col_02 string, col_03 string, col_04 string")
    result = run(frame, action="REDACT", sampleFraction=1.0)
    assert result.report.pii_columns == {"col_01": ["USA_SSN"], "col_03": ["DATE"], "col_04": ["PERSON_NAME"]}
    ssn_column = next(c for c in result.report.to_dict()["columns"] if c["name"] == "col_01")
    assert ssn_column["findings"][0]["context"] == "column-values" and ssn_column["findings"][0]["matches"] == 150
    masked = result.frame.collect()
    for name in ("col_01", "col_03", "col_04"):
        assert {r[name] for r in masked} == {"*******"}, name
    assert [r["col_02"] for r in masked] == [row[1] for row in rows]  # random ids: untouched


def test_cell_mode_arrow_batches_match_the_udf_path_and_keep_other_columns(spark, monkeypatch) -> None:
    """Masking-only cell mode runs as one ``mapInArrow``: every other column comes back as it was (dates,
    timestamps, decimals, binary, arrays), masked cells are those the pandas-UDF path gives, and a NULLIFY span
    may null a column declared non-nullable."""
    from datetime import date, datetime
    from decimal import Decimal

    from pyspark.sql.types import (
        ArrayType,
        BinaryType,
        BooleanType,
        DateType,
        DecimalType,
        IntegerType,
        StringType,
        StructField,
        StructType,
        TimestampType,
    )

    from transforms.detect_pii import detect

    schema = StructType(
        [
            StructField("id", IntegerType(), False),
            StructField("price", DecimalType(10, 2)),
            StructField("day", DateType()),
            StructField("ts", TimestampType()),
            StructField("flag", BooleanType()),
            StructField("raw", BinaryType()),
            StructField("nums", ArrayType(IntegerType())),
            StructField("notes", StringType()),
            StructField("ssn", StringType(), False),
        ]
    )
    notes = ["SSN 536-22-1234, card 4111 1111 1111 1111", "Zoë: zoe@example.com ☎ +44 20 7946 0958", None, "none"]
    rows = [
        (i, Decimal("12.50"), date(2024, 1, 2), datetime(2024, 1, 2, 3, 4, 5), True, b"\x00\x01", [1, 2], note, ssn)
        for i, (note, ssn) in enumerate(
            zip(notes * 10, ["536-22-1234", "not one", "", "078-05-1120"] * 10, strict=True)
        )
    ]
    frame = spark.createDataFrame(rows, schema)
    for action in ("REDACT", "NULLIFY", "PARTIAL_REDACT", "HMAC"):
        arrow = apply(frame, detectionMode="cell", action=action, sampleFraction=1.0)
        assert "MapInArrow" in arrow._jdf.queryExecution().executedPlan().toString()
        with monkeypatch.context() as patched:
            patched.setattr(detect, "_mask_in_arrow", lambda *args, **kwargs: None)
            udf = apply(frame, detectionMode="cell", action=action, sampleFraction=1.0)
            assert "MapInArrow" not in udf._jdf.queryExecution().executedPlan().toString()
        got, expected = by_id(arrow), by_id(udf)
        assert got == expected, action
        kept = [(r["id"], r["price"], r["day"], r["ts"], r["flag"], r["raw"], r["nums"]) for r in arrow.collect()]
        assert sorted(kept) == sorted(r[:7] for r in rows), action
        assert got[0]["notes"] != notes[0] and got[3]["notes"] == "none"
    assert by_id(apply(frame, detectionMode="cell", action="NULLIFY", sampleFraction=1.0))[0]["ssn"] is None


def test_cell_mode_keeps_the_udf_path_for_types_arrow_does_not_pass(spark) -> None:
    """An interval column (not passed through ``mapInArrow`` here): masking runs through the pandas UDFs."""
    from datetime import timedelta

    frame = spark.createDataFrame(
        [(1, timedelta(seconds=5), "SSN 536-22-1234"), (2, timedelta(0), "nothing")],
        "id int, waited interval day to second, notes string",
    )
    masked = apply(frame, detectionMode="cell", action="REDACT", sampleFraction=1.0)
    assert "MapInArrow" not in masked._jdf.queryExecution().executedPlan().toString()
    rows = by_id(masked)
    assert rows[1]["notes"] == "SSN *******" and rows[2]["notes"] == "nothing"
    assert rows[1]["waited"] == timedelta(seconds=5)


@pytest.mark.parametrize("action", ["REDACT", "DETECT", "HMAC"])
def test_apply_in_cell_mode_masks_as_run_does_without_scanning_text_for_a_report(
    spark, action: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from transforms.detect_pii import pipeline

    frame = spark.createDataFrame(
        [(*row[:5], 536221234 if row[0] == 1 else None) for row in ROWS],
        "id int, email string, ssn string, card string, notes string, ssn_number bigint",
    )
    expected = by_id(run(frame, detectionMode="cell", action=action, sampleFraction=1.0).frame)
    scanned: list[list[str]] = []
    real_scan = pipeline.scan_columns

    def recording_scan(df, columns, *args):  # type: ignore[no-untyped-def]
        scanned.append(list(columns))
        return real_scan(df, columns, *args)

    monkeypatch.setattr(pipeline, "scan_columns", recording_scan)
    assert by_id(apply(frame, detectionMode="cell", action=action, sampleFraction=1.0)) == expected
    assert scanned == [["id", "ssn_number"]]  # only the non-text columns, masked per column from the scan
    apply(frame, detectionMode="column", action=action, sampleFraction=1.0)
    assert scanned[-1] == frame.columns  # column mode decides from the scan what to mask
