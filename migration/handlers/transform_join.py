"""TRANSFORM_JOIN -> a native ``Join`` for a two-input key join, ``SparkSQL`` with ``SqlAliases`` for SQL."""

from __future__ import annotations

import re

from migration.handlers import handler
from migration.handlers.base import StepContext, StepError
from migration.legacy_model import KeyJoinConfig, SqlJoinConfig

JOIN_TYPES = {
    "inner": "equijoin",
    "left": "left",
    "right": "right",
    "full": "outer",
    "left_semi": "leftsemi",
    "left_anti": "leftanti",
}
_ALIAS = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def aliases(ctx: StepContext) -> dict[str, str]:
    """alias -> upstream node id; every input needs a distinct alias that SQL can use as a table name."""
    if len(ctx.inputs) < 2:
        raise StepError(f"a TRANSFORM_JOIN combines two or more inputs, it has {len(ctx.inputs)}")
    result: dict[str, str] = {}
    for upstream in ctx.inputs:
        alias = upstream.alias
        if not alias:
            raise StepError(f"the dependency on step {upstream.step.step_name!r} has no input_alias")
        if not _ALIAS.match(alias):
            raise StepError(f"input_alias {alias!r} is not a valid SQL table name")
        if alias in result:
            raise StepError(f"input_alias {alias!r} is used twice")
        result[alias] = upstream.node_id
    return result


@handler("TRANSFORM_JOIN")
def transform_join(ctx: StepContext) -> str:
    document = ctx.document()
    by_alias = aliases(ctx)
    if "sql" in document:
        config = ctx.parse(SqlJoinConfig, document)
        for alias in by_alias:
            if not re.search(rf"\b{re.escape(alias)}\b", config.sql):
                ctx.warn(f"input {alias!r} is not referenced by the SQL")
        return ctx.add(
            "SparkSQL",
            {
                "Name": ctx.name(),
                "Inputs": list(by_alias.values()),
                "SqlQuery": config.sql,
                "SqlAliases": [{"From": node, "Alias": alias} for alias, node in by_alias.items()],
            },
        )
    join = ctx.parse(KeyJoinConfig, document)
    if len(by_alias) != 2:
        raise StepError(f"a key join takes exactly 2 inputs, it has {len(by_alias)} (use sql for more)")
    for side in (join.left, join.right):
        if side not in by_alias:
            raise StepError(f"join side {side!r} is not an input alias (inputs: {', '.join(sorted(by_alias))})")
    if join.left == join.right:
        raise StepError("left and right name the same input")
    left, right = by_alias[join.left], by_alias[join.right]
    return ctx.add(
        "Join",
        {
            "Name": ctx.name(),
            "Inputs": [left, right],
            "JoinType": JOIN_TYPES[join.join_type],
            "Columns": [
                {"From": left, "Keys": [[k.left] for k in join.keys]},
                {"From": right, "Keys": [[k.right] for k in join.keys]},
            ],
        },
    )
