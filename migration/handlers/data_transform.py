"""DATA_TRANSFORM -> a chain of native nodes, one rule at a time (see ``rule_ops`` for the per-op mapping)."""

from __future__ import annotations

from migration.handlers import handler
from migration.handlers.base import StepContext, StepError
from migration.handlers.rule_ops import RULE_OPS
from migration.legacy_model import DataTransformConfig


@handler("DATA_TRANSFORM")
def data_transform(ctx: StepContext) -> str:
    config = ctx.parse(DataTransformConfig)
    current = ctx.single_input()
    for index, rule in enumerate(config.rules, 1):
        op = RULE_OPS.get(rule.op)
        if op is None:
            raise StepError(f"rule {index}: unknown rule op {rule.op!r} (known: {', '.join(sorted(RULE_OPS))})")
        try:
            current = op(ctx, rule.model_dump(), current, index)
        except (KeyError, TypeError, ValueError) as exc:
            raise StepError(f"rule {index} ({rule.op}): malformed rule: {exc}") from None
    return current
