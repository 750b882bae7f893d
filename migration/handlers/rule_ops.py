"""DATA_TRANSFORM rule ops -> native Glue nodes; one registry entry per op (``@rule_op("name")``).

Glue has no "replace one column" node that works without knowing the whole schema (``ApplyMapping`` drops
unmapped columns), so ``cast`` and ``fill_null`` compute the new value in ``SparkSQL`` under a temporary
name, drop the old column and rename: exact whatever the upstream schema (the column moves last).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from migration.handlers.base import StepContext, StepError

RuleOp = Callable[[StepContext, dict[str, Any], str, int], str]
RULE_OPS: dict[str, RuleOp] = {}
P_ID = re.compile(r"^[A-Za-z0-9_-]*$")
_TYPE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\(\s*\d+\s*(,\s*\d+\s*)?\))?$")
AGG_FUNCS = {
    "sum": "sum",
    "avg": "avg",
    "min": "min",
    "max": "max",
    "count": "count",
    "count_distinct": "countDistinct",
}
# Spark's default output name of each Glue aggregate (what the Aggregate node produces).
AGG_OUTPUT = {
    "sum": "sum({})",
    "avg": "avg({})",
    "min": "min({})",
    "max": "max({})",
    "count": "count({})",
    "count_distinct": "count(DISTINCT {})",
}
PII_ACTIONS = {"redact": "REDACT", "partial": "PARTIAL_REDACT", "hash": "SHA256_HASH"}
TEMP_PREFIX = "__gf_"


def rule_op(name: str) -> Callable[[RuleOp], RuleOp]:
    def register(func: RuleOp) -> RuleOp:
        RULE_OPS[name] = func
        return func

    return register


def ident(name: Any) -> str:
    if not isinstance(name, str) or not name:
        raise StepError(f"column name {name!r} is not a non-empty string")
    return "`" + name.replace("`", "``") + "`"


def sql_literal(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return repr(value)
    return "'" + str(value).replace("\\", "\\\\").replace("'", "\\'") + "'"


def columns_of(rule: dict[str, Any], key: str = "columns") -> list[str]:
    columns = rule.get(key)
    if not isinstance(columns, list) or not columns or not all(isinstance(c, str) and c for c in columns):
        raise StepError(f"'{key}' must be a non-empty list of column names")
    return columns


def replace_column(ctx: StepContext, parent: str, column: str, expression: str, label: str, index: int) -> str:
    temp = f"{TEMP_PREFIX}{index}"
    computed = ctx.add(
        "SparkSQL",
        {
            "Name": ctx.name(f"{label} (compute)"),
            "Inputs": [parent],
            "SqlQuery": f"SELECT *, {expression} AS {temp} FROM input_rows",
            "SqlAliases": [{"From": parent, "Alias": "input_rows"}],
        },
    )
    dropped = ctx.add(
        "DropFields", {"Name": ctx.name(f"{label} (drop old)"), "Inputs": [computed], "Paths": [[column]]}
    )
    return ctx.add(
        "RenameField", {"Name": ctx.name(label), "Inputs": [dropped], "SourcePath": [temp], "TargetPath": [column]}
    )


@rule_op("rename")
def rename(ctx: StepContext, rule: dict[str, Any], parent: str, index: int) -> str:
    source, target = rule["from"], rule["to"]
    ident(source), ident(target)
    return ctx.add(
        "RenameField",
        {
            "Name": ctx.name(f"rename {source} to {target}"),
            "Inputs": [parent],
            "SourcePath": [source],
            "TargetPath": [target],
        },
    )


@rule_op("cast")
def cast(ctx: StepContext, rule: dict[str, Any], parent: str, index: int) -> str:
    column, kind = rule["column"], str(rule["type"])
    if not _TYPE.match(kind):
        raise StepError(f"cast type {kind!r} is not a Spark SQL type name")
    return replace_column(ctx, parent, column, f"CAST({ident(column)} AS {kind})", f"cast {column} to {kind}", index)


@rule_op("drop")
def drop(ctx: StepContext, rule: dict[str, Any], parent: str, index: int) -> str:
    columns = columns_of(rule)
    return ctx.add(
        "DropFields",
        {"Name": ctx.name(f"drop {', '.join(columns)}"), "Inputs": [parent], "Paths": [[c] for c in columns]},
    )


@rule_op("select")
def select(ctx: StepContext, rule: dict[str, Any], parent: str, index: int) -> str:
    columns = columns_of(rule)
    return ctx.add(
        "SelectFields",
        {"Name": ctx.name(f"select {len(columns)} columns"), "Inputs": [parent], "Paths": [[c] for c in columns]},
    )


# ---- filter ------------------------------------------------------------------------------------------------

NATIVE_FILTER_OPS = {  # legacy operator -> (Glue Operation, Negated, takes a value)
    "eq": ("EQ", False, True),
    "ne": ("EQ", True, True),
    "lt": ("LT", False, True),
    "le": ("LTE", False, True),
    "gt": ("GT", False, True),
    "ge": ("GTE", False, True),
    "regex": ("REGEX", False, True),
    "is_null": ("ISNULL", False, False),
    "not_null": ("ISNULL", True, False),
}
SQL_OPS = {"eq": "=", "ne": "!=", "lt": "<", "le": "<=", "gt": ">", "ge": ">="}


def sql_condition(cond: dict[str, Any]) -> str:
    """Spark SQL for a (possibly nested) legacy condition."""
    for group, joiner in (("all", " AND "), ("any", " OR ")):
        if group in cond:
            parts = cond[group]
            if not isinstance(parts, list) or not parts:
                raise StepError(f"'{group}' must be a non-empty list of conditions")
            return "(" + joiner.join(sql_condition(p) for p in parts) + ")"
    column, operator, value = ident(cond.get("column")), cond.get("operator"), cond.get("value")
    if operator in SQL_OPS:
        return f"{column} {SQL_OPS[operator]} {sql_literal(value)}"
    if operator in ("in", "not_in"):
        values = value if isinstance(value, list) else cond.get("values")
        if not isinstance(values, list) or not values:
            raise StepError(f"operator {operator!r} needs a list value")
        negation = "NOT " if operator == "not_in" else ""
        return f"{column} {negation}IN ({', '.join(sql_literal(v) for v in values)})"
    if operator == "is_null":
        return f"{column} IS NULL"
    if operator == "not_null":
        return f"{column} IS NOT NULL"
    if operator == "like":
        return f"{column} LIKE {sql_literal(value)}"
    if operator == "regex":
        return f"{column} RLIKE {sql_literal(value)}"
    raise StepError(f"unknown filter operator {operator!r}")


def native_expression(cond: dict[str, Any]) -> dict[str, Any] | None:
    operation = NATIVE_FILTER_OPS.get(str(cond.get("operator")))
    if operation is None or "column" not in cond or isinstance(cond.get("value"), list | dict):
        return None
    name, negated, takes_value = operation
    ident(cond["column"])
    values: list[dict[str, Any]] = [{"Type": "COLUMNEXTRACTED", "Value": [cond["column"]]}]
    if takes_value:
        if cond.get("value") is None:
            return None
        value = cond["value"]
        text = ("true" if value else "false") if isinstance(value, bool) else str(value)
        values.append({"Type": "CONSTANT", "Value": [text]})
    return {"Operation": name, "Negated": negated, "Values": values}


def native_filter(cond: dict[str, Any]) -> tuple[str, list[dict[str, Any]]] | None:
    """(LogicalOperator, Filters) when the condition fits one Glue Filter node (one level of AND/OR)."""
    group = "all" if "all" in cond else "any" if "any" in cond else None
    parts = cond[group] if group else [cond]
    if not isinstance(parts, list) or not parts:
        return None
    expressions = [native_expression(p) if isinstance(p, dict) else None for p in parts]
    if any(e is None for e in expressions):
        return None
    return ("OR" if group == "any" else "AND"), [e for e in expressions if e is not None]


@rule_op("filter")
def filter_rows(ctx: StepContext, rule: dict[str, Any], parent: str, index: int) -> str:
    condition = rule.get("condition")
    if not isinstance(condition, dict):
        raise StepError(f"rule {index} (filter): 'condition' must be an object")
    where = sql_condition(condition)  # validates the whole tree, even when the native node is used
    native = native_filter(condition)
    if native is not None:
        operator, filters = native
        return ctx.add(
            "Filter",
            {"Name": ctx.name(f"filter {where}"), "Inputs": [parent], "LogicalOperator": operator, "Filters": filters},
        )
    return ctx.add(
        "SparkSQL",
        {
            "Name": ctx.name(f"filter {where}"),
            "Inputs": [parent],
            "SqlQuery": f"SELECT * FROM input_rows WHERE {where}",
            "SqlAliases": [{"From": parent, "Alias": "input_rows"}],
        },
    )


@rule_op("derive")
def derive(ctx: StepContext, rule: dict[str, Any], parent: str, index: int) -> str:
    column, expression = rule["column"], rule["expression"]
    if not isinstance(expression, str) or not expression.strip():
        raise StepError("derive needs a Spark SQL 'expression'")
    return ctx.add(
        "SparkSQL",
        {
            "Name": ctx.name(f"derive {column}"),
            "Inputs": [parent],
            "SqlQuery": f"SELECT *, ({expression}) AS {ident(column)} FROM input_rows",
            "SqlAliases": [{"From": parent, "Alias": "input_rows"}],
        },
    )


@rule_op("fill_null")
def fill_null(ctx: StepContext, rule: dict[str, Any], parent: str, index: int) -> str:
    # Glue's FillMissingValues imputes statistically; a constant fill is COALESCE.
    column = rule["column"]
    expression = f"COALESCE({ident(column)}, {sql_literal(rule.get('value'))})"
    return replace_column(ctx, parent, column, expression, f"fill nulls in {column}", index)


@rule_op("dedupe")
def dedupe(ctx: StepContext, rule: dict[str, Any], parent: str, index: int) -> str:
    columns = columns_of(rule)
    bad = [c for c in columns if not P_ID.match(c)]
    if bad:
        raise StepError(f"DropDuplicates columns must match [A-Za-z0-9_-]*: {bad}")
    return ctx.add(
        "DropDuplicates",
        {"Name": ctx.name(f"dedupe on {', '.join(columns)}"), "Inputs": [parent], "Columns": [[c] for c in columns]},
    )


@rule_op("aggregate")
def aggregate(ctx: StepContext, rule: dict[str, Any], parent: str, index: int) -> str:
    groups = rule.get("group_by") or []
    aggs = rule.get("aggs")
    if not isinstance(aggs, list) or not aggs or len(aggs) > 30:
        raise StepError("aggregate needs 1 to 30 'aggs'")
    operations, renames = [], []
    for agg in aggs:
        func = agg.get("func")
        if func not in AGG_FUNCS:
            raise StepError(f"unknown aggregate func {func!r} (known: {', '.join(AGG_FUNCS)})")
        ident(agg.get("column"))
        operations.append({"Column": [agg["column"]], "AggFunc": AGG_FUNCS[func]})
        if agg.get("as"):
            renames.append((AGG_OUTPUT[func].format(agg["column"]), agg["as"]))
    current = ctx.add(
        "Aggregate",
        {
            "Name": ctx.name(f"aggregate by {', '.join(groups) or 'all'}"),
            "Inputs": [parent],
            "Groups": [[g] for g in groups],
            "Aggs": operations,
        },
    )
    for source, target in renames:
        current = ctx.add(
            "RenameField",
            {
                "Name": ctx.name(f"rename {source} to {target}"),
                "Inputs": [current],
                "SourcePath": [source],
                "TargetPath": [target],
            },
        )
    return current


@rule_op("mask_pii")
def mask_pii(ctx: StepContext, rule: dict[str, Any], parent: str, index: int) -> str:
    action = rule.get("action", "redact")
    if action not in PII_ACTIONS:
        raise StepError(f"mask_pii action {action!r} is not one of {', '.join(PII_ACTIONS)}")
    columns = rule.get("columns", "auto")
    # Every row is scanned (sampleFraction 1): the legacy masker looked at all rows, so must the migrated job.
    values: dict[str, Any] = {"detectionMode": "column", "action": PII_ACTIONS[action], "sampleFraction": 1.0}
    if columns != "auto":
        values["includeColumns"] = columns_of(rule)
    return ctx.custom_node("detect_pii", node_name=ctx.name("mask PII"), input_id=parent, values=values)
