"""DQ_CHECK -> a native ``EvaluateDataQuality`` node with the equivalent DQDL ruleset."""

from __future__ import annotations

import re
from typing import Any

from migration.dqdl import DqdlError, ruleset
from migration.handlers import handler
from migration.handlers.base import StepContext, StepError
from migration.legacy_model import DqCheckConfig


@handler("DQ_CHECK")
def dq_check(ctx: StepContext) -> str:
    config = ctx.parse(DqCheckConfig)
    parent = ctx.single_input()
    try:
        dqdl = ruleset(config.rules)
    except DqdlError as exc:
        raise StepError(str(exc)) from None
    context = re.sub(r"[^A-Za-z0-9_-]", "_", ctx.step.step_name)
    fields: dict[str, Any] = {
        "Name": ctx.name(),
        "Inputs": [parent],
        "Ruleset": dqdl,
        "Output": "PrimaryInput",
        "PublishingOptions": {
            "EvaluationContext": context,
            "CloudWatchMetricsEnabled": True,
            "ResultsPublishingEnabled": True,
        },
    }
    if config.on_failure == "fail":
        fields["StopJobOnFailureOptions"] = {"StopJobOnFailureTiming": "Immediate"}
    return ctx.add("EvaluateDataQuality", fields)
