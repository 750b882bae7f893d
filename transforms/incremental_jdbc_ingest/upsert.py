"""Upsert by equality delete: replace the target's rows of the batch keys without scanning the target.

A ``MERGE`` must find each old row's file and position, which is a scan of the target's key column however
few rows change. When every batch row is known to win over the target's row of the same key (the caller
has already dropped the rows that lose), the upsert is one Iceberg v2 ``RowDelta`` instead, as Flink's
upsert sinks write it: the batch rows as new data files plus an *equality delete* file of their keys.
Both get the same sequence number, so the deletes apply to every older data file and never to the new
rows. Spark cannot write equality deletes itself, so Spark writes the two Parquet files (with Iceberg's
field ids), and the commit goes through Iceberg's Java API with the watermark in its summary.

Readers apply the equality deletes until ``glueforge ingest compact`` folds them into the data files.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from glueforge.jvm import java_class
from glueforge.lakehouse import TableName, quote
from transforms.incremental_jdbc_ingest.state import iceberg_table
from transforms.incremental_jdbc_ingest.writer import conflict_error, is_conflict, session_conf

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

FIELD_ID_KEY = "parquet.field.id"  # StructField metadata Spark writes into the Parquet schema as field ids
# Spark's defaults write timestamps as INT96, which Iceberg's reader and metrics do not treat as timestamps.
WRITE_CONF = {
    "spark.sql.parquet.outputTimestampType": "TIMESTAMP_MICROS",
    "spark.sql.parquet.fieldId.write.enabled": "true",
    # each task writes one kind of file: open writers per kind instead of sorting the rows by kind first
    "spark.sql.maxConcurrentOutputFileWriters": "2",
}
KIND_COLUMN, DATA, DELETES = "_gf_file", "data", "deletes"  # one directory per kind of file
UNSUITABLE_KEY_TYPES = ("FLOAT", "DOUBLE")  # Iceberg refuses them as identifier/equality fields


@dataclass(frozen=True)
class UpsertResult:
    data_files: int
    delete_files: int
    snapshot_id: int


def unsuitable_reason(
    spark: SparkSession,
    table: TableName,
    keys: tuple[str, ...],
    batch_columns: list[str] | None = None,
    *,
    loaded: Any = None,
) -> str | None:
    """Why the target cannot take an equality-delete upsert (``None``: it can); ``loaded``: the Iceberg table
    if the caller has it already."""
    loaded = loaded if loaded is not None else iceberg_table(spark, table)
    version = _format_version(loaded)
    if version < 2:
        return f"format-version {version} has no delete files"
    if not loaded.spec().isUnpartitioned():
        return "partitioned table (equality deletes here are written unpartitioned)"
    mode = str(loaded.properties().getOrDefault("write.merge.mode", "copy-on-write"))
    if mode != "merge-on-read":
        return f"write.merge.mode={mode}: the table's owner asked for rewritten files, not delete files"
    schema = loaded.schema()
    for key in keys:
        field = schema.caseInsensitiveFindField(key)
        if field is None:
            return f"key column {key} is not in the target"
        if str(field.type().typeId().name()) in UNSUITABLE_KEY_TYPES:
            return f"key column {key} is floating point"
    if batch_columns is not None:
        sent = {c.lower() for c in batch_columns}
        missing = [str(f.name()) for f in schema.columns() if str(f.name()).lower() not in sent]
        if missing:  # a new row version would carry NULL there; a MERGE's UPDATE keeps the target's values
            return f"the source no longer sends target column(s) {', '.join(missing)}"
    return None


def upsert(
    spark: SparkSession,
    table: TableName,
    rows: DataFrame,
    keys: tuple[str, ...],
    properties: dict[str, str],
    start_snapshot: int | None,
) -> UpsertResult:
    """Commit ``rows`` (each the winning version of its key) so that they replace the target's rows of the
    same keys: data files + one equality-delete file in one snapshot carrying ``properties``. Fails with
    ``ConcurrentRunError`` if anything else committed since ``start_snapshot``; nothing is left behind."""
    loaded = iceberg_table(spark, table)
    columns = [f.name for f in spark.table(table.sql).schema.fields if f.name in rows.columns]
    staging = str(loaded.locationProvider().newDataLocation(f"gf-upsert-{uuid.uuid4().hex[:16]}"))
    files = _Files(spark, staging)
    ids = field_ids(spark, loaded.schema())
    with removed_unless_committed(files.remove_all):
        with session_conf(spark, WRITE_CONF):
            _both_files(rows, columns, keys, ids).write.partitionBy(KIND_COLUMN).option(
                "compression", table_codec(loaded)
            ).parquet(staging)
        data_paths = files.parquet(f"{staging}/{KIND_COLUMN}={DATA}")
        delete_paths = files.parquet(f"{staging}/{KIND_COLUMN}={DELETES}")
        snapshot_id = commit_files(spark, loaded, table, data_paths, delete_paths, keys, properties, start_snapshot)
    files.drop_markers()
    spark.sql(f"REFRESH TABLE {table.sql}")  # Spark's cached relation must see the new snapshot
    return UpsertResult(len(data_paths), len(delete_paths), snapshot_id)


class CommitStateUnknown(Exception):
    """Iceberg could not tell whether the commit landed (``CommitStateUnknownException``): keep the files."""


@contextlib.contextmanager
def removed_unless_committed(remove: Callable[[], None]) -> Iterator[None]:
    """Files staged inside the block are referenced by no snapshot until its commit: any failure removes them
    (``remove``), except ``CommitStateUnknown``, where the commit may have landed (orphans at worst)."""
    try:
        yield
    except CommitStateUnknown:
        raise
    except BaseException:
        with contextlib.suppress(Exception):  # the original failure is the one to report
            remove()
        raise


def table_codec(loaded: Any) -> str:
    return codec_of(loaded.properties())


def codec_of(properties: Mapping[str, str]) -> str:
    """The table's ``write.parquet.compression-codec`` (Iceberg's default: zstd), from its properties."""
    return str(properties.get("write.parquet.compression-codec") or "zstd").lower()


def commit_files(
    spark: SparkSession,
    loaded: Any,
    table: TableName,
    data_paths: list[str],
    delete_paths: list[str],
    keys: tuple[str, ...],
    properties: dict[str, str],
    start_snapshot: int | None,
    *,
    described: dict[str, tuple[int, Any]] | None = None,
) -> int:
    """One ``RowDelta``: the Parquet data files plus equality-delete files of ``keys`` (each described from its
    footer, unless ``described`` gives its size and Iceberg ``Metrics``), ``properties`` in the snapshot summary,
    validated against anything committed since ``start_snapshot``. Returns the new snapshot id; raises
    ``ConcurrentRunError`` on a conflict and ``CommitStateUnknown`` when Iceberg cannot tell whether the commit
    landed."""
    jvm: Any = cast(Any, spark)._jvm
    ids = field_ids(spark, loaded.schema())
    spec, io = loaded.spec(), loaded.io()
    parquet = java_class(spark, "org.apache.iceberg.FileFormat").PARQUET
    delta = loaded.newRowDelta()
    described = described or {}
    undescribed = [path for path in [*data_paths, *delete_paths] if path not in described]
    metrics_config = jvm.org.apache.iceberg.MetricsConfig.forTable(loaded) if undescribed else None

    def entry(builder: Any, path: str) -> Any:
        """A data or delete file's entry: path, size and column metrics (from its Parquet footer if not given)."""
        if path in described:
            size, metrics = described[path]
        else:
            source = io.newInputFile(path)
            size = source.getLength()
            metrics = jvm.org.apache.iceberg.parquet.ParquetUtil.fileMetrics(source, metrics_config)
        return builder.withPath(path).withFormat(parquet).withFileSizeInBytes(size).withMetrics(metrics)

    for path in data_paths:
        delta.addRows(entry(java_class(spark, "org.apache.iceberg.DataFiles").builder(spec), path).build())
    if delete_paths:
        equality_ids = cast(Any, spark).sparkContext._gateway.new_array(jvm.int, len(keys))
        for index, key in enumerate(keys):
            equality_ids[index] = ids[key.lower()]
        for path in delete_paths:
            deletes = java_class(spark, "org.apache.iceberg.FileMetadata").deleteFileBuilder(spec)
            deletes = deletes.ofEqualityDeletes(equality_ids)
            delta.addDeletes(entry(deletes, path).build())
    for name, value in properties.items():
        delta.set(name, value)
    if start_snapshot is not None:
        # Optimistic concurrency: any data or delete file committed by someone else since the run began
        # fails this commit instead of being silently overridden.
        delta.validateFromSnapshot(start_snapshot)
        delta.validateNoConflictingDataFiles()
        delta.validateNoConflictingDeleteFiles()
    try:
        delta.commit()
    except Exception as exc:
        if "CommitStateUnknownException" in str(exc):
            raise CommitStateUnknown(str(table)) from exc
        if is_conflict(exc):
            raise conflict_error(table) from None
        raise
    return int(loaded.currentSnapshot().snapshotId())


def _format_version(loaded: Any) -> int:
    try:
        return int(loaded.operations().current().formatVersion())
    except Exception:  # a table without operations (a metadata table): not a v2 target
        return 1


def _both_files(rows: DataFrame, columns: list[str], keys: tuple[str, ...], ids: dict[str, int]) -> DataFrame:
    """The data rows and the equality-delete rows as one frame, told apart by ``KIND_COLUMN``, so that one
    Spark job writes both files, every column tagged with its Iceberg field id (Iceberg reads Parquet by id).
    A delete row carries its key only: the reader of an equality-delete file reads just the equality
    columns; the others are NULL and compress to nothing."""
    from pyspark.sql import functions as F

    types = {f.name: f.dataType for f in rows.schema.fields}
    wanted = {k.lower() for k in keys}
    data = rows.select(
        *[F.col(quote(c)).alias(c, metadata={FIELD_ID_KEY: ids[c.lower()]}) for c in columns],
        F.lit(DATA).alias(KIND_COLUMN),
    )
    deletes = rows.selectExpr(
        *[
            quote(c) if c.lower() in wanted else f"CAST(NULL AS {types[c].simpleString()}) AS {quote(c)}"
            for c in columns
        ],
        f"'{DELETES}' AS {KIND_COLUMN}",
    )
    return data.union(deletes)  # a union's columns are its first input's: field ids included


def field_ids(spark: SparkSession, schema: Any) -> dict[str, int]:
    """Top-level column name (lower case) -> Iceberg field id, from one JSON rendering of the schema."""
    import json

    rendered = json.loads(str(java_class(spark, "org.apache.iceberg.SchemaParser").toJson(schema)))
    return {field["name"].lower(): int(field["id"]) for field in rendered["fields"]}


class _Files:
    """The staging directory through Hadoop's FileSystem (local, HDFS or S3, as Spark wrote it)."""

    def __init__(self, spark: SparkSession, root: str) -> None:
        jvm: Any = cast(Any, spark)._jvm
        self._path = jvm.org.apache.hadoop.fs.Path
        self.root = self._path(root)
        self.fs = self.root.getFileSystem(cast(Any, spark).sparkContext._jsc.hadoopConfiguration())
        checksum_class = jvm.java.lang.Class.forName("org.apache.hadoop.fs.ChecksumFileSystem")
        self._checksummed = bool(checksum_class.isInstance(self.fs))

    def _listing(self, directory: str) -> list[Any]:
        path = self._path(directory)
        return list(self.fs.listStatus(path)) if self.fs.exists(path) else []

    def parquet(self, directory: str) -> list[str]:
        """Paths spelled as ``directory`` is (as Iceberg spells its own files), not as Hadoop qualifies them."""
        names = (str(s.getPath().getName()) for s in self._listing(directory))
        return sorted(f"{directory}/{name}" for name in names if name.endswith(".parquet"))

    def drop_markers(self) -> None:
        """Spark's ``_SUCCESS`` and checksum files are not part of the table: keep only the Parquet files."""
        # a local ChecksumFileSystem hides its .crc files from listings: list and delete through the raw one
        raw = self.fs.getRawFileSystem() if self._checksummed else self.fs
        for directory in (f"/{KIND_COLUMN}={DATA}", f"/{KIND_COLUMN}={DELETES}", ""):
            path = self._path(f"{self.root.toString()}{directory}")
            for status in raw.listStatus(path) if raw.exists(path) else []:
                if status.isFile() and not status.getPath().getName().endswith(".parquet"):
                    raw.delete(status.getPath(), False)

    def remove_all(self) -> None:
        if self.fs.exists(self.root):
            self.fs.delete(self.root, True)
