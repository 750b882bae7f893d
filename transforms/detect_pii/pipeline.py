"""``detect_pii`` end to end: options -> entities -> scan -> mask -> report (one call, fails closed)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from transforms.detect_pii import entities as registry
from transforms.detect_pii.actions import ActionPlan, load_hmac_key, mask_column
from transforms.detect_pii.detect import (
    TEMP_PREFIX,
    ColumnScan,
    is_text,
    mask_cells,
    result_json,
    scan_columns,
    select_columns,
)
from transforms.detect_pii.entities.base import EntityDef
from transforms.detect_pii.options import PiiOptions, parse_options
from transforms.detect_pii.report import PiiReport, build_report

if TYPE_CHECKING:
    from pyspark.sql import Column, DataFrame


@dataclass
class PiiResult:
    frame: DataFrame
    report: PiiReport
    options: PiiOptions


def chosen_entities(options: PiiOptions) -> list[EntityDef]:
    custom = [registry.custom_entity(c.name, c.regex, c.context_words) for c in options.custom_entities]
    names = list(options.entity_types)
    if not names and options.detection_parameters:  # as in Glue: the per-entity keys are the selection
        names = [k for k in options.detection_parameters if k != "*"]
    return registry.resolve(names, custom)


def run(df: DataFrame, *, table: str = "dataframe", secrets_client: Any = None, **params: Any) -> PiiResult:
    """Scan ``df`` and apply the actions; the returned frame is lazy in cell mode, the scan is eager."""
    masked = _masked(df, params, secrets_client, scan_text_in_cell_mode=True)
    options = masked.options
    report = build_report(
        table,
        masked.scans,
        masked.actions,
        mode=options.mode,
        action=options.action,
        sample_fraction=options.sample_fraction,
        threshold=options.threshold,
        cell_entities=masked.cell_entities if options.mode == "cell" else None,
    )
    return PiiResult(masked.frame, report, options)


def masked_frame(df: DataFrame, *, secrets_client: Any = None, **params: Any) -> DataFrame:
    """``run(...).frame`` without the report. In cell mode the sample scan of the text columns only feeds the
    report (every cell is scanned by the masking itself), so it is skipped: a second of driver work at 200,000
    rows that the Glue node, which returns only the frame, would throw away."""
    return _masked(df, params, secrets_client, scan_text_in_cell_mode=False).frame


@dataclass
class _Masked:
    frame: DataFrame
    options: PiiOptions
    scans: dict[str, ColumnScan]
    actions: dict[str, str]  # column -> action(s) taken
    cell_entities: dict[str, list[str]]  # column -> entities found (cell mode)


def _masked(df: DataFrame, params: dict[str, Any], secrets_client: Any, *, scan_text_in_cell_mode: bool) -> _Masked:
    from pyspark.sql import functions as F

    options = parse_options(params)
    entities = chosen_entities(options)
    plan = ActionPlan(options)
    columns = select_columns(df, options.include_columns, options.exclude_columns)
    if options.output_column_name in df.columns and options.action == "DETECT":
        options.output_column_name = _free_name(options.output_column_name, df.columns)
    key = None
    if plan.needs_key([e.name for e in entities]):
        key = load_hmac_key(options.hmac_key_env_var, options.hmac_secret_id, secrets_client=secrets_client)

    types = dict(df.dtypes)
    # Cell mode works on text; numbers (bigint SSNs, card numbers) are whole values: masked per column.
    cell_columns = [c for c in columns if is_text(types[c])] if options.mode == "cell" else []
    scanned = columns if scan_text_in_cell_mode else [c for c in columns if c not in cell_columns]
    scans = scan_columns(df, scanned, entities, options.sample_fraction, options.threshold)
    frame = df
    parts: list[Column] = []
    if cell_columns:
        frame, parts = mask_cells(df, cell_columns, entities, plan, key, with_findings=options.action == "DETECT")
    actions: dict[str, str] = {}
    cell_entities: dict[str, list[str]] = {}
    for name, scan in scans.items():
        if name in cell_columns:
            cell_entities[name] = [f.entity for f in scan.findings if f.strong_matches > 0]
            if cell_entities[name]:
                actions[name] = "/".join(sorted({plan.spec_for(name, e).action for e in cell_entities[name]}))
            continue
        cell_entities[name] = scan.entities
        if not scan.entities:
            continue
        spec = plan.spec_for_column(name, scan.entities)
        actions[name] = spec.action
        column = F.col("`" + name.replace("`", "``") + "`")
        if spec.action != "DETECT":
            frame = frame.withColumn(name, mask_column(column, spec, key, types[name]))
        found = json.dumps([{"entityType": e, "actionUsed": spec.action} for e in scan.entities], separators=(",", ":"))
        parts.append(F.when(column.isNotNull(), F.lit(f"{json.dumps(name)}:{found}")))
    if options.action == "DETECT":
        frame = frame.withColumn(options.output_column_name, result_json(parts))
    frame = frame.drop(*[c for c in frame.columns if c.startswith(TEMP_PREFIX)])
    return _Masked(frame, options, scans, actions, cell_entities)


def _free_name(name: str, taken: list[str]) -> str:
    index = 1
    while f"{name}_{index}" in taken:
        index += 1
    return f"{name}_{index}"
