"""Spark side of detection: which columns to scan, the sampled column classification, cell-level masking.

Hot path: the JVM evaluates each column's cheap prefilter regex (``rlike``, see ``prefilter``); only candidate
cells reach Python, in Arrow batches (collected sample in column mode, a pandas UDF in cell mode), and Python
scans each distinct value once (a per-worker memo in cell mode, a ``Counter`` over the sample in column mode),
a batch at a time (``ColumnScanner.find_many``: the gates run in pyarrow's RE2, Python validates only the
candidates that pass). There is no per-row UDF over non-candidates and no network call.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from glueforge.errors import NotFoundError
from transforms.detect_pii.actions import ActionPlan, mask_value
from transforms.detect_pii.entities.base import EntityDef
from transforms.detect_pii.scanner import ColumnScanner, EntityFinding, Span, classify_column

if TYPE_CHECKING:
    from pyspark.sql import Column, DataFrame
    from pyspark.sql.types import StructType

MAX_SAMPLE_ROWS = 10_000
MIN_SAMPLE_ROWS = 200  # below this the sample says little: read the first MAX_SAMPLE_ROWS rows instead
SAMPLE_SEED = 20260101
SCANNABLE_TYPES = ("string", "varchar", "char", "bigint", "int", "smallint", "tinyint")


@dataclass
class ColumnScan:
    """What column mode learnt about one column."""

    name: str
    data_type: str
    scanned: bool
    sample_count: int
    findings: list[EntityFinding]

    @property
    def entities(self) -> list[str]:
        return [f.entity for f in self.findings if f.flagged]


def scannable(data_type: str) -> bool:
    simple = data_type.split("(")[0]
    return simple in SCANNABLE_TYPES or (simple == "decimal" and data_type.endswith(",0)"))


def select_columns(df: DataFrame, include: list[str], exclude: list[str]) -> list[str]:
    """Columns to scan: the included ones (default all) minus excluded, of a type that can hold PII text."""
    types = dict(df.dtypes)
    for name in [*include, *exclude]:
        if name not in types:
            raise NotFoundError(f"column {name!r} does not exist (columns: {', '.join(types)})", where="detect_pii")
    chosen = include or list(types)
    return [c for c in chosen if c not in exclude and scannable(types[c])]


def scan_columns(
    df: DataFrame,
    columns: list[str],
    entities: list[EntityDef],
    sample_fraction: float,
    threshold: float,
) -> dict[str, ColumnScan]:
    """Classify every column from a sample (one Spark job; JVM prefilter; Python validation on candidates)."""
    from pyspark.sql import functions as F

    types = dict(df.dtypes)
    scanners = {c: ColumnScanner(c, entities, "column") for c in columns}
    selected = [c for c in columns if scanners[c].active]
    result = {c: ColumnScan(c, t, c in columns, 0, []) for c, t in types.items()}
    if not selected:
        return result
    expressions = []
    for name in selected:
        text = F.col(_quoted(name)).cast("string")
        regex = scanners[name].jvm_regex()
        # null: no value; "": a value without any candidate; else the candidate value itself
        expressions.append(
            F.when(text.isNull() | (F.trim(text) == ""), F.lit(None))
            .when(text.rlike(regex or "(?!)"), text)
            .otherwise(F.lit(""))
            .alias(name)
        )
    rows = _sample_rows(df, expressions, sample_fraction)
    for index, name in enumerate(selected):
        values = [row[index] for row in rows if row[index] is not None]
        candidates = [v for v in values if v != ""]
        result[name].sample_count = len(values)
        result[name].findings = classify_column(scanners[name], candidates, len(values), threshold)
    return result


def _sample_rows(df: DataFrame, expressions: list[Column], fraction: float) -> list[Any]:
    if fraction >= 1.0:
        return list(df.select(*expressions).limit(MAX_SAMPLE_ROWS).collect())
    rows = df.sample(withReplacement=False, fraction=fraction, seed=SAMPLE_SEED).select(*expressions)
    collected = list(rows.limit(MAX_SAMPLE_ROWS).collect())
    if len(collected) < MIN_SAMPLE_ROWS:  # small table: the whole head is cheap and far more telling
        collected = list(df.select(*expressions).limit(MAX_SAMPLE_ROWS).collect())
    return collected


def _quoted(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


# --- cell mode --------------------------------------------------------------------------------------------


def _cell_result_type() -> StructType:
    """``struct<changed:boolean,value:string,found:string>``, built without a running Spark (unit tests)."""
    from pyspark.sql.types import BooleanType, StringType, StructField, StructType

    return StructType(
        [StructField("changed", BooleanType()), StructField("value", StringType()), StructField("found", StringType())]
    )


CellOutcome = tuple[bool, str | None, str | None]  # (changed, masked text, JSON findings)
MEMO_MAX_CHARS = 4096
MEMO_MAX_ENTRIES = 50_000


# Masking-only results travel as one string, not a struct (Arrow struct results cost about as much again as
# the whole plain-regex baseline): None = the cell stays as it is, NULLIFIED = the cell becomes null,
# CHANGED + text = the masked text.
NULLIFIED = "N"
CHANGED = "V"


def cell_masker(
    scanner: ColumnScanner, plan: ActionPlan, key: bytes | None, *, with_findings: bool = True
) -> Callable[[Column], Column]:
    """A pandas UDF over candidate cells. ``with_findings``: a struct of (changed, masked text, JSON list of
    findings); without: the masked text only, encoded as above (``mask_cells`` turns it back into the cell).
    """
    from pyspark.sql.functions import pandas_udf
    from pyspark.sql.types import StringType

    column = scanner.column
    specs = {e.name: plan.spec_for(column, e.name) for e in scanner.entities}
    nothing: CellOutcome = (False, None, None)

    def outcome(text: str, spans: list[Span]) -> CellOutcome:
        if not spans:
            return nothing
        pieces: list[str] = []
        cursor = 0
        nullify = changed = False
        for span in spans:
            spec = specs[span.entity]
            changed = changed or spec.action != "DETECT"
            replacement = mask_value(text[span.start : span.end], spec, key)
            nullify = nullify or (replacement is None)
            pieces.append(text[cursor : span.start])
            pieces.append(replacement if replacement is not None else "")
            cursor = span.end
        pieces.append(text[cursor:])
        findings = None
        if with_findings:
            found = [
                {"entityType": s.entity, "start": s.start, "end": s.end, "actionUsed": specs[s.entity].action}
                for s in spans
            ]
            findings = json.dumps(found, separators=(",", ":"))
        return changed, (None if nullify else "".join(pieces)), findings

    # Same text, same result (every action is deterministic): each distinct cell is scanned once per Python
    # worker, however often it repeats (codes, e-mails, templated text). Bounded, and only short cells.
    memo: dict[str, CellOutcome] = {}

    def outcomes(values: pd.Series) -> list[CellOutcome]:
        """One outcome per cell; the distinct cells not in the memo are scanned together (``find_many``)."""
        cells: list[str | None] = values.tolist()
        fresh = list(dict.fromkeys(c for c in cells if c is not None and c not in memo))
        scanned = dict(zip(fresh, map(outcome, fresh, scanner.find_many(fresh)), strict=True))
        result = [nothing if c is None else scanned[c] if c in scanned else memo[c] for c in cells]
        if len(memo) + len(scanned) > MEMO_MAX_ENTRIES:
            memo.clear()
        memo.update((c, o) for c, o in scanned.items() if len(c) <= MEMO_MAX_CHARS)
        return result

    if with_findings:

        @pandas_udf(_cell_result_type())  # type: ignore[call-overload]
        def masker(values: pd.Series) -> pd.DataFrame:
            return pd.DataFrame(outcomes(values), columns=["changed", "value", "found"])

        return masker

    def encoded(cell: CellOutcome) -> str | None:
        changed, value, _found = cell
        if not changed:
            return None
        return NULLIFIED if value is None else CHANGED + value

    @pandas_udf(StringType())  # type: ignore[call-overload]  # a type object: no Spark needed to build it
    def masked_only(values: pd.Series) -> pd.Series:
        return pd.Series([encoded(cell) for cell in outcomes(values)], dtype=object)

    return masked_only


TEMP_PREFIX = "__detect_pii_"


def mask_cells(
    df: DataFrame,
    columns: list[str],
    entities: list[EntityDef],
    plan: ActionPlan,
    key: bytes | None,
    *,
    with_findings: bool = True,
) -> tuple[DataFrame, list[Column]]:
    """Cell mode over every row of string ``columns``: prefilter in the JVM, spans masked in Arrow batches.

    Returns the frame (with ``TEMP_PREFIX`` helper columns the caller drops) and the per-column JSON
    fragments of the result column (``with_findings=False``: no result column is wanted, skip building it).
    """
    from pyspark.sql import functions as F

    # One projection adds every column's UDF result, a second one replaces the columns: a withColumn per
    # column re-analyses the growing plan each time (about a second of driver time for 8 columns).
    results: list[Column] = []
    replaced: dict[str, Column] = {}
    parts: list[Column] = []
    for index, name in enumerate(columns):
        scanner = ColumnScanner(name, entities, "cell")
        regex = scanner.jvm_regex()
        if regex is None:
            continue
        text = F.col(_quoted(name))
        result = f"{TEMP_PREFIX}{index}"
        masker = cell_masker(scanner, plan, key, with_findings=with_findings)
        results.append(masker(F.when(text.rlike(regex), text)).alias(result))
        if not with_findings:
            replaced[name] = F.expr(
                f"CASE WHEN {result} IS NULL THEN {_quoted(name)} WHEN {result} = '{NULLIFIED}' THEN NULL "
                f"ELSE substring({result}, 2) END"
            )
            continue
        if _any_change(plan):
            changed = F.coalesce(F.col(f"{result}.changed"), F.lit(False))
            replaced[name] = F.when(changed, F.col(f"{result}.value")).otherwise(text)
        found = F.col(f"{result}.found")
        parts.append(F.when(found.isNotNull(), F.concat(F.lit(json.dumps(name) + ":"), found)))
    if not results:
        return df, parts
    frame = df.select("*", *results)
    kept = [replaced[c].alias(c) if c in replaced else F.col(_quoted(c)) for c in df.columns]
    # the findings path still reads the struct results (the caller builds the result column, then drops them)
    temps = [F.col(name) for name in frame.columns[len(df.columns) :]] if with_findings else []
    frame = frame.select(*kept, *temps)
    return frame, parts


def _any_change(plan: ActionPlan) -> bool:
    return plan.default.action != "DETECT" or any(r.action != "DETECT" for rs in plan.rules.values() for r in rs)


def result_json(parts: list[Column]) -> Column:
    """``{"col": [{"entityType": ..., "start": .., "end": .., "actionUsed": ..}], ...}`` built in the JVM."""
    from pyspark.sql import functions as F

    if not parts:
        return F.lit("{}")
    return F.concat(F.lit("{"), F.concat_ws(",", *parts), F.lit("}"))


def is_text(data_type: str) -> bool:
    return data_type.split("(")[0] in ("string", "varchar", "char")
