"""Transform nodes, with Glue's semantics where they differ from plain Spark (Filter keeps nulls when negated,
Aggregate names its outputs ``func(col)``, Join keeps both sides' columns)."""

from __future__ import annotations

import importlib
import os
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from glueforge.errors import InputError
from glueforge.lakehouse import TableName, table_exists, write_table
from migration.executor import ExecutionContext, JobRunError, node_executor
from migration.script import typed_value

if TYPE_CHECKING:
    from pyspark.sql import Column, DataFrame

JOIN_HOW = {
    "equijoin": "inner",
    "left": "left",
    "right": "right",
    "outer": "full",
    "leftsemi": "left_semi",
    "leftanti": "left_anti",
}
_WRITE_TARGET = re.compile(r"^\s*(?:MERGE\s+INTO|INSERT\s+(?:INTO|OVERWRITE)(?:\s+TABLE)?)\s+([\w.`]+)", re.I)


@node_executor("RenameField")
def rename(ctx: ExecutionContext, node_id: str, fields: dict[str, Any], inputs: list[DataFrame]) -> DataFrame:
    source, target = fields["SourcePath"][0], fields["TargetPath"][0]
    if source not in inputs[0].columns:
        raise InputError(f"RenameField: no column {source!r} (columns: {', '.join(inputs[0].columns)})")
    return inputs[0].withColumnRenamed(source, target)


@node_executor("DropFields")
def drop(ctx: ExecutionContext, node_id: str, fields: dict[str, Any], inputs: list[DataFrame]) -> DataFrame:
    return inputs[0].drop(*[p[0] for p in fields["Paths"]])


@node_executor("SelectFields")
def select(ctx: ExecutionContext, node_id: str, fields: dict[str, Any], inputs: list[DataFrame]) -> DataFrame:
    return inputs[0].select(*[p[0] for p in fields["Paths"]])


@node_executor("DropDuplicates")
def dedupe(ctx: ExecutionContext, node_id: str, fields: dict[str, Any], inputs: list[DataFrame]) -> DataFrame:
    columns = [p[0] for p in fields.get("Columns", [])]
    return inputs[0].dropDuplicates(columns or None)


def _expression(spec: dict[str, Any]) -> Column:
    from pyspark.sql import functions as F

    column = F.col(spec["Values"][0]["Value"][0])
    value = spec["Values"][1]["Value"][0] if len(spec["Values"]) > 1 else None
    comparisons: dict[str, Callable[[Column], Column]] = {
        "EQ": lambda c: c == F.lit(value),
        "LT": lambda c: c < F.lit(value),
        "GT": lambda c: c > F.lit(value),
        "LTE": lambda c: c <= F.lit(value),
        "GTE": lambda c: c >= F.lit(value),
        "REGEX": lambda c: c.rlike(str(value)),
        "ISNULL": lambda c: c.isNull(),
    }
    test = F.coalesce(comparisons[spec["Operation"]](column), F.lit(False))
    return ~test if spec.get("Negated") else test


@node_executor("Filter")
def filter_rows(ctx: ExecutionContext, node_id: str, fields: dict[str, Any], inputs: list[DataFrame]) -> DataFrame:
    expressions = [_expression(f) for f in fields["Filters"]]
    condition = expressions[0]
    for expression in expressions[1:]:
        condition = (condition & expression) if fields["LogicalOperator"] == "AND" else (condition | expression)
    return inputs[0].filter(condition)


@node_executor("Aggregate")
def aggregate(ctx: ExecutionContext, node_id: str, fields: dict[str, Any], inputs: list[DataFrame]) -> DataFrame:
    from pyspark.sql import functions as F

    aggs = [getattr(F, a["AggFunc"])(a["Column"][0]) for a in fields["Aggs"]]
    return inputs[0].groupBy(*[g[0] for g in fields["Groups"]]).agg(*aggs)


@node_executor("Join")
def join(ctx: ExecutionContext, node_id: str, fields: dict[str, Any], inputs: list[DataFrame]) -> DataFrame:
    left, right = inputs
    left_keys, right_keys = (c["Keys"] for c in fields["Columns"])
    if fields["Columns"][0]["From"] != fields["Inputs"][0]:  # Columns may list the right input first
        left_keys, right_keys = right_keys, left_keys
    condition = None
    for a, b in zip(left_keys, right_keys, strict=True):
        term = left[a[0]] == right[b[0]]
        condition = term if condition is None else condition & term
    return left.join(right, condition, JOIN_HOW[fields["JoinType"]])


def _local_sql(ctx: ExecutionContext, query: str) -> str:
    # The job's Iceberg catalog is `glue_catalog` on Glue; locally it is the session's current catalog.
    return re.sub(rf"(?<![\w`]){re.escape(ctx.glue_catalog)}\.", "", query)


@node_executor("SparkSQL")
def spark_sql(ctx: ExecutionContext, node_id: str, fields: dict[str, Any], inputs: list[DataFrame]) -> DataFrame:
    by_id = dict(zip(fields["Inputs"], inputs, strict=True))
    for alias in fields["SqlAliases"]:
        by_id[alias["From"]].createOrReplaceTempView(alias["Alias"])
    query = _local_sql(ctx, fields["SqlQuery"])
    target = _WRITE_TARGET.match(query)
    if target:
        table = TableName.parse(target.group(1).replace("`", ""))
        if not table_exists(ctx.spark, table):
            # Local convenience: the first run creates the target from the input schema (on Glue the
            # catalog table must exist).
            write_table(inputs[0].limit(0), table, "append")
            ctx.warnings.append(f"{node_id}: created missing target table {table} from the input schema")
        ctx.written[node_id] = inputs[0].count()
    return ctx.spark.sql(query)


@node_executor("EvaluateDataQuality")
def data_quality(ctx: ExecutionContext, node_id: str, fields: dict[str, Any], inputs: list[DataFrame]) -> DataFrame:
    from glueforge.quality.dqdl import evaluate_dqdl

    result = evaluate_dqdl(inputs[0], fields["Ruleset"])
    failed = [o for o in result.outcomes if not o.passed]
    stop = "StopJobOnFailureOptions" in fields
    for outcome in failed:
        message = (
            f"node {node_id} ({fields.get('Name', '')!r}): data quality rule {outcome.rule} failed: {outcome.message}"
        )
        if stop:
            raise JobRunError(message, where=f"job {ctx.job_name}")
        ctx.warnings.append(message)
    return inputs[0]


# ---- custom visual transforms --------------------------------------------------------------------------

ParameterAdapter = Callable[[ExecutionContext, str, dict[str, Any]], dict[str, Any]]
PARAMETER_ADAPTERS: dict[str, ParameterAdapter] = {}


def parameter_adapter(name: str) -> Callable[[ParameterAdapter], ParameterAdapter]:
    def register(func: ParameterAdapter) -> ParameterAdapter:
        PARAMETER_ADAPTERS[name] = func
        return func

    return register


@parameter_adapter("jdbc_upsert")
@parameter_adapter("incremental_jdbc_ingest")
def _jdbc_locally(ctx: ExecutionContext, node_id: str, params: dict[str, Any]) -> dict[str, Any]:
    """A Glue connection name becomes the local database's URL/user; the password goes via an env var."""
    params = dict(params)
    connection = params.pop("connection_name", None)
    if connection and not params.get("url"):
        database = ctx.database(connection, params.get("database_type"))
        params["url"], params["database_type"] = database.url, "auto"
        if database.user:
            params["user"] = database.user
        if database.password is not None:
            variable = f"GLUEFORGE_RUN_JOB_PASSWORD_{re.sub(r'[^A-Z0-9]', '_', connection.upper())}"
            os.environ[variable] = database.password.get_secret_value()
            params["password_env"] = variable
    if params.get("table"):
        params["table"] = ctx.table(params["table"])
    if params.get("query"):
        params["query"] = ctx.rewrite_tables(params["query"])
    return params


# Transforms that write a target and report how many rows: run through their summary API so that the run's
# "written" counts them like a target node (the default runs ``apply``).
Runner = Callable[[ExecutionContext, str, Any, "DataFrame", dict[str, Any]], "DataFrame"]
RUNNERS: dict[str, Runner] = {}


def runner(name: str) -> Callable[[Runner], Runner]:
    def register(func: Runner) -> Runner:
        RUNNERS[name] = func
        return func

    return register


@runner("jdbc_upsert")
def _upsert(ctx: ExecutionContext, node_id: str, module: Any, frame: DataFrame, params: dict[str, Any]) -> DataFrame:
    ctx.written[node_id] = module.upsert(frame, **params).rows
    return frame


def _apply(ctx: ExecutionContext, node_id: str, module: Any, frame: DataFrame, params: dict[str, Any]) -> DataFrame:
    output: DataFrame = module.apply(frame, **params)
    return output


@node_executor("DynamicTransform")
def dynamic_transform(
    ctx: ExecutionContext, node_id: str, fields: dict[str, Any], inputs: list[DataFrame]
) -> DataFrame:
    name = fields["TransformName"]
    params = {p["Name"]: typed_value(p) for p in fields.get("Parameters", [])}
    adapter = PARAMETER_ADAPTERS.get(name)
    if adapter is not None:
        params = adapter(ctx, node_id, params)
    try:
        module = importlib.import_module(f"transforms.{name}")
    except ModuleNotFoundError as exc:
        raise InputError(f"custom transform {name!r} is not installed (transforms/{name}/)") from exc
    return RUNNERS.get(name, _apply)(ctx, node_id, module, inputs[0], params)
