"""Local DynamicFrame: a thin wrapper around a Spark DataFrame (minimal seed; grown by the runtime work)."""

from __future__ import annotations

from typing import Any


class DynamicFrame:
    def __init__(self, df: Any, glue_ctx: Any, name: str = "") -> None:
        self._df = df
        self.glue_ctx = glue_ctx
        self.name = name

    @classmethod
    def fromDF(cls, dataframe: Any, glue_ctx: Any, name: str = "") -> DynamicFrame:  # noqa: N802 - Glue API
        return cls(dataframe, glue_ctx, name)

    def toDF(self) -> Any:  # noqa: N802 - Glue API
        return self._df

    def count(self) -> int:
        return int(self._df.count())
