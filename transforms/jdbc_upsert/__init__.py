"""``jdbc_upsert``: upsert the node's rows into a JDBC table on its key columns (insert new keys, update
existing ones) in one transaction, through a staging table. Glue's JDBC targets only insert.

``apply(df, **params)`` follows the transform convention: it writes, then returns ``df`` unchanged, so the node
can feed others. ``upsert(df, **params)`` returns the run summary.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from transforms.jdbc_upsert.options import UpsertOptions, parse_options
from transforms.jdbc_upsert.upsert import UpsertSummary, upsert_frame

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

__all__ = ["UpsertOptions", "UpsertSummary", "apply", "parse_options", "upsert"]


def upsert(df: DataFrame, *, glue_context: Any = None, **params: Any) -> UpsertSummary:
    """Upsert ``df`` with the JSON config's parameters; returns what the database did."""
    return upsert_frame(df, parse_options(params), glue_context=glue_context)


def apply(df: DataFrame, *, glue_context: Any = None, **params: Any) -> DataFrame:
    upsert(df, glue_context=glue_context, **params)
    return df
