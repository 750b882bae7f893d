"""Row-level ``filter``/``map`` for DynamicFrames: the user's function sees a dict-like ``DynamicRecord``.

This module is importable by Spark's Python workers (it lives in the installed glueforge package, not in
the ``_local`` awsglue tree that only the driver has on its path), so closures that reference it unpickle.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from pyspark.sql import DataFrame, Row
from pyspark.sql import types as T

_INTEGRAL = (T.ByteType, T.ShortType, T.IntegerType, T.LongType)
_FRACTIONAL = (T.FloatType, T.DoubleType)


class DynamicRecord(dict):
    """A record as Glue's ``filter``/``map`` functions see it: ``rec["col"]``, nested structs as dicts."""

    def getField(self, name: str) -> Any:
        return self.get(name)

    def setField(self, name: str, value: Any) -> None:
        self[name] = value

    def dropField(self, name: str) -> None:
        self.pop(name, None)


def to_record(row: Row) -> DynamicRecord:
    return DynamicRecord(row.asDict(recursive=True))


def filter_frame(df: DataFrame, predicate: Callable[[DynamicRecord], Any]) -> DataFrame:
    """Rows for which ``predicate(record)`` is truthy; schema unchanged (a Python UDF over the whole row)."""
    from pyspark.sql import functions as F

    if not df.columns:
        return df
    keep = F.udf(lambda row: bool(predicate(to_record(row))), T.BooleanType())
    return df.filter(keep(F.struct(*[F.col("`" + c.replace("`", "``") + "`") for c in df.columns])))


def _as_row_value(value: Any) -> Any:
    if isinstance(value, dict):
        return Row(**{str(k): _as_row_value(v) for k, v in value.items()})
    if isinstance(value, list):
        return [_as_row_value(v) for v in value]
    return value


def _same_family(a: T.DataType, b: T.DataType) -> bool:
    return any(isinstance(a, family) and isinstance(b, family) for family in (_INTEGRAL, _FRACTIONAL, (T.DecimalType,)))


def _output_schema(inferred: T.StructType, original: T.StructType) -> T.StructType:
    """Prefer the input's types where the function kept a field's kind (Python widens int to long, etc.)."""
    by_name = {f.name: f for f in original.fields}
    fields = []
    for field in inferred.fields:
        before = by_name.get(field.name)
        data_type = field.dataType
        if before is not None and (isinstance(data_type, T.NullType) or _same_family(data_type, before.dataType)):
            data_type = before.dataType
        elif isinstance(data_type, T.NullType):
            data_type = T.StringType()
        fields.append(T.StructField(field.name, data_type, True))
    return T.StructType(fields)


def map_frame(df: DataFrame, function: Callable[[DynamicRecord], Any]) -> DataFrame:
    """Apply ``function`` to every record; the output schema is inferred from all returned records."""

    def apply(row: Row) -> dict[str, Any]:
        result = function(to_record(row))
        if not isinstance(result, dict):
            raise TypeError(f"map function must return a record (dict), got {type(result).__name__}")
        return dict(result)

    mapped = df.rdd.map(apply).cache()

    def infer(records: Iterable[dict[str, Any]]) -> Iterable[T.StructType]:
        schema: T.StructType | None = None
        for record in records:
            inferred = T._infer_schema(_as_row_value(record), infer_dict_as_struct=True)
            schema = inferred if schema is None else T._merge_type(schema, inferred)
        return [schema] if schema is not None else []

    partition_schemas = mapped.mapPartitions(infer).collect()  # one pass; the records stay cached for the frame
    if not partition_schemas:
        return df.sparkSession.createDataFrame([], df.schema)
    inferred = partition_schemas[0]
    for other in partition_schemas[1:]:
        inferred = T._merge_type(inferred, other)
    schema = _output_schema(inferred, df.schema)
    return df.sparkSession.createDataFrame(mapped, schema, verifySchema=False)
