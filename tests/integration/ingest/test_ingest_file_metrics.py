"""The direct path's file metrics, computed in Python, against Iceberg's own ``ParquetUtil.fileMetrics`` on the
very same file: every count and every bound given must be Iceberg's, byte for byte."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from transforms.incremental_jdbc_ingest import direct, direct_load
from transforms.incremental_jdbc_ingest.file_metrics import FIELD_ID, column_modes, file_metrics, java_metrics
from transforms.incremental_jdbc_ingest.upsert import field_ids

COLUMNS = (
    "id bigint, ok boolean, small int, ratio float, measure double, day date, local_ts timestamp_ntz, "
    "at timestamp, price decimal(12,2), wide decimal(38,10), label string, body string, empty string"
)
LONG_TEXT = "abcdefghijklmnopqrstuvwxyz"  # longer than the default truncate(16)


def _rows() -> pa.Table:
    return pa.table(
        {
            "id": pa.array([3, -9_223_372_036_854_775_807, 9_223_372_036_854_775_807, None], pa.int64()),
            "ok": pa.array([True, None, False, True]),
            "small": pa.array([-2_147_483_648, 0, 7, 2_147_483_647], pa.int32()),
            "ratio": pa.array([0.5, float("nan"), -1.5, None], pa.float32()),
            "measure": pa.array([1e308, -0.0, float("inf"), 2.5], pa.float64()),
            "day": pa.array([date(1969, 12, 31), date(2000, 2, 29), None, date(1, 1, 1)], pa.date32()),
            "local_ts": pa.array(
                [datetime(1969, 12, 31, 23, 59, 59, 999999), datetime(2026, 1, 1), None, datetime(1970, 1, 1)],
                pa.timestamp("us"),
            ),
            "at": pa.array(
                [datetime(1900, 1, 1, tzinfo=UTC), None, datetime(2026, 11, 27, 12, 0, 0, 1, tzinfo=UTC), None],
                pa.timestamp("us", tz="UTC"),
            ),
            # -1.28 is unscaled -128: one byte in Java's two's complement, a sign trap for a naive encoding
            "price": pa.array(
                [Decimal("-1.28"), Decimal("0.00"), Decimal("9999999999.99"), None], pa.decimal128(12, 2)
            ),
            "wide": pa.array(
                [Decimal("-9999999999999999999999999999.9999999999"), Decimal("1.0000000001"), None, Decimal("0")],
                pa.decimal128(38, 10),
            ),
            "label": pa.array(["b", LONG_TEXT, "a" * 16, "zz" + "~" * 20]),
            "body": pa.array(["plain", "ünïcødé", None, "é"]),  # non-ASCII: no bounds from us
            "empty": pa.array([None, None, None, None], pa.string()),
        }
    )


def _table(spark: Any, name: str, properties: str = "") -> Any:
    spark.sql("CREATE NAMESPACE IF NOT EXISTS metrics")
    spark.sql(f"DROP TABLE IF EXISTS metrics.{name}")
    spark.sql(f"CREATE TABLE metrics.{name} ({COLUMNS}) USING iceberg TBLPROPERTIES ('format-version'='2'{properties})")
    return spark._jvm.org.apache.iceberg.spark.Spark3Util.loadIcebergTable(spark._jsparkSession, f"metrics.{name}")


def _as_python(spark: Any, metrics: Any) -> dict[str, Any]:
    """An Iceberg ``Metrics`` as plain dicts (bounds as bytes)."""
    to_bytes = spark._jvm.org.apache.iceberg.util.ByteBuffers.toByteArray

    def counts(java_map: Any) -> dict[int, int]:
        return {int(k): int(v) for k, v in dict(java_map or {}).items()}

    def bounds(java_map: Any) -> dict[int, bytes]:
        return {int(k): bytes(to_bytes(v)) for k, v in dict(java_map or {}).items()}

    return {
        "records": int(metrics.recordCount()),
        "sizes": counts(metrics.columnSizes()),
        "values": counts(metrics.valueCounts()),
        "nulls": counts(metrics.nullValueCounts()),
        "lower": bounds(metrics.lowerBounds()),
        "upper": bounds(metrics.upperBounds()),
    }


def _both(spark: Any, loaded: Any, rows: pa.Table, tmp_path: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """(ours, Iceberg's) metrics of one file pyarrow wrote from ``rows``."""
    path = str(tmp_path / "file.parquet")
    ids = field_ids(spark, loaded.schema())
    schema = pa.schema([f.with_metadata({FIELD_ID: str(ids[f.name])}) for f in rows.schema])
    rows = rows.cast(schema)  # as the direct read builds them: Iceberg matches Parquet columns by field id
    size, footer = direct._write_parquet(spark, loaded.io(), path, rows, "zstd")
    assert size == Path(path).stat().st_size
    ours = java_metrics(spark, file_metrics(rows, column_modes(spark, loaded, rows.column_names), footer))
    config = spark._jvm.org.apache.iceberg.MetricsConfig.forTable(loaded)
    theirs = spark._jvm.org.apache.iceberg.parquet.ParquetUtil.fileMetrics(loaded.io().newInputFile(path), config)
    return _as_python(spark, ours), _as_python(spark, theirs)


def test_counts_and_bounds_are_icebergs_own(lakehouse: Any, tmp_path: Path) -> None:
    loaded = _table(lakehouse.spark, "every_type")
    ours, theirs = _both(lakehouse.spark, loaded, _rows(), tmp_path)
    for part in ("records", "sizes", "values", "nulls"):
        assert ours[part] == theirs[part], part
    ids = field_ids(lakehouse.spark, loaded.schema())
    # exact types: the same bounds, truncated strings included
    bounded = ("id", "ok", "small", "day", "local_ts", "at", "price", "wide", "label")
    for name in bounded:
        field_id = ids[name]
        assert ours["lower"][field_id] == theirs["lower"][field_id], name
        assert ours["upper"][field_id] == theirs["upper"][field_id], name
    assert ours["upper"][ids["label"]] == b"zz~~~~~~~~~~~~~\x7f"  # cut at 16 and the last character incremented
    # no bound where one could be ambiguous (NaN, non-ASCII text) or there is no value
    for name in ("ratio", "measure", "body", "empty"):
        assert ids[name] not in ours["lower"] and ids[name] not in ours["upper"], name
    assert set(ours["lower"]) == {ids[name] for name in bounded}


def test_metrics_modes_of_the_table_are_followed(lakehouse: Any, tmp_path: Path) -> None:
    modes = (
        ", 'write.metadata.metrics.default'='counts', 'write.metadata.metrics.column.label'='full', "
        "'write.metadata.metrics.column.small'='none', 'write.metadata.metrics.column.id'='truncate(4)'"
    )
    loaded = _table(lakehouse.spark, "modes", modes)
    ours, theirs = _both(lakehouse.spark, loaded, _rows(), tmp_path)
    ids = field_ids(lakehouse.spark, loaded.schema())
    for part in ("records", "values", "nulls"):
        assert ours[part] == theirs[part], part
    assert ids["small"] not in ours["values"] and ids["small"] not in ours["nulls"]
    assert set(ours["lower"]) == set(theirs["lower"]) == {ids["id"], ids["label"]}
    assert ours["upper"][ids["label"]] == theirs["upper"][ids["label"]] == ("zz" + "~" * 20).encode()  # full
    assert ours["lower"][ids["id"]] == theirs["lower"][ids["id"]]  # numbers are never truncated


@pytest.mark.parametrize(
    "value",
    ["-1.28", "-128.00", "1.27", "-0.01", "0.01", "-327.68", "327.67", "-83886.09", "-" + "9" * 36 + ".99"],
)
def test_decimal_bounds_use_javas_shortest_twos_complement(value: str) -> None:
    from transforms.incremental_jdbc_ingest.file_metrics import _unscaled

    unscaled = int(value.replace(".", ""))  # every value has two decimals
    encoded = _unscaled(Decimal(value), 2)
    assert int.from_bytes(encoded, "big", signed=True) == unscaled
    shorter = encoded[1:]
    # Java's BigInteger.toByteArray: no byte that only repeats the sign
    assert not shorter or int.from_bytes(shorter, "big", signed=True) != unscaled


def test_a_file_written_block_by_block_gets_icebergs_metrics(lakehouse: Any) -> None:
    """The streamed first load describes each file from its blocks: one row per block here, so every count
    adds up across blocks and every bound is the extreme of other blocks' (a block of NULLs in between)."""
    spark = lakehouse.spark
    loaded = _table(spark, "blocks")
    ids = field_ids(spark, loaded.schema())
    rows = _rows()
    schema = pa.schema([f.with_metadata({FIELD_ID: str(ids[f.name])}) for f in rows.schema])
    blocks = [rows.slice(i, 1).cast(schema) for i in range(rows.num_rows)]
    written: list[str] = []
    loaded_files = direct_load.write_files(spark, loaded, iter(blocks), written, largest_of="id")
    assert len(written) == 1 and loaded_files.rows == rows.num_rows
    assert loaded_files.largest == 9_223_372_036_854_775_807
    size, metrics = loaded_files.described[written[0]]
    assert size == Path(written[0].removeprefix("file:")).stat().st_size
    config = spark._jvm.org.apache.iceberg.MetricsConfig.forTable(loaded)
    read_back = spark._jvm.org.apache.iceberg.parquet.ParquetUtil.fileMetrics
    theirs = _as_python(spark, read_back(loaded.io().newInputFile(written[0]), config))
    ours = _as_python(spark, metrics)
    for part in ("records", "sizes", "values", "nulls"):
        assert ours[part] == theirs[part], part
    bounded = ("id", "ok", "small", "day", "local_ts", "at", "price", "wide", "label")
    for name in bounded:
        assert ours["lower"][ids[name]] == theirs["lower"][ids[name]], name
        assert ours["upper"][ids[name]] == theirs["upper"][ids[name]], name
    assert set(ours["lower"]) == {ids[name] for name in bounded}
