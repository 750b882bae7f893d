"""What the writer needs to know about a read batch, gathered in the one Spark job that reads it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from glueforge.lakehouse import quote

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

_INTEGER_TYPES = ("tinyint", "smallint", "int", "bigint")


@dataclass(frozen=True)
class BatchStats:
    rows: int
    overlap_rows: int  # rows at or below the committed watermark or with a NULL cursor (all rows without one)
    min_key: int | None  # smallest key, for a single integer key only
    max_key: int | None = None

    @property
    def key_range(self) -> tuple[int, int] | None:
        return None if self.min_key is None or self.max_key is None else (self.min_key, self.max_key)


def batch_stats(batch: DataFrame, cursor: str, committed_watermark: Any, keys: tuple[str, ...]) -> BatchStats:
    """Row count, rows the target may already hold, key range: one aggregation over the (cached) batch."""
    from pyspark.sql import functions as F

    columns = [F.count(F.lit(1)).alias("rows")]
    if committed_watermark is not None:
        newer = F.col(quote(cursor)) > F.lit(committed_watermark)
        columns.append(F.sum(F.when(newer, 0).otherwise(1)).alias("overlap"))  # NULL cursor -> overlap
    single_integer_key = len(keys) == 1 and batch.schema[keys[0]].dataType.simpleString() in _INTEGER_TYPES
    if single_integer_key:
        columns.append(F.min(F.col(quote(keys[0]))).alias("min_key"))
        columns.append(F.max(F.col(quote(keys[0]))).alias("max_key"))
    row = batch.agg(*columns).first()
    assert row is not None
    values = row.asDict()
    rows = int(values["rows"])
    overlap = int(values.get("overlap") or 0) if committed_watermark is not None else rows
    min_key, max_key = values.get("min_key"), values.get("max_key")
    return BatchStats(
        rows, overlap, None if min_key is None else int(min_key), None if max_key is None else int(max_key)
    )
