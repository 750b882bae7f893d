"""Iceberg column metrics of a Parquet file the direct path writes, computed from its Arrow rows.

A commit describes each file by its record count and per-column sizes, value and null counts and lower/upper
bounds. Reading them back from the Parquet footer in the JVM (``ParquetUtil.fileMetrics``) costs a fresh JVM
a few tenths of a second of loading Iceberg's shaded Parquet reader; the rows are at hand in Python, so the
direct path computes the same metrics here, in Iceberg's single-value serialisation, honouring the table's
metrics modes (``none``, ``counts``, ``truncate(n)``, ``full``).

Bounds are given where they are exact under every comparator Iceberg uses: booleans, integers, dates,
timestamps, decimals, and strings made of ASCII characters only. Floating-point columns (NaN) and other strings
get none: a missing bound only means no file pruning on that column, never a wrong result.
"""

from __future__ import annotations

import base64
import json
import re
import struct
from typing import TYPE_CHECKING, Any, cast

from glueforge.hadoop_table import FileMetrics  # what a manifest entry says of a file (re-exported here)
from glueforge.jvm import java_class

if TYPE_CHECKING:
    import pyarrow as pa
    import pyarrow.parquet as pq
    from pyspark.sql import SparkSession

_TRUNCATE = re.compile(r"truncate\((\d+)\)")
FIELD_ID = b"PARQUET:field_id"  # how pyarrow writes Iceberg's field ids into the Parquet schema


def file_metrics(rows: pa.Table, modes: dict[str, str], footer: pq.FileMetaData) -> FileMetrics:
    """Metrics of the file pyarrow wrote from ``rows`` (its ``footer``), keyed by the Iceberg field ids the rows'
    schema carries (``PARQUET:field_id``); ``modes``: the metrics mode by lower-case column name."""
    metrics = MetricsOfBlocks(modes)
    metrics.add(rows)
    return metrics.of_file(footer)


class MetricsOfBlocks:
    """``file_metrics`` of a file written block by block (a streamed load): counts add up, and each column's
    bounds are the smallest and largest of its blocks' extremes."""

    def __init__(self, modes: dict[str, str]) -> None:
        self.modes = modes
        self.rows = 0
        self.field_ids: dict[str, int] = {}
        self.nulls: dict[str, int] = {}
        self.extremes: dict[str, tuple[Any, Any]] = {}
        self.types: dict[str, pa.DataType] = {}

    def mode_of(self, column: str) -> str:
        return self.modes.get(column.lower(), "truncate(16)")  # Iceberg's default metrics mode

    def add(self, block: pa.Table) -> None:
        self.rows += block.num_rows
        for name in block.column_names:
            mode = self.mode_of(name)
            if mode == "none":
                continue
            column = block.column(name)
            self.field_ids[name] = int(block.schema.field(name).metadata[FIELD_ID])
            self.types[name] = column.type
            self.nulls[name] = self.nulls.get(name, 0) + column.null_count
            if mode == "counts" or column.null_count == block.num_rows:
                continue
            low, high = _extremes(column)
            if name in self.extremes:
                known_low, known_high = self.extremes[name]
                low, high = min(low, known_low), max(high, known_high)
            self.extremes[name] = (low, high)

    def of_file(self, footer: pq.FileMetaData) -> FileMetrics:
        sizes: dict[str, int] = {}
        for group in range(footer.num_row_groups):
            row_group = footer.row_group(group)
            for index in range(row_group.num_columns):
                chunk = row_group.column(index)
                sizes[chunk.path_in_schema] = sizes.get(chunk.path_in_schema, 0) + chunk.total_compressed_size
        metrics = FileMetrics(self.rows)
        for name, field_id in self.field_ids.items():
            metrics.value_counts[field_id] = self.rows
            metrics.null_counts[field_id] = self.nulls[name]
            if name in sizes:
                metrics.column_sizes[field_id] = sizes[name]
            if name in self.extremes:
                mode = self.mode_of(name)
                bounds = _serialised(self.types[name], *self.extremes[name], mode)
                if bounds is not None:
                    metrics.lower_bounds[field_id], metrics.upper_bounds[field_id] = bounds
        return metrics


def _extremes(column: pa.ChunkedArray) -> tuple[Any, Any]:
    """A column's smallest and largest value as Python values that compare as Iceberg compares them (dates and
    timestamps as days / microseconds since the epoch, UTC for timestamptz)."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.types as t

    kind = column.type
    if t.is_date32(kind) or t.is_timestamp(kind):
        column = column.cast(pa.int32() if t.is_date32(kind) else pa.int64())
    low, high = (value.as_py() for value in pc.min_max(column).values())
    return low, high


def _serialised(kind: pa.DataType, low: Any, high: Any, mode: str) -> tuple[bytes, bytes] | None:
    """Iceberg's serialised lower and upper bound of a column, or ``None`` where none is given."""
    import pyarrow.types as t

    if t.is_boolean(kind):
        return bytes([low]), bytes([high])
    if t.is_int32(kind) or t.is_date32(kind):
        return struct.pack("<i", low), struct.pack("<i", high)
    if t.is_int64(kind) or t.is_timestamp(kind):
        return struct.pack("<q", low), struct.pack("<q", high)
    if t.is_decimal(kind):
        scale = cast(Any, kind).scale
        return _unscaled(low, scale), _unscaled(high, scale)
    if t.is_string(kind) and low.isascii() and high.isascii():
        truncate = _TRUNCATE.fullmatch(mode)
        if truncate is None:  # full
            return low.encode(), high.encode()
        return _truncated_lower(low, int(truncate.group(1))), _truncated_upper(high, int(truncate.group(1)))
    return None


def _unscaled(value: Any, scale: int) -> bytes:
    """``BigDecimal.unscaledValue().toByteArray()``: big-endian two's complement, as few bytes as Java uses."""
    from decimal import localcontext

    with localcontext() as exact:
        exact.prec = 80  # the default 28 digits would round a decimal(38, s)
        unscaled = int(value.scaleb(scale))
    bits = (~unscaled).bit_length() if unscaled < 0 else unscaled.bit_length()
    return unscaled.to_bytes(bits // 8 + 1, "big", signed=True)


def _truncated_lower(value: str, length: int) -> bytes:
    return value[:length].encode()


def _truncated_upper(value: str, length: int) -> bytes:
    """The first ``length`` characters with the last one incremented when cut (ASCII: always possible)."""
    if len(value) <= length:
        return value.encode()
    return (value[: length - 1] + chr(ord(value[length - 1]) + 1)).encode()


# --- to the JVM -----------------------------------------------------------------------------------------------


def column_modes(spark: SparkSession, loaded: Any, columns: list[str]) -> dict[str, str]:
    """The table's metrics mode of each column, by lower-case name ("none", "counts", "truncate(16)", "full")."""
    config = java_class(spark, "org.apache.iceberg.MetricsConfig").forTable(loaded)
    return {name.lower(): str(config.columnMode(name)) for name in columns}


def java_metrics(spark: SparkSession, metrics: FileMetrics) -> Any:
    """An ``org.apache.iceberg.Metrics``. The maps travel as JSON: py4j would box small counts as Integer,
    where Iceberg needs Long."""
    mapper = java_class(spark, "com.fasterxml.jackson.databind.ObjectMapper")()
    types = mapper.getTypeFactory()
    class_named = java_class(spark, "java.lang.Class").forName
    integer, hash_map = class_named("java.lang.Integer"), class_named("java.util.HashMap")
    counts = types.constructMapType(hash_map, integer, class_named("java.lang.Long"))
    buffers = types.constructMapType(hash_map, integer, class_named("java.nio.ByteBuffer"))

    def java_map(values: dict[int, Any], kind: Any) -> Any:
        return mapper.readValue(json.dumps({str(k): v for k, v in values.items()}), kind)

    def bounds(values: dict[int, bytes]) -> Any:  # Jackson reads a ByteBuffer from base64
        return java_map({k: base64.b64encode(v).decode() for k, v in values.items()}, buffers)

    return java_class(spark, "org.apache.iceberg.Metrics")(
        metrics.record_count,
        java_map(metrics.column_sizes, counts),
        java_map(metrics.value_counts, counts),
        java_map(metrics.null_counts, counts),
        java_map({}, counts),  # NaN counts: unknown, as from a Parquet footer
        bounds(metrics.lower_bounds),
        bounds(metrics.upper_bounds),
    )


# --- from the table's properties, without the JVM -------------------------------------------------------------

_MODE = re.compile(r"none|counts|full|truncate\((\d+)\)", re.IGNORECASE)


def metrics_modes(properties: dict[str, str], columns: list[str]) -> dict[str, str] | None:
    """``column_modes`` from the table's properties, as Iceberg's ``MetricsConfig`` derives them for a table of
    top-level columns without a sort order; ``None`` where it would need more (more columns than Iceberg gives
    default metrics, or a mode it does not know)."""
    default = properties.get("write.metadata.metrics.default")
    inferred = properties.get("write.metadata.metrics.max-inferred-column-defaults", "100")
    if default is None and (not inferred.isdigit() or len(columns) > int(inferred)):
        return None
    modes = {}
    for name in columns:
        mode = properties.get(f"write.metadata.metrics.column.{name}", default or "truncate(16)").strip()
        match = _MODE.fullmatch(mode)
        if match is None or match.group(1) == "0":
            return None
        modes[name.lower()] = mode.lower()
    return modes
