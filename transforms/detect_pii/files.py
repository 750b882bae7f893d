"""CSV/Parquet in and out for the ``pii`` CLI: read everything as text (CSV), write one file atomically.

Output is written to a hidden temporary folder next to the target and renamed onto the target path only
after Spark finished; a failed detection/masking job leaves no output (and no stale previous output is
replaced).
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

from glueforge.errors import InputError, NotFoundError

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

FORMATS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}
# RFC 4180 quoting both ways; keep leading/trailing blanks (Spark's CSV writer trims them by default).
CSV_READ = {"header": "true", "multiLine": "true", "escape": '"', "inferSchema": "false", "mode": "FAILFAST"}
CSV_WRITE = {"header": "true", "escape": '"', "ignoreLeadingWhiteSpace": "false", "ignoreTrailingWhiteSpace": "false"}


def file_format(path: Path) -> str:
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise InputError(f"unsupported file type {path.suffix!r}; use .csv or .parquet", where=str(path))
    return fmt


def read_file(spark: SparkSession, path: Path) -> DataFrame:
    """CSV: every column as string, exactly as written (leading zeros and formatting kept)."""
    if not path.exists():
        raise NotFoundError("input file does not exist", where=str(path))
    fmt = file_format(path)
    reader = spark.read.options(**CSV_READ) if fmt == "csv" else spark.read
    return reader.format(fmt).load(str(path.resolve()))


def write_file(df: DataFrame, path: Path, fmt: str) -> None:
    """One file at exactly ``path`` (same rows, same order), via a temporary folder and a rename."""
    path = path.resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = path.parent / f".{path.name}.{uuid.uuid4().hex[:8]}.tmp"
    try:
        writer = df.coalesce(1).write.mode("error").format(fmt)
        if fmt == "csv":
            writer = writer.options(**CSV_WRITE)
        writer.save(str(staging))
        parts = sorted(p for p in staging.iterdir() if p.name.startswith("part-") and not p.name.endswith(".crc"))
        if len(parts) != 1:
            raise InputError(f"expected one output part, found {len(parts)}", where=str(path))
        os.replace(parts[0], path)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
