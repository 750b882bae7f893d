"""``standardize_columns``: snake_case column names, trimmed strings, empty strings as nulls."""

from __future__ import annotations

from typing import TYPE_CHECKING

from transforms.standardize_columns.logic import NameStyle, standardize_columns, to_snake_case

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

__all__ = ["apply", "standardize_columns", "to_snake_case"]


def apply(
    df: DataFrame,
    nameStyle: NameStyle = "snake",
    trimStrings: bool = True,
    emptyAsNull: bool = True,
) -> DataFrame:
    """The transform with its Glue parameter names (shared by the CLI, pipelines and the migrator)."""
    return standardize_columns(df, name_style=nameStyle, trim_strings=trimStrings, empty_as_null=emptyAsNull)
