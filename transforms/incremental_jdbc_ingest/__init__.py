"""``incremental_jdbc_ingest``: read new and changed rows of a JDBC source by a cursor column and merge them
into an Iceberg table, with the watermark committed in the same Iceberg snapshot.

``apply(df, **params)`` follows the transform convention; ``df`` is ignored (a Glue custom transform has
exactly one parent, so visual jobs give it a placeholder parent). It returns the batch it read (or the
target with ``output="target"``). ``ingest(spark, **params)`` returns the run summary too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from transforms.incremental_jdbc_ingest.ingest import Hook, IngestResult, run_ingest
from transforms.incremental_jdbc_ingest.options import IngestOptions, parse_options
from transforms.incremental_jdbc_ingest.summary import RunSummary

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

__all__ = ["IngestOptions", "IngestResult", "RunSummary", "apply", "ingest", "parse_options", "run_ingest"]


def ingest(spark: SparkSession, *, glue_context: Any = None, hook: Hook | None = None, **params: Any) -> IngestResult:
    """Run one batch with the JSON config's parameters; returns the summary and the batch."""
    return run_ingest(spark, parse_options(params), glue_context=glue_context, hook=hook)


def apply(df: DataFrame, *, glue_context: Any = None, **params: Any) -> DataFrame:
    """The transform convention: ``df`` (the placeholder parent's frame) is ignored."""
    return ingest(df.sparkSession, glue_context=glue_context, **params).batch
