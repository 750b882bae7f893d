"""File sources and sinks for ``connection_type="s3"``: Glue format names and options to Spark readers/writers."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from pyspark.sql import DataFrame, DataFrameReader, DataFrameWriter, SparkSession

from glueforge.errors import InputError, NotFoundError
from glueforge.glue_runtime.paths import to_local_path


def _truthy(value: Any) -> bool:
    return str(value).strip().lower() in {"true", "1", "yes"}


def _csv_read(reader: DataFrameReader, options: dict[str, Any]) -> DataFrameReader:
    return (
        reader.format("csv")
        .option("header", str(_truthy(options.get("withHeader", False))).lower())
        .option("sep", str(options.get("separator", ",")))
        .option("quote", str(options.get("quoteChar", '"')))
        .option("escape", str(options.get("escaper", options.get("quoteChar", '"'))))
        .option("multiLine", str(_truthy(options.get("multiLine", options.get("multiline", False)))).lower())
        .option("inferSchema", "true")
    )


def _json_read(reader: DataFrameReader, options: dict[str, Any]) -> DataFrameReader:
    multiline = options.get("multiline", options.get("multiLine", False))
    return reader.format("json").option("multiLine", str(_truthy(multiline)).lower())


def _plain(fmt: str) -> Callable[[DataFrameReader, dict[str, Any]], DataFrameReader]:
    return lambda reader, _options: reader.format(fmt)


READERS: dict[str, Callable[[DataFrameReader, dict[str, Any]], DataFrameReader]] = {
    "csv": _csv_read,
    "json": _json_read,
    "parquet": _plain("parquet"),
    "glueparquet": _plain("parquet"),
    "orc": _plain("orc"),
}


def _csv_write(writer: DataFrameWriter, options: dict[str, Any]) -> DataFrameWriter:
    return (
        writer.format("csv")
        .option("header", str(_truthy(options.get("writeHeader", True))).lower())
        .option("sep", str(options.get("separator", ",")))
        .option("quote", str(options.get("quoteChar", '"')))
    )


def _compressed(fmt: str) -> Callable[[DataFrameWriter, dict[str, Any]], DataFrameWriter]:
    def configure(writer: DataFrameWriter, options: dict[str, Any]) -> DataFrameWriter:
        writer = writer.format(fmt)
        if options.get("compression"):
            writer = writer.option("compression", str(options["compression"]).lower())
        return writer

    return configure


WRITERS: dict[str, Callable[[DataFrameWriter, dict[str, Any]], DataFrameWriter]] = {
    "csv": _csv_write,
    "json": _compressed("json"),
    "parquet": _compressed("parquet"),
    "glueparquet": _compressed("parquet"),
    "orc": _compressed("orc"),
}


def _format(fmt: str | None, registry: dict[str, Any], what: str) -> str:
    name = (fmt or "").strip().lower()
    if name not in registry:
        raise InputError(f"unsupported format {fmt!r} (supported: {', '.join(sorted(registry))})", where=what)
    return name


def source_paths(connection_options: dict[str, Any]) -> list[str]:
    paths = connection_options.get("paths", connection_options.get("path"))
    if isinstance(paths, str):
        paths = [paths]
    if not paths:
        raise InputError("s3 source needs connection_options['paths']", where="connection_options")
    return [str(p) for p in paths]


def read_s3(
    spark: SparkSession,
    data_root: Path,
    connection_options: dict[str, Any],
    fmt: str | None,
    format_options: dict[str, Any],
) -> DataFrame:
    name = _format(fmt, READERS, "create_dynamic_frame.from_options format")
    locals_ = []
    for path in source_paths(connection_options):
        local = to_local_path(path, data_root)
        if not local.exists():
            raise NotFoundError(f"{path} does not exist locally (looked for {local})", where="s3 source")
        locals_.append(str(local))
    reader = READERS[name](spark.read, format_options)
    if _truthy(connection_options.get("recurse", False)):
        reader = reader.option("recursiveFileLookup", "true")
    df = reader.load(locals_)
    if name == "csv" and not _truthy(format_options.get("withHeader", False)):
        df = df.toDF(*[f"col{i}" for i in range(len(df.columns))])  # Glue names headerless columns col0, col1...
    return df


def write_s3(
    df: DataFrame,
    data_root: Path,
    connection_options: dict[str, Any],
    fmt: str | None,
    format_options: dict[str, Any],
) -> Path:
    name = _format(fmt, WRITERS, "write_dynamic_frame.from_options format")
    path = connection_options.get("path")
    if not path:
        raise InputError("s3 sink needs connection_options['path']", where="connection_options")
    local = to_local_path(str(path), data_root)
    writer = WRITERS[name](df.write.mode("append"), format_options)
    partition_keys = [str(k) for k in connection_options.get("partitionKeys") or []]
    missing = [k for k in partition_keys if k not in df.columns]
    if missing:
        raise InputError(
            f"partitionKeys {missing} are not columns of the frame ({', '.join(df.columns)})",
            where="write_dynamic_frame.from_options",
        )
    if partition_keys:
        writer = writer.partitionBy(*partition_keys)
    writer.save(str(local))
    return local
