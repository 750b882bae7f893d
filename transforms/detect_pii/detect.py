"""Spark side of detection: which columns to scan, the sampled column classification, cell-level masking.

Hot path: cells reach Python in Arrow batches (the collected sample in column mode; in cell mode one
``mapInArrow`` over the rows for masking actions, pandas UDFs behind the JVM prefilter regex, ``rlike``, for
``DETECT``), and Python scans each distinct value once (Arrow's dictionary encoding of a ``mapInArrow`` batch,
a per-worker memo in the UDFs, a ``Counter`` over the sample in column mode), a batch at a time
(``ColumnScanner.scan``: the gates run in pyarrow's RE2, whole-cell matches are accepted for the batch at once
and masked as array operations, Python runs patterns only on the rest). There is no per-row UDF and no network
call.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from glueforge.errors import NotFoundError
from transforms.detect_pii.actions import ActionPlan, mask_value
from transforms.detect_pii.entities.base import EntityDef
from transforms.detect_pii.scanner import ColumnScanner, EntityFinding, Span, classify_column, gc_paused

if TYPE_CHECKING:
    import pyarrow as pa
    from pyspark.sql import Column, DataFrame
    from pyspark.sql.types import StructType

MAX_SAMPLE_ROWS = 10_000
MIN_SAMPLE_ROWS = 200  # below this the sample says little: read the first MAX_SAMPLE_ROWS rows instead
SAMPLE_SEED = 20260101
LIMIT_FIRST_ROUND_CONF = "spark.sql.limit.initialNumPartitions"  # Spark >= 3.4; older versions ignore it
LIMIT_FIRST_ROUND_MAX = 8
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
    # Rows are tuples: columns by zip, not by ~10^5 ``Row.__getitem__`` calls (0.1 s for 10,000 rows x 8)
    by_column = list(zip(*rows, strict=True)) if rows else [() for _ in selected]
    for index, name in enumerate(selected):
        values = [value for value in by_column[index] if value is not None]
        candidates = [v for v in values if v != ""]
        result[name].sample_count = len(values)
        result[name].findings = classify_column(scanners[name], candidates, len(values), threshold)
    return result


def _sample_rows(df: DataFrame, expressions: list[Column], fraction: float) -> list[Any]:
    if fraction >= 1.0:
        return _head(df.select(*expressions))
    collected = _head(df.sample(withReplacement=False, fraction=fraction, seed=SAMPLE_SEED).select(*expressions))
    if len(collected) < MIN_SAMPLE_ROWS:  # small table: the whole head is cheap and far more telling
        collected = _head(df.select(*expressions))
    return collected


def _head(frame: DataFrame) -> list[Any]:
    """``frame.limit(MAX_SAMPLE_ROWS).collect()`` with a first round of tasks on every core.

    Spark's ``limit`` runs one task on the first partition, then another job on the next ones if that fell short
    (a 0.1 sample of 2 partitions of 100,000 rows has 9,905 rows in the first: two single-core jobs in a row).
    Starting on one partition per core reads them at once, and the rows are the same: the first
    ``MAX_SAMPLE_ROWS`` in partition order, each task stopping at that many. At most ``LIMIT_FIRST_ROUND_MAX``
    partitions, as each task of the round may ship that many rows to the driver. The setting is the session's
    for the duration of the call: a query run meanwhile in another thread only starts its ``limit`` wider.
    """
    session = frame.sparkSession
    previous = session.conf.get(LIMIT_FIRST_ROUND_CONF, None)
    first_round = min(session.sparkContext.defaultParallelism, LIMIT_FIRST_ROUND_MAX)
    session.conf.set(LIMIT_FIRST_ROUND_CONF, str(max(first_round, int(previous or 1))))
    try:
        return list(frame.limit(MAX_SAMPLE_ROWS).collect())
    finally:
        if previous is None:
            session.conf.unset(LIMIT_FIRST_ROUND_CONF)
        else:
            session.conf.set(LIMIT_FIRST_ROUND_CONF, previous)


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
MEMO_MIN_REPEAT = 0.9  # a batch with fewer distinct values than this share of its cells starts the memo


# Masking-only results travel as one string, not a struct (Arrow struct results cost about as much again as
# the whole plain-regex baseline): None = the cell stays as it is, NULLIFIED = the cell becomes null,
# CHANGED + text = the masked text.
NULLIFIED = "N"
CHANGED = "V"


class CellMasking:
    """What the actions make of one cell's spans: ``outcome`` (with findings) or ``encoded`` (masked text only,
    encoded as above)."""

    def __init__(self, scanner: ColumnScanner, plan: ActionPlan, key: bytes | None, *, with_findings: bool) -> None:
        column = scanner.column
        self.specs = {e.name: plan.spec_for(column, e.name) for e in scanner.entities}
        self.key = key
        self.with_findings = with_findings
        # what a cell that is one whole span becomes, for actions whose result does not depend on the value
        # (REDACT: the text, NULLIFY: None)
        self.constants = {
            name: spec.options.redact_text if spec.action == "REDACT" else None
            for name, spec in self.specs.items()
            if spec.action in ("REDACT", "NULLIFY")
        }

    def findings_json(self, spans: list[Span]) -> str | None:
        if not self.with_findings:
            return None
        found = [
            {"entityType": s.entity, "start": s.start, "end": s.end, "actionUsed": self.specs[s.entity].action}
            for s in spans
        ]
        return json.dumps(found, separators=(",", ":"))

    def outcome(self, text: str, spans: list[Span]) -> CellOutcome:
        if not spans:
            return (False, None, None)
        specs, key = self.specs, self.key
        if len(spans) == 1:  # most cells: one span, often the whole cell
            span = spans[0]
            spec = specs[span.entity]
            replacement = mask_value(text[span.start : span.end], spec, key)
            if replacement is not None and (span.start or span.end != len(text)):
                replacement = text[: span.start] + replacement + text[span.end :]
            return spec.action != "DETECT", replacement, self.findings_json(spans)
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
        return changed, (None if nullify else "".join(pieces)), self.findings_json(spans)

    def encoded(self, text: str, spans: list[Span]) -> str | None:
        if not spans:
            return None
        if len(spans) == 1 and spans[0].start == 0 and spans[0].end == len(text) and spans[0].entity in self.constants:
            constant = self.constants[spans[0].entity]
            return NULLIFIED if constant is None else CHANGED + constant
        changed, value, _found = self.outcome(text, spans)
        if not changed:
            return None
        return NULLIFIED if value is None else CHANGED + value


def cell_results(
    scanner: ColumnScanner, plan: ActionPlan, key: bytes | None, *, with_findings: bool
) -> Callable[[list[str | None]], list[Any]]:
    """One result per cell of a batch: ``with_findings``, a ``CellOutcome``; without, the masked text only,
    encoded as above (None / ``NULLIFIED`` / ``CHANGED`` + text)."""
    masking = CellMasking(scanner, plan, key, with_findings=with_findings)
    # Same text, same result (every action is deterministic): each distinct cell is scanned once per Python
    # worker, however often it repeats (codes, e-mails, templated text). Bounded, and only short cells.
    finish: Callable[[str, list[Span]], Any] = masking.outcome if with_findings else masking.encoded
    empty = (False, None, None) if with_findings else None
    memo: dict[str, Any] = {}

    def results(cells: list[str | None]) -> list[Any]:
        """The distinct cells not in the memo are scanned together (``find_many``)."""
        with gc_paused():
            fresh = list(dict.fromkeys(c for c in cells if c is not None and c not in memo))
            seen = len(cells) - cells.count(None)
            if not memo and len(fresh) == seen:  # all distinct (high-cardinality data): no lookups at all
                spans = scanner.find_many(cells)
                return [finish(c, s) if s and c is not None else empty for c, s in zip(cells, spans, strict=True)]
            scanned = dict(zip(fresh, map(finish, fresh, scanner.find_many(fresh)), strict=True))
            result = [empty if c is None else scanned[c] if c in scanned else memo[c] for c in cells]
            # remember only when values repeat (within the batch or from earlier ones): storing tens of
            # thousands of never-repeated values costs ~1 µs each
            if len(fresh) < seen * MEMO_MIN_REPEAT or len(memo) > 0:
                if len(memo) + len(scanned) > MEMO_MAX_ENTRIES:
                    memo.clear()
                memo.update((c, o) for c, o in scanned.items() if len(c) <= MEMO_MAX_CHARS)
            return result

    return results


def cell_masker(
    scanner: ColumnScanner, plan: ActionPlan, key: bytes | None, *, with_findings: bool = True
) -> Callable[[Column], Column]:
    """A pandas UDF over candidate cells. ``with_findings``: a struct of (changed, masked text, JSON list of
    findings); without: the masked text only, encoded as above (``mask_cells`` turns it back into the cell).
    """
    from pyspark.sql.functions import pandas_udf
    from pyspark.sql.types import StringType

    results = cell_results(scanner, plan, key, with_findings=with_findings)
    if with_findings:

        @pandas_udf(_cell_result_type())  # type: ignore[call-overload]
        def masker(values: pd.Series) -> pd.DataFrame:
            return pd.DataFrame(results(values.tolist()), columns=["changed", "value", "found"])

        return masker

    @pandas_udf(StringType())  # type: ignore[call-overload]  # a type object: no Spark needed to build it
    def masked_only(values: pd.Series) -> pd.Series:
        return pd.Series(results(values.tolist()), dtype=object)

    return masked_only


ArrowBatches = Iterable["pa.RecordBatch"]


def arrow_masker(
    scanners: dict[int, ColumnScanner], plan: ActionPlan, key: bytes | None
) -> Callable[[ArrowBatches], ArrowBatches]:
    """For ``DataFrame.mapInArrow``: each batch with the string columns at the positions of ``scanners``
    masked, every other column passed through as it came (the same masking as ``cell_masker`` without
    findings, without a pandas conversion or a JVM-side join of the results back onto the rows)."""
    maskings = {index: CellMasking(s, plan, key, with_findings=False) for index, s in scanners.items()}

    def mask_batches(batches: ArrowBatches) -> ArrowBatches:
        import pyarrow as pa

        for batch in batches:
            with gc_paused():
                columns = [
                    _masked_array(scanners[index], maskings[index], column) if index in scanners else column
                    for index, column in enumerate(batch.columns)
                ]
            yield pa.RecordBatch.from_arrays(columns, names=batch.schema.names)

    return mask_batches


def _masked_array(scanner: ColumnScanner, masking: CellMasking, column: pa.Array) -> pa.Array:
    """``column`` with every cell masked. Repeated values are scanned once (Arrow's dictionary encoding, in
    C++); a cell that is one whole span with a REDACT or NULLIFY result gets it as an array operation, without
    a Python string per cell."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    if column.type != pa.string():  # e.g. large_string: the scanner reads 32-bit offsets
        return _masked_array(scanner, masking, column.cast(pa.string())).cast(column.type)
    encoded = column.dictionary_encode()
    if len(encoded.dictionary) < (len(column) - column.null_count) * MEMO_MIN_REPEAT:
        return pc.take(_masked_array(scanner, masking, encoded.dictionary), encoded.indices)
    texts = column.to_pylist()
    found = scanner.scan(texts, column)
    constants: dict[str | None, list[int]] = {}  # REDACT text (None: NULLIFY) -> entry positions
    per_cell = dict(found.other)
    for position, name in enumerate(found.names):
        if name in masking.constants:
            constants.setdefault(masking.constants[name], []).append(position)
        else:  # an action that depends on the value (or DETECT): cell by cell
            for index in np.flatnonzero(found.whole == position).tolist():
                per_cell[index] = [found.whole_span(index)]
    rows: list[int] = []
    values: list[str | None] = []
    for index in sorted(per_cell):  # replace_with_mask takes the values in the order of the rows
        code = masking.encoded(texts[index], per_cell[index])
        if code is not None:
            rows.append(index)
            values.append(None if code == NULLIFIED else code[len(CHANGED) :])
    masked = column
    if rows:
        mask = np.zeros(len(column), bool)
        mask[rows] = True
        masked = pc.replace_with_mask(masked, pa.array(mask), pa.array(values, pa.string()))
    for constant, positions in constants.items():
        hit = np.isin(found.whole, positions)
        if hit.any():
            masked = pc.if_else(pa.array(hit), pa.scalar(constant, pa.string()), masked)
    return masked


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

    if not with_findings:
        arrow = _mask_in_arrow(df, columns, entities, plan, key)
        if arrow is not None:
            return arrow, []
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


def _mask_in_arrow(
    df: DataFrame, columns: list[str], entities: list[EntityDef], plan: ActionPlan, key: bytes | None
) -> DataFrame | None:
    """Masking only: one ``mapInArrow`` over the rows, the prefilter run on the Arrow batch in C++ (RE2, the
    gates of ``find_many``) instead of in the JVM. Measured on 20,000 rows x 8 string columns: the Arrow round
    trip of ``mapInArrow`` costs about half that of 8 pandas UDFs whose results the JVM joins back onto the
    buffered rows. ``None`` (use the UDFs) for duplicate column names or a type outside ``_passes_arrow``."""
    from pyspark.sql.types import StructField, StructType

    if len(set(df.columns)) != len(df.columns):
        return None  # duplicate names: the UDF path reports the ambiguity as before
    if not all(_passes_arrow(field.dataType) for field in df.schema.fields):
        return None
    wanted = set(columns)
    scanners = {
        index: scanner
        for index, name in enumerate(df.columns)
        if name in wanted and (scanner := ColumnScanner(name, entities, "cell")).active
    }
    if not scanners:
        return df
    # a masked cell may become null (NULLIFY): those columns are nullable in the result
    schema = StructType(
        [
            StructField(f.name, f.dataType, True if index in scanners else f.nullable, f.metadata)
            for index, f in enumerate(df.schema.fields)
        ]
    )
    return df.mapInArrow(arrow_masker(scanners, plan, key), schema)


def _passes_arrow(data_type: Any) -> bool:
    """Types that go through ``mapInArrow`` and come back unchanged (no user-defined types, intervals or
    nulls, whose Arrow support differs between Spark versions and sides)."""
    from pyspark.sql import types as T

    if isinstance(data_type, T.ArrayType):
        return _passes_arrow(data_type.elementType)
    if isinstance(data_type, T.MapType):
        return _passes_arrow(data_type.keyType) and _passes_arrow(data_type.valueType)
    if isinstance(data_type, T.StructType):
        return all(_passes_arrow(f.dataType) for f in data_type.fields)
    simple = (T.StringType, T.BinaryType, T.BooleanType, T.DateType, T.TimestampType, T.TimestampNTZType)
    numeric = (T.DecimalType, T.ByteType, T.ShortType, T.IntegerType, T.LongType, T.FloatType, T.DoubleType)
    return isinstance(data_type, (*simple, *numeric))


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
