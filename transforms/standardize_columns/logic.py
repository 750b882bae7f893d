"""Pure DataFrame logic of ``standardize_columns``."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Literal

from glueforge.errors import InputError

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

NameStyle = Literal["snake", "lower", "keep"]
_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_NON_WORD = re.compile(r"[^0-9a-zA-Z]+")


def to_snake_case(name: str) -> str:
    """``customerID`` -> ``customer_id``, ``Order Date`` -> ``order_date``, ``HTTPCode`` -> ``http_code``."""
    spaced = _CAMEL_BOUNDARY.sub("_", name.strip())
    return _NON_WORD.sub("_", spaced).strip("_").lower()


RENAMERS = {"snake": to_snake_case, "lower": str.lower, "keep": lambda name: name}


def standardize_columns(
    df: DataFrame, name_style: NameStyle | str = "snake", trim_strings: bool = True, empty_as_null: bool = True
) -> DataFrame:
    from pyspark.sql import functions as F
    from pyspark.sql.types import StringType

    if name_style not in RENAMERS:
        raise InputError(
            f"nameStyle must be one of {sorted(RENAMERS)}, got {name_style!r}", where="standardize_columns"
        )
    renamer = RENAMERS[name_style]
    new_names = [renamer(field.name) for field in df.schema.fields]
    duplicates = sorted({n for n in new_names if new_names.count(n) > 1})
    if duplicates:
        raise InputError(f"renaming would create duplicate columns: {duplicates}", where="standardize_columns")
    columns = []
    for field, new_name in zip(df.schema.fields, new_names, strict=True):
        column = F.col(f"`{field.name}`")
        if isinstance(field.dataType, StringType):
            if trim_strings:
                column = F.trim(column)
            if empty_as_null:
                column = F.when(column == "", F.lit(None)).otherwise(column)
        columns.append(column.alias(new_name))
    return df.select(*columns)
