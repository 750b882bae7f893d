"""The report's sample on real Spark: ``_head`` takes exactly the rows of ``limit``, in one round of tasks."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest

from transforms.detect_pii import detect

if TYPE_CHECKING:
    from pyspark.sql import SparkSession


def _jobs_of(spark: SparkSession, action: Callable[[], Any]) -> tuple[Any, int]:
    """(result of ``action()``, number of Spark jobs it ran)."""
    context, group = spark.sparkContext, uuid.uuid4().hex
    context.setJobGroup(group, "counting jobs")
    try:
        result = action()
    finally:
        context.setLocalProperty("spark.jobGroup.id", None)  # type: ignore[arg-type]  # None: no group
    return result, len(context.statusTracker().getJobIdsForGroup(group))


@pytest.mark.parametrize("preset", [None, "1"])
def test_head_takes_the_rows_of_limit_in_one_round_and_restores_the_setting(
    spark: SparkSession, monkeypatch: pytest.MonkeyPatch, preset: str | None
) -> None:
    # 4 partitions of 25 rows, 40 wanted: limit's first round (one partition) falls short and needs a second job
    monkeypatch.setattr(detect, "MAX_SAMPLE_ROWS", 40)
    frame = spark.range(0, 100, 1, numPartitions=4)
    if preset is not None:
        spark.conf.set(detect.LIMIT_FIRST_ROUND_CONF, preset)
    try:
        expected, limit_jobs = _jobs_of(spark, lambda: frame.limit(40).collect())
        rows, head_jobs = _jobs_of(spark, lambda: detect._head(frame))
        assert rows == expected == [(i,) for i in range(40)]  # the first rows in partition order
        assert (limit_jobs, head_jobs) == (2, 1)
        assert spark.conf.get(detect.LIMIT_FIRST_ROUND_CONF, None) == preset
    finally:
        spark.conf.unset(detect.LIMIT_FIRST_ROUND_CONF)
