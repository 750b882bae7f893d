"""Validate a Spark DataFrame against glueforge rules with great-expectations 1.x.

One ephemeral GX context per validation, a Spark datasource that REUSES the active session (never pass
``spark_config``: GX would restart the session and lose its Iceberg catalogs), optional Data Docs HTML and a
JSON result. Outcomes come back as plain dataclasses so callers never touch GX objects.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from glueforge.errors import InputError, NotFoundError
from glueforge.quality.expectations import to_expectation
from glueforge.quality.rules import Rule

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

_SAFE_NAME = re.compile(r"[^A-Za-z0-9_.-]+")


@dataclass(frozen=True)
class RuleOutcome:
    """How one rule fared. ``rule`` is the rule's text (its DQDL source, label or generated description)."""

    rule: str
    passed: bool
    message: str
    critical: bool = True
    expectation: str = ""
    observed: Any = None


@dataclass
class ValidationReport:
    """Result of one validation. ``passed`` is False when any critical rule failed."""

    suite: str
    outcomes: list[RuleOutcome]
    table: str | None = None
    docs_index: Path | None = None
    result_path: Path | None = None
    statistics: dict[str, Any] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return all(o.passed for o in self.outcomes if o.critical)

    @property
    def all_passed(self) -> bool:
        return all(o.passed for o in self.outcomes)

    @property
    def failed(self) -> list[RuleOutcome]:
        return [o for o in self.outcomes if not o.passed]

    def to_dict(self) -> dict[str, Any]:
        return {
            "suite": self.suite,
            "table": self.table,
            "passed": self.passed,
            "all_passed": self.all_passed,
            "statistics": self.statistics,
            "outcomes": [{**asdict(o), "observed": _jsonable(o.observed)} for o in self.outcomes],
            "data_docs": str(self.docs_index) if self.docs_index else None,
        }


def check_columns(df: DataFrame, rules: list[Rule], table: str | None = None) -> None:
    """Every column a rule names must exist: a clear NotFoundError instead of a GX metric failure."""
    available = set(df.columns)
    for rule in rules:
        missing = [c for c in rule.columns() if c not in available]
        if missing:
            raise NotFoundError(
                f"rule {rule.describe()!r} names unknown column(s) {', '.join(missing)}; "
                f"available: {', '.join(sorted(available))}",
                where=table or "dataframe",
            )


def validate_dataframe(
    df: DataFrame,
    rules: list[Rule],
    *,
    suite_name: str = "adhoc",
    table: str | None = None,
    build_dir: Path | None = None,
    now: datetime | None = None,
) -> ValidationReport:
    """Run ``rules`` on ``df``. With ``build_dir``: Data Docs under ``build_dir/data_docs`` and ``result.json``."""
    if not rules:
        raise InputError(f"suite {suite_name!r} has no rules", where=table or suite_name)
    check_columns(df, rules, table)
    clock = now or datetime.now(UTC)
    expectations = []
    for index, rule in enumerate(rules):
        expectation = to_expectation(rule, clock)
        expectation.meta = {**(expectation.meta or {}), "glueforge_index": index}
        expectations.append(expectation)

    suite_result = _run_gx(df, expectations, _SAFE_NAME.sub("_", suite_name), build_dir)
    outcomes = _outcomes(rules, suite_result)
    report = ValidationReport(
        suite=suite_name, outcomes=outcomes, table=table, statistics=dict(suite_result.statistics or {})
    )
    if build_dir is not None:
        index_html = build_dir / "data_docs" / "index.html"
        report.docs_index = index_html if index_html.is_file() else None
        report.result_path = build_dir / "result.json"
        payload = {**report.to_dict(), "gx_result": suite_result.to_json_dict()}
        report.result_path.write_text(json.dumps(payload, indent=2, default=str) + "\n")
    return report


def _run_gx(df: DataFrame, expectations: list[Any], name: str, build_dir: Path | None) -> Any:
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    for noisy in ("great_expectations", "great_expectations.core", "great_expectations.data_context.types.base"):
        logging.getLogger(noisy).setLevel(logging.ERROR)
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    batch = (
        context.data_sources.add_spark(name=f"{name}_source", persist=False)  # never spark_config: see module doc
        .add_dataframe_asset(name=name)
        .add_batch_definition_whole_dataframe(f"{name}_batch")
    )
    suite = context.suites.add(gx.ExpectationSuite(name=name, expectations=expectations))
    definition = context.validation_definitions.add(gx.ValidationDefinition(name=f"{name}_vd", data=batch, suite=suite))
    if build_dir is None:
        return definition.run(batch_parameters={"dataframe": df}, result_format="SUMMARY")

    build_dir.mkdir(parents=True, exist_ok=True)
    context.add_data_docs_site(
        site_name="glueforge",
        site_config={
            "class_name": "SiteBuilder",
            "store_backend": {
                "class_name": "TupleFilesystemStoreBackend",
                "base_directory": str((build_dir / "data_docs").resolve()),
            },
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        },
    )
    checkpoint = context.checkpoints.add(
        gx.Checkpoint(
            name=f"{name}_checkpoint",
            validation_definitions=[definition],
            actions=[gx.checkpoint.UpdateDataDocsAction(name="docs", site_names=["glueforge"])],
            result_format="SUMMARY",
        )
    )
    result = checkpoint.run(batch_parameters={"dataframe": df})
    return next(iter(result.run_results.values()))


def _outcomes(rules: list[Rule], suite_result: Any) -> list[RuleOutcome]:
    by_index: dict[int, Any] = {}
    for result in suite_result.results:
        meta = result.expectation_config.meta or {}
        by_index[int(meta["glueforge_index"])] = result
    outcomes = []
    for index, rule in enumerate(rules):
        result = by_index.get(index)
        if result is None:
            outcomes.append(RuleOutcome(rule.describe(), False, "not evaluated", rule.critical))
            continue
        details = dict(result.result or {})
        outcomes.append(
            RuleOutcome(
                rule=rule.describe(),
                passed=bool(result.success),
                message=_message(result, details),
                critical=rule.critical,
                expectation=str(result.expectation_config.type),
                observed=details.get("observed_value", details.get("unexpected_count")),
            )
        )
    return outcomes


def _message(result: Any, details: dict[str, Any]) -> str:
    info = result.exception_info or {}
    raised = info.get("raised_exception") if isinstance(info, dict) else False
    if raised:
        return f"error: {str(info.get('exception_message', 'expectation raised')).splitlines()[0]}"
    if "unexpected_count" in details:
        total = details.get("element_count")
        count = details["unexpected_count"] or 0
        examples = details.get("partial_unexpected_list") or []
        text = f"{count} of {total} rows failed" if total is not None else f"{count} rows failed"
        if count and examples:
            text += f" (e.g. {', '.join(repr(_jsonable(v)) for v in examples[:3])})"
        return text if count or not result.success else f"all {total} rows passed"
    if "observed_value" in details:
        return f"observed {_jsonable(details['observed_value'])}"
    return "passed" if result.success else "failed"


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)
