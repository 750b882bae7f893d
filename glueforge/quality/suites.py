"""Declarative quality suites: YAML files of glueforge rules, validated against lakehouse tables.

```yaml
suite: bronze_orders
description: Orders as landed by ingest.
table: bronze.orders          # default table for `glueforge quality check`
rules:
  - {type: not_null, column: order_id}
  - {type: allowed_values, column: status, values: [placed, shipped], critical: false}
```
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from glueforge.errors import InputError, NotFoundError
from glueforge.lakehouse import TableName, table_exists
from glueforge.quality.engine import ValidationReport, validate_dataframe
from glueforge.quality.rules import Rule, parse_rules

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

SUITE_SUFFIXES = (".yml", ".yaml")


class Suite(BaseModel):
    """A named list of rules, optionally bound to a default table."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[A-Za-z0-9_.-]+$")
    description: str = ""
    table: str | None = None
    rules: list[Rule]
    source: Path | None = None


def default_suite_dirs() -> list[Path]:
    """Where suite names are looked up: ./quality_suites, then the dbt project's quality/ folder."""
    from glueforge.dbt_runner import default_project_dir

    return [Path("quality_suites"), default_project_dir() / "quality"]


def find_suite(name_or_path: str, search_dirs: list[Path] | None = None) -> Path:
    """A suite file: an existing path, or ``<dir>/<name>.yml`` in the search directories."""
    path = Path(name_or_path)
    if path.suffix in SUITE_SUFFIXES or path.is_file():
        if not path.is_file():
            raise NotFoundError(f"suite file {path} does not exist", where="quality suite")
        return path
    dirs = search_dirs if search_dirs is not None else default_suite_dirs()
    for directory in dirs:
        for suffix in SUITE_SUFFIXES:
            candidate = directory / f"{name_or_path}{suffix}"
            if candidate.is_file():
                return candidate
    known = sorted({p.stem for d in dirs if d.is_dir() for p in d.iterdir() if p.suffix in SUITE_SUFFIXES})
    raise NotFoundError(
        f"no suite named {name_or_path!r} in {', '.join(str(d) for d in dirs)} (known: {', '.join(known) or 'none'})",
        where="quality suite",
    )


def load_suite(name_or_path: str | Path, search_dirs: list[Path] | None = None) -> Suite:
    path = find_suite(str(name_or_path), search_dirs)
    try:
        document = yaml.safe_load(path.read_text())
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise InputError(f"malformed YAML{at}: {problem}", where=str(path)) from None
    return suite_from_mapping(document, where=str(path), default_name=path.stem, source=path)


def suite_from_mapping(document: Any, *, where: str, default_name: str = "suite", source: Path | None = None) -> Suite:
    if document is None:
        raise InputError("the suite is empty", where=where)
    if not isinstance(document, dict):
        raise InputError(f"a suite must be a mapping with `rules:`, got {type(document).__name__}", where=where)
    unknown = set(document) - {"suite", "name", "description", "table", "rules"}
    if unknown:
        raise InputError(f"unknown suite key(s) {', '.join(sorted(unknown))}", where=where)
    rules_data = document.get("rules")
    if not rules_data:
        raise InputError("the suite has no rules (`rules:` is missing or empty)", where=where)
    rules = parse_rules(rules_data, where=f"{where}: rules")
    try:
        return Suite(
            name=str(document.get("suite") or document.get("name") or default_name),
            description=str(document.get("description") or ""),
            table=document.get("table"),
            rules=rules,
            source=source,
        )
    except ValidationError as exc:
        raise InputError(f"invalid suite: {exc.errors()[0]['msg']}", where=where) from None


def check_table(
    spark: SparkSession, suite: Suite, table: str | None = None, *, build_dir: Path | None = None
) -> ValidationReport:
    """Validate a lakehouse table with ``suite``; Data Docs and ``result.json`` under ``build_dir`` if given."""
    target = table or suite.table
    if not target:
        raise InputError(f"suite {suite.name!r} names no table; pass --table", where="quality check")
    name = TableName.parse(target)
    if not table_exists(spark, name):
        raise NotFoundError(
            f"table {target} does not exist in catalog {spark.catalog.currentCatalog()!r}", where="quality check"
        )
    run_dir = build_dir / re.sub(r"[^A-Za-z0-9_.-]+", "_", f"{suite.name}__{name}") if build_dir else None
    return validate_dataframe(
        spark.table(name.sql), suite.rules, suite_name=suite.name, table=str(name), build_dir=run_dir
    )
