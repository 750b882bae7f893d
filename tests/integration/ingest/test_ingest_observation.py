"""The first load's largest key, observed by its own write job: delivered, or given up without hanging."""

from __future__ import annotations

import threading
import time
from typing import Any

from transforms.incremental_jdbc_ingest.writer import IcebergWriter, _observed, create_target


def test_the_append_returns_the_largest_value_its_job_wrote(lakehouse: Any) -> None:
    from glueforge.lakehouse import TableName

    spark = lakehouse.spark
    target = TableName.parse("bronze.observed_append")
    rows = spark.range(0, 5000, 1, 3).selectExpr("id * 7 - 3 AS id", "CAST(id AS string) AS note")
    create_target(spark, target, rows.schema)
    writer = IcebergWriter(spark, target)
    assert writer.append(rows, {}, largest_of="id") == 4999 * 7 - 3
    assert writer.append(rows.where("id < -100"), {}, largest_of="id") is None  # nothing written: no largest value
    assert writer.append(rows, {}) is None  # not asked
    assert spark.table(target.sql).count() == 10000


def test_a_write_metric_that_never_arrives_does_not_hang_the_run(spark: Any) -> None:
    class NeverDelivered:  # Observation.get blocks until Spark's listener delivers the metrics
        @property
        def get(self) -> dict[str, int]:
            threading.Event().wait(30)
            return {"largest": 1}

    class Delivered:
        get = {"largest": 41}

    started = time.perf_counter()
    assert _observed(NeverDelivered(), "largest", timeout=0.2) is None
    assert time.perf_counter() - started < 5
    assert _observed(Delivered(), "largest") == 41
