"""Glue type names (as used in ApplyMapping and ResolveChoice) to Spark data types."""

from __future__ import annotations

import re

from pyspark.sql import types as T

from glueforge.errors import InputError

# Glue's DecimalType defaults to precision 10, scale 2 (Spark's bare `decimal` is (10,0)).
_SIMPLE: dict[str, T.DataType] = {
    "string": T.StringType(),
    "varchar": T.StringType(),
    "char": T.StringType(),
    "int": T.IntegerType(),
    "integer": T.IntegerType(),
    "long": T.LongType(),
    "bigint": T.LongType(),
    "short": T.ShortType(),
    "smallint": T.ShortType(),
    "byte": T.ByteType(),
    "tinyint": T.ByteType(),
    "float": T.FloatType(),
    "double": T.DoubleType(),
    "boolean": T.BooleanType(),
    "bool": T.BooleanType(),
    "date": T.DateType(),
    "timestamp": T.TimestampType(),
    "binary": T.BinaryType(),
    "decimal": T.DecimalType(10, 2),
}
# Complex types keep whatever the data has: a mapping to "struct" renames/moves without casting.
KEEP_AS_IS = frozenset({"struct", "array", "map", "choice", "object", "null"})
_DECIMAL = re.compile(r"^decimal\s*\(\s*(\d+)\s*,\s*(\d+)\s*\)$")
_PARAMETERISED_STRING = re.compile(r"^(varchar|char)\s*\(\s*\d+\s*\)$")


def spark_type(glue_type: str) -> T.DataType | None:
    """The Spark type for a Glue type name; ``None`` means "keep the value's current type"."""
    name = glue_type.strip().lower()
    if name in KEEP_AS_IS:
        return None
    if name in _SIMPLE:
        return _SIMPLE[name]
    match = _DECIMAL.match(name)
    if match:
        return T.DecimalType(int(match.group(1)), int(match.group(2)))
    if _PARAMETERISED_STRING.match(name):
        return T.StringType()
    raise InputError(
        f"unknown Glue type {glue_type!r} (known: {', '.join(sorted(_SIMPLE))}, decimal(p,s))", where="type"
    )
