"""PII benchmark: accuracy (column and cell level) and Spark throughput, glueforge vs Presidio vs plain regex.

    .venv/bin/python -m bench.pii_bench [--seed 7] [--rows 1000] [--speed-rows 20000] [--presidio-rows 1000]

Data (seeded Faker, en_US): PII columns whose values pass the real validators (Faker values failing them are
regenerated, never labelled PII), decoy columns (random 9/10/16-digit ids, invalid SSNs, amounts, versions,
epoch seconds, ISBN/EAN, UUIDs, SHA-256, zip+4, IMEI-like Luhn numbers), each table in three column-name
conditions (honest, neutral ``col_NN``, misleading), plus a free-text column with embedded PII (cell truth).
Presidio: presidio-analyzer, regex-only ``NoOpNlpEngine``, column name passed as context, score >= 0.4.
Throughput is timed on two speed sets in the same run: ``unique`` (no value repeats within a column: every cell
costs a real scan) and ``repeated`` (the accuracy rows cycled, as before; flatters per-value memos).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import pandas as pd
from faker import Faker

from transforms.detect_pii import validators as v
from transforms.detect_pii.entities import REGISTRY
from transforms.detect_pii.scanner import ColumnScanner

PRESIDIO_TO_GLUE = {
    "EMAIL_ADDRESS": "EMAIL",
    "CREDIT_CARD": "CREDIT_CARD",
    "PHONE_NUMBER": "PHONE_NUMBER",
    "US_SSN": "USA_SSN",
    "US_ITIN": "USA_ITIN",
    "IBAN_CODE": "BANK_ACCOUNT",
    "US_BANK_NUMBER": "BANK_ACCOUNT",
    "IP_ADDRESS": "IP_ADDRESS",
    "MAC_ADDRESS": "MAC_ADDRESS",
    "US_PASSPORT": "USA_PASSPORT_NUMBER",
    "US_DRIVER_LICENSE": "USA_DRIVING_LICENSE",
    "DATE_TIME": "DATE",
    "ABA_ROUTING_NUMBER": "USA_ABA_ROUTING_NUMBER",
    "US_NPI": "USA_NATIONAL_PROVIDER_IDENTIFIER",
    "US_MBI": "USA_MEDICARE_BENEFICIARY_IDENTIFIER",
    "PERSON": "PERSON_NAME",
    "LOCATION": "ADDRESS",
}
MBI_LETTERS = "ACDEFGHJKMNPQRTUVWXY"


# --- data --------------------------------------------------------------------------------------------------


def valid(generate: Callable[[], str], check: Callable[[str], bool]) -> Callable[[], str]:
    def draw() -> str:
        for _ in range(1000):
            value = generate()
            if check(value):
                return value
        raise RuntimeError("generator never produced a valid value")

    return draw


def luhn_complete(prefix: str, length: int, rng: random.Random) -> str:
    body = prefix + "".join(str(rng.randrange(10)) for _ in range(length - len(prefix) - 1))
    return next(body + str(d) for d in range(10) if v.luhn_valid(body + str(d)))


def digits(rng: random.Random, n: int) -> str:
    return str(rng.randrange(1, 10)) + "".join(str(rng.randrange(10)) for _ in range(n - 1))


def generators(
    fake: Faker, rng: random.Random
) -> tuple[dict[str, tuple[str, Callable[[], str]]], dict[str, Callable[[], str]]]:
    """(PII column -> (entity, generator)), (decoy column -> generator)."""

    def card() -> str:
        kind = rng.random()
        if kind < 0.15:
            return luhn_complete(str(rng.randrange(2221, 2721)), 16, rng)  # Mastercard 2-series
        if kind < 0.25:
            return luhn_complete("4", 19, rng)
        number = fake.credit_card_number()
        if rng.random() < 0.3 and len(number) == 16:
            return " ".join(number[i : i + 4] for i in range(0, 16, 4))
        return number

    def e164() -> str:
        country, national = rng.choice([("44", 10), ("49", 11), ("33", 9), ("34", 9), ("61", 9), ("81", 10)])
        return f"+{country}{digits(rng, national)}"

    def mbi() -> str:
        kinds = {"n": "123456789", "a": MBI_LETTERS, "d": "0123456789", "c": MBI_LETTERS + "0123456789"}
        return "".join(rng.choice(kinds[k]) for k in "nacdacdaadd")

    def npi() -> str:
        body = rng.choice("12") + "".join(str(rng.randrange(10)) for _ in range(8))
        return next(body + str(d) for d in range(10) if v.npi_valid(body + str(d)))

    def phone_us() -> str:
        return fake.phone_number().split("x")[0].strip()

    pii = {
        "ssn": ("USA_SSN", valid(fake.ssn, v.ssn_valid)),
        "ssn_nodash": ("USA_SSN", valid(lambda: fake.ssn().replace("-", ""), v.ssn_valid)),
        "itin": ("USA_ITIN", valid(fake.itin, v.itin_valid)),
        "credit_card": ("CREDIT_CARD", valid(card, v.credit_card_valid)),
        "iban": ("BANK_ACCOUNT", valid(fake.iban, v.iban_valid)),
        "aba_routing": ("USA_ABA_ROUTING_NUMBER", valid(fake.aba, v.aba_routing_valid)),
        "npi": ("USA_NATIONAL_PROVIDER_IDENTIFIER", npi),
        "mbi": ("USA_MEDICARE_BENEFICIARY_IDENTIFIER", mbi),
        "us_passport": ("USA_PASSPORT_NUMBER", valid(fake.passport_number, v.passport_us_valid)),
        "email": ("EMAIL", valid(fake.email, v.email_valid)),
        "phone_us": ("PHONE_NUMBER", valid(phone_us, v.phone_valid)),
        "phone_e164": ("PHONE_NUMBER", valid(e164, v.phone_valid)),
        "ipv4": ("IP_ADDRESS", valid(fake.ipv4_public, v.ip_valid)),
        "ipv6": ("IP_ADDRESS", valid(fake.ipv6, v.ip_valid)),
        "mac": ("MAC_ADDRESS", valid(fake.mac_address, v.mac_valid)),
        "dob": ("DATE", valid(lambda: fake.date_of_birth().isoformat(), v.date_valid)),
        "person_name": ("PERSON_NAME", valid(fake.name, v.person_name_valid)),
        "street_address": ("ADDRESS", fake.street_address),
    }
    decoys: dict[str, Callable[[], str]] = {
        "order_id": lambda: digits(rng, 16),  # ~10% pass Luhn, as real random ids do
        "customer_id": lambda: digits(rng, 10),
        "sku": lambda: digits(rng, 9),
        "invalid_ssn": fake.invalid_ssn,
        "amount": lambda: f"{rng.randrange(1, 100000)}.{rng.randrange(100):02d}",
        "version": lambda: f"{rng.randrange(12)}.{rng.randrange(30)}.{rng.randrange(50)}.{rng.randrange(300)}",
        "uuid": fake.uuid4,
        "sha256": fake.sha256,
        "zip_plus4": fake.zipcode_plus4,
        "epoch_ts": lambda: str(rng.randrange(1_400_000_000, 1_800_000_000)),
        "isbn13": lambda: fake.isbn13().replace("-", ""),
        "ean13": fake.ean13,
        "imei": lambda: luhn_complete("35" + str(rng.randrange(10, 99)), 15, rng),
    }
    return pii, decoys


# honest name -> misleading name (PII under a harmless name; decoys under a PII-sounding name)
MISLEADING = {
    "ssn": "reference_code",
    "ssn_nodash": "record_number",
    "itin": "batch_code",
    "credit_card": "tracking_number",
    "iban": "internal_code",
    "aba_routing": "branch_number",
    "npi": "row_number",
    "mbi": "voucher",
    "us_passport": "document_id",
    "email": "login",
    "phone_us": "extension",
    "phone_e164": "line",
    "ipv4": "node",
    "ipv6": "endpoint_key",
    "mac": "device_code",
    "dob": "event_date",
    "person_name": "label",
    "street_address": "location_text",
    "order_id": "card_number",
    "customer_id": "phone",
    "sku": "ssn",
    "invalid_ssn": "social_security",
    "amount": "account_balance_dob",
    "version": "ip_address",
    "uuid": "passport",
    "sha256": "email_hash",
    "zip_plus4": "routing",
    "epoch_ts": "mobile",
    "isbn13": "credit_card_number",
    "ean13": "npi",
    "imei": "card",
}

TEMPLATES = [
    ("My SSN is {v}, please update my file.", "USA_SSN", "ssn"),
    ("ref {v} for the claim", "USA_SSN", "ssn"),  # no keyword, dashed
    ("Paid with card {v} yesterday.", "CREDIT_CARD", "credit_card"),
    ("Contact me at {v} after 5pm.", "EMAIL", "email"),
    ("Call {v} tomorrow", "PHONE_NUMBER", "phone_us"),
    ("International line: {v}", "PHONE_NUMBER", "phone_e164"),
    ("Login from {v} was blocked", "IP_ADDRESS", "ipv4"),
    ("Device MAC {v} registered", "MAC_ADDRESS", "mac"),
    ("Wire to IBAN {v} please", "BANK_ACCOUNT", "iban"),
    ("Medicare MBI {v} on file", "USA_MEDICARE_BENEFICIARY_IDENTIFIER", "mbi"),
    ("ITIN {v} for tax year", "USA_ITIN", "itin"),
    ("Provider NPI {v} signed", "USA_NATIONAL_PROVIDER_IDENTIFIER", "npi"),
]
DECOY_TEMPLATES = [
    ("Order {v} shipped", "order_id"),
    ("Build version {v} deployed", "version"),
    ("Total {v} USD", "amount"),
    ("Ticket {v} closed", "customer_id"),
    ("ISBN {v} in stock", "isbn13"),
    ("trace id {v}", "uuid"),
    ("checksum {v}", "sha256"),
    ("since {v}", "epoch_ts"),
]


def build(seed: int, rows: int) -> tuple[dict[str, list[str]], dict[str, str | None], list[tuple[str, set[str]]]]:
    """Columns (honest names), column truth (entity or None), free-text cells with their entity sets."""
    fake = Faker("en_US")
    fake.seed_instance(seed)
    rng = random.Random(seed)
    pii, decoys = generators(fake, rng)
    columns: dict[str, list[str]] = {}
    truth: dict[str, str | None] = {}
    for name, (entity, draw) in pii.items():
        columns[name], truth[name] = [draw() for _ in range(rows)], entity
    for name, draw in decoys.items():
        columns[name], truth[name] = [str(draw()) for _ in range(rows)], None
    notes: list[tuple[str, set[str]]] = []
    for _ in range(rows):
        parts, entities = [], set()
        for _ in range(rng.randrange(1, 3)):
            if rng.random() < 0.6:
                template, entity, source = rng.choice(TEMPLATES)
                parts.append(template.format(v=pii[source][1]()))
                entities.add(entity)
            else:
                template, source = rng.choice(DECOY_TEMPLATES)
                parts.append(template.format(v=decoys[source]()))
        notes.append((" ".join(parts), entities))
    return columns, truth, notes


def renamed(columns: dict[str, list[str]], condition: str) -> dict[str, str]:
    names = list(columns)
    if condition == "honest":
        return {n: n for n in names}
    if condition == "neutral":
        return {n: f"col_{i:02d}" for i, n in enumerate(names)}
    return {n: MISLEADING[n] for n in names}


# --- scoring -----------------------------------------------------------------------------------------------


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def column_scores(truth: dict[str, str | None], predicted: dict[str, list[str]]) -> dict[str, Any]:
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for column, entity in truth.items():
        found = set(predicted.get(column, []))
        if entity:
            counts[entity][0 if entity in found else 2] += 1
        for other in found - {entity}:
            counts[other][1] += 1
    decoys = [c for c, e in truth.items() if e is None]
    flagged = [c for c in decoys if predicted.get(c)]
    return {
        "per_entity": {e: prf(*c) for e, c in sorted(counts.items())},
        "decoy_fp_rate": len(flagged) / len(decoys),
        "decoys_flagged": flagged,
    }


def cell_scores(cells: list[tuple[set[str], set[str]]]) -> dict[str, tuple[float, float, float]]:
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for truth, found in cells:
        for entity in truth | found:
            counts[entity][0 if entity in truth and entity in found else 1 if entity in found else 2] += 1
    tp, fp, fn = (sum(c[i] for c in counts.values()) for i in range(3))
    scores = {e: prf(*c) for e, c in sorted(counts.items())}
    scores["ALL (micro)"] = prf(tp, fp, fn)
    return scores


# --- systems -----------------------------------------------------------------------------------------------


def glueforge_columns(spark: Any, columns: dict[str, list[str]], names: dict[str, str]) -> dict[str, list[str]]:
    from transforms.detect_pii.pipeline import run

    ordered = list(columns)
    rows = list(zip(*[columns[c] for c in ordered], strict=True))
    df = spark.createDataFrame(rows, ", ".join(f"`{names[c]}` string" for c in ordered))
    report = run(df, sampleFraction=1.0).report
    by_name = {c.name: c.entities for c in report.columns}
    return {c: by_name[names[c]] for c in ordered}


_PRESIDIO: Any = None


def presidio_installed() -> bool:
    """presidio-analyzer comes with the ``bench`` extra; without it the Presidio columns are left out."""
    import importlib.util

    return importlib.util.find_spec("presidio_analyzer") is not None


def presidio() -> Any:
    global _PRESIDIO
    if _PRESIDIO is None:
        from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
        from presidio_analyzer.nlp_engine import NoOpNlpEngine

        nlp = NoOpNlpEngine(models=[{"lang_code": "en", "model_name": "no_op"}])
        registry = RecognizerRegistry(supported_languages=["en"])
        registry.load_predefined_recognizers(nlp_engine=nlp, languages=["en"])
        _PRESIDIO = AnalyzerEngine(nlp_engine=nlp, registry=registry, supported_languages=["en"])
    return _PRESIDIO


def presidio_entities(text: str, context: list[str] | None = None, threshold: float = 0.4) -> set[str]:
    results = presidio().analyze(text=text, language="en", context=context, score_threshold=threshold)
    return {PRESIDIO_TO_GLUE.get(r.entity_type, r.entity_type) for r in results}


def presidio_columns(
    columns: dict[str, list[str]], names: dict[str, str], sample: int, threshold: float = 0.1
) -> dict[str, list[str]]:
    """Per column: the most frequent Presidio entity among sampled values (column name as context, like
    ``analyze_dict``), flagged when it covers >= threshold of the values (same rule as glueforge)."""
    predicted: dict[str, list[str]] = {}
    for column, values in columns.items():
        hits: dict[str, int] = defaultdict(int)
        chosen = values[:sample]
        for value in chosen:
            for entity in presidio_entities(value, context=[names[column]]):
                hits[entity] += 1
        best = max(hits.items(), key=lambda kv: kv[1], default=(None, 0))
        predicted[column] = [best[0]] if best[0] and best[1] >= threshold * len(chosen) else []
    return predicted


# --- speed -------------------------------------------------------------------------------------------------

SPEED_COLUMNS = ["ssn", "credit_card", "email", "phone_us", "ipv4", "order_id", "amount"]


def build_speed(seed: int, rows: int) -> list[tuple[str, ...]]:
    """``rows`` rows of the speed columns + a free-text ``notes`` column, every value distinct within its column.

    Cycling the accuracy rows would repeat each value many times, which flatters any per-value memo or dedup;
    here no value repeats, so every cell costs a real scan.
    """
    fake = Faker("en_US")
    fake.seed_instance(seed + 1000)  # not the accuracy data's stream
    rng = random.Random(seed + 1000)
    pii, decoys = generators(fake, rng)
    draws: dict[str, Callable[[], str]] = {name: pii[name][1] for name in SPEED_COLUMNS if name in pii}
    draws.update({name: decoys[name] for name in SPEED_COLUMNS if name in decoys})

    def note() -> str:
        parts = []
        for _ in range(rng.randrange(1, 3)):
            if rng.random() < 0.6:
                template, _entity, source = rng.choice(TEMPLATES)
                parts.append(template.format(v=pii[source][1]()))
            else:
                template, source = rng.choice(DECOY_TEMPLATES)
                parts.append(template.format(v=decoys[source]()))
        return " ".join(parts)

    draws["notes"] = note
    columns: dict[str, list[str]] = {}
    for name, draw in draws.items():
        seen: set[str] = set()
        values: list[str] = []
        while len(values) < rows:
            value = str(draw())
            for attempt in range(50):  # a repeat (Faker's name lists make e-mails collide): draw again
                if value not in seen:
                    break
                value = str(draw()) if attempt < 49 else f"{value}{len(values)}"
            seen.add(value)
            values.append(value)
        columns[name] = values
    return list(zip(*columns.values(), strict=True))


def cycled(columns: dict[str, list[str]], notes: list[tuple[str, set[str]]], rows: int) -> list[tuple[str, ...]]:
    """The older speed data: the accuracy rows repeated (each value ``rows / len(accuracy rows)`` times)."""
    return [
        (*tuple(columns[c][i % len(columns[c])] for c in SPEED_COLUMNS), notes[i % len(notes)][0]) for i in range(rows)
    ]


def interleaved(variants: dict[str, tuple[str, Callable[[], None]]], rows: int, repeat: int) -> dict[str, float]:
    """Rows/s per variant: the median of ``repeat`` timings, the variants taking turns in every round so that a
    change of load on the shared machine hits all of them alike."""
    seconds: dict[str, list[float]] = {key: [] for key in variants}
    for _ in range(repeat):
        for key, (_label, action) in variants.items():
            started = time.perf_counter()
            action()
            seconds[key].append(time.perf_counter() - started)
    rates = {}
    for key, (label, _action) in variants.items():
        median = statistics.median(seconds[key])
        spread = ", ".join(f"{s:.2f}" for s in seconds[key])
        print(f"  {label:44} {rows:>8} rows {median:7.2f}s {rows / median:>10.0f} rows/s  (median of {spread})")
        rates[key] = rows / median
    return rates


def timed(label: str, action: Callable[[], None], rows: int) -> float:
    started = time.perf_counter()
    action()
    seconds = time.perf_counter() - started
    print(f"  {label:44} {rows:>8} rows {seconds:7.2f}s {rows / seconds:>10.0f} rows/s")
    return rows / seconds


PLAIN_REGEXES = [
    r"[0-9]{3}-[0-9]{2}-[0-9]{4}",
    r"[0-9]{4}[ -]?[0-9]{4}[ -]?[0-9]{4}[ -]?[0-9]{4}",
    r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}",
]


def speed(
    spark: Any, datasets: dict[str, list[tuple[str, ...]]], presidio_rows: int, repeat: int = 3
) -> dict[str, dict[str, float]]:
    """Per dataset: plain regexp_replace, glueforge column and cell mode (same frame, same run); Presidio on the
    first dataset only (it is ~100x slower and does not memoise)."""
    from pyspark.sql import functions as F

    from transforms.detect_pii import apply

    schema = ", ".join(f"{c} string" for c in [*SPEED_COLUMNS, "notes"])
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as folder:
        for index, (label, rows) in enumerate(datasets.items()):
            path = str(Path(folder) / f"speed_{label}.parquet")
            spark.createDataFrame(rows, schema).repartition(2).write.parquet(path)
            frame = spark.read.parquet(path)

            def plain(frame: Any = frame) -> None:
                out = frame
                for column in out.columns:
                    expression = F.col(column)
                    for regex in PLAIN_REGEXES:
                        expression = F.regexp_replace(expression, regex, "***")
                    out = out.withColumn(column, expression)
                out.write.format("noop").mode("overwrite").save()

            def gf(mode: str, frame: Any = frame) -> Callable[[], None]:
                return lambda: (
                    apply(frame, detectionMode=mode, action="REDACT", sampleFraction=0.1)
                    .write.format("noop")
                    .mode("overwrite")
                    .save()
                )

            plain()  # warm-up (JIT, Python workers)
            gf("cell")()
            print(
                f"throughput, {label} data (local[2], {len(rows)} rows x 8 string columns, parquet -> mask -> noop; "
                f"median of {repeat}, variants interleaved):"
            )
            variants: dict[str, tuple[str, Callable[[], None]]] = {
                "spark_regexp_replace": ("plain Spark regexp_replace (3 regexes)", plain),
                "glueforge_column": ("glueforge column mode (sample 0.1) REDACT", gf("column")),
                "glueforge_cell": ("glueforge cell mode REDACT", gf("cell")),
            }
            results[label] = interleaved(variants, len(rows), repeat)
            if index == 0 and presidio_rows:
                small = frame.limit(presidio_rows).cache()
                small.count()
                _presidio_spark(small.limit(20))  # warm-up: engines built once per Python worker
                results[label]["presidio_spark"] = timed(
                    "Presidio regex-only in pandas_udf", partial(_presidio_spark, small), presidio_rows
                )
                small.unpersist()
    return results


def _presidio_spark(frame: Any) -> None:
    from pyspark.sql.functions import pandas_udf

    @pandas_udf("string")  # type: ignore[call-overload]
    def anonymise(values: pd.Series) -> pd.Series:
        def one(text: str | None) -> str | None:
            if text is None:
                return None
            found = presidio().analyze(text=text, language="en", score_threshold=0.4)
            for result in sorted(found, key=lambda r: -r.start):
                text = text[: result.start] + "***" + text[result.end :]
            return text

        return values.map(one)

    out = frame
    for column in frame.columns:
        out = out.withColumn(column, anonymise(column))
    out.write.format("noop").mode("overwrite").save()


# --- main --------------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--rows", type=int, default=1000, help="rows per accuracy table")
    parser.add_argument("--presidio-sample", type=int, default=200, help="values per column Presidio classifies")
    parser.add_argument("--speed-rows", type=int, default=20000)
    parser.add_argument("--presidio-rows", type=int, default=1000)
    parser.add_argument("--speed-only", action="store_true", help="skip the accuracy part")
    parser.add_argument("--unique-only", action="store_true", help="time only the non-repeating speed data")
    parser.add_argument("--repeat", type=int, default=3, help="timings per variant (median reported)")
    args = parser.parse_args()
    # Presidio's email recognizer calls tldextract, which tries to fetch the Public Suffix List; offline it falls
    # back to its bundled copy. (Setting TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS="" instead leaves it with NO list, and
    # then Presidio rejects every e-mail address: unfair to Presidio, so the default is kept.)

    from glueforge.session import get_spark
    from glueforge.settings import load_settings

    started = time.perf_counter()
    columns, truth, notes = build(args.seed, args.rows)
    spark = get_spark(load_settings(warehouse=Path(tempfile.mkdtemp()) / "wh"))
    print(
        f"seed {args.seed}; {args.rows} rows; {sum(e is not None for e in truth.values())} PII columns, "
        f"{sum(e is None for e in truth.values())} decoy columns; data built in {time.perf_counter() - started:.1f}s"
    )

    with_presidio = presidio_installed()
    if not with_presidio:
        print("presidio-analyzer is not installed: Presidio columns and timings left out (n/a)")
        args.presidio_rows = 0
    unscored: dict[str, Any] = {"per_entity": {}, "decoy_fp_rate": float("nan"), "decoys_flagged": "n/a"}
    for condition in () if args.speed_only else ("honest", "neutral", "misleading"):
        names = renamed(columns, condition)
        ours = column_scores(truth, glueforge_columns(spark, columns, names))
        theirs = (
            column_scores(truth, presidio_columns(columns, names, args.presidio_sample)) if with_presidio else unscored
        )
        print(f"\ncolumn level, {condition} names: entity  glueforge P/R/F1  |  Presidio P/R/F1")
        for entity in sorted(set(ours["per_entity"]) | set(theirs["per_entity"])):
            a = ours["per_entity"].get(entity, (1.0, 1.0, 1.0))
            b = theirs["per_entity"].get(entity, (1.0, 1.0, 1.0) if with_presidio else (float("nan"),) * 3)
            print(f"  {entity:38} {a[0]:.2f}/{a[1]:.2f}/{a[2]:.2f}  |  {b[0]:.2f}/{b[1]:.2f}/{b[2]:.2f}")
        print(
            f"  decoy columns flagged: glueforge {ours['decoy_fp_rate']:.2f} {ours['decoys_flagged']}  |  "
            f"Presidio {theirs['decoy_fp_rate']:.2f} {theirs['decoys_flagged']}"
        )

    if not args.speed_only:
        accuracy_cells(columns, truth, notes, args.presidio_sample if with_presidio else 0)
    datasets = {
        "unique": build_speed(args.seed, args.speed_rows),
        "repeated": cycled(columns, notes, args.speed_rows),
    }
    if args.unique_only:
        del datasets["repeated"]
    print(f"load average before the speed part: {os.getloadavg()}")
    results = speed(spark, datasets, args.presidio_rows, args.repeat)
    print(f"load average after the speed part: {os.getloadavg()}")
    for label, measured in results.items():
        ratios(label, measured, results[next(iter(results))].get("presidio_spark"))
    print(f"total {time.perf_counter() - started:.0f}s")


def accuracy_cells(
    columns: dict[str, list[str]], truth: dict[str, str | None], notes: list[tuple[str, set[str]]], presidio_sample: int
) -> None:
    all_entities = list(REGISTRY.values())
    scanner = ColumnScanner("notes", all_entities, "cell")
    ours_cells = [(entities, {s.entity for s in scanner.find(text)}) for text, entities in notes]
    theirs_cells = [(entities, presidio_entities(text)) for text, entities in notes[: presidio_sample * 2]]
    print("\ncell level, free-text column (cell contains entity): glueforge P/R/F1 | Presidio P/R/F1")
    ours_scores, theirs_scores = cell_scores(ours_cells), cell_scores(theirs_cells) if theirs_cells else {}
    for entity in sorted(set(ours_scores) | set(theirs_scores)):
        a = ours_scores.get(entity, (float("nan"),) * 3)
        b = theirs_scores.get(entity, (float("nan"),) * 3)
        print(f"  {entity:38} {a[0]:.2f}/{a[1]:.2f}/{a[2]:.2f}  |  {b[0]:.2f}/{b[1]:.2f}/{b[2]:.2f}")
    structured = []
    for column, values in columns.items():
        column_scanner = ColumnScanner(column, all_entities, "cell")
        label = truth[column]
        expected = {label} if label else set()
        structured += [(expected, {s.entity for s in column_scanner.find(value)}) for value in values[:200]]
    print(f"  structured cells, honest names (glueforge): micro F1 {cell_scores(structured)['ALL (micro)'][2]:.3f}")


def ratios(label: str, results: dict[str, float], presidio: float | None) -> None:
    line = (
        f"ratios ({label} data): glueforge column / plain regex "
        f"{results['glueforge_column'] / results['spark_regexp_replace']:.2f}x, glueforge cell / plain regex "
        f"{results['glueforge_cell'] / results['spark_regexp_replace']:.2f}x"
    )
    if presidio:
        line += (
            f", glueforge cell / Presidio {results['glueforge_cell'] / presidio:.1f}x, "
            f"glueforge column / Presidio {results['glueforge_column'] / presidio:.1f}x"
        )
    print(line)


if __name__ == "__main__":
    main()
