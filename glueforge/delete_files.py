"""Iceberg delete-file housekeeping shared by ingest compaction and GDPR erasure.

Equality-delete files (written by ingest's upserts) hold the key values of the rows they delete. After
``rewrite_data_files`` gives every live data file a sequence number above theirs they apply to nothing, but
Iceberg keeps them live in unpartitioned tables (its dangling-delete cleanup skips those), so their values would
outlive a compaction or an erasure. ``drop_dangling_equality_deletes`` removes them in one commit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from glueforge.jvm import java_class
from glueforge.lakehouse import TableName, load_table

if TYPE_CHECKING:
    from pyspark.sql import SparkSession


_SPARK_TABLE = "org.apache.iceberg.spark.source.SparkTable"


def find_java_table(spark: SparkSession, table: TableName | str) -> Any | None:
    """The Iceberg Java ``Table`` behind a Spark table name, with fresh metadata; ``None``: no such table.

    One lookup through the catalog API (no SQL parser; ``Spark3Util`` parses the name), so callers need no
    separate existence check."""
    name = table if isinstance(table, TableName) else TableName.parse(table)
    found = load_table(spark, name)
    if found is None:
        return None
    loaded = found.table() if found.getClass().getName() == _SPARK_TABLE else _spark3util_table(spark, name)
    loaded.refresh()
    return loaded


def java_table(spark: SparkSession, table: TableName | str) -> Any:
    """``find_java_table``, for a table that must exist: Iceberg's own error names a missing one."""
    loaded = find_java_table(spark, table)
    return loaded if loaded is not None else _spark3util_table(spark, table)


def _spark3util_table(spark: SparkSession, table: TableName | str) -> Any:
    """Iceberg's own lookup by name: raises Iceberg's error for a missing or non-Iceberg table."""
    spark3util = java_class(spark, "org.apache.iceberg.spark.Spark3Util")
    return spark3util.loadIcebergTable(cast(Any, spark)._jsparkSession, str(table))


def drop_dangling_equality_deletes(spark: SparkSession, table: TableName | str) -> int:
    """Remove the equality-delete files that apply to no live data file any more (an equality delete applies
    to data files of a lower sequence number only); returns how many were removed."""
    loaded = java_table(spark, table)
    snapshot = loaded.currentSnapshot()
    if snapshot is None:
        return 0
    manifest_files = java_class(spark, "org.apache.iceberg.ManifestFiles")
    io, specs = loaded.io(), loaded.specs()
    data_manifests = list(snapshot.dataManifests(io))
    if not data_manifests:
        return 0
    oldest_data = min(int(m.minSequenceNumber()) for m in data_manifests)
    dangling = []
    for manifest in snapshot.deleteManifests(io):
        reader = manifest_files.readDeleteManifest(manifest, io, specs)
        try:
            files = reader.iterator()
            while files.hasNext():
                file = files.next()
                equality = str(file.content().name()) == "EQUALITY_DELETES"
                if equality and int(file.dataSequenceNumber()) <= oldest_data:
                    dangling.append(file.copy())  # the reader reuses its objects
        finally:
            reader.close()
    if dangling:
        rewrite = loaded.newRewrite().validateFromSnapshot(snapshot.snapshotId())
        for file in dangling:
            rewrite.deleteFile(file)
        rewrite.commit()
    return len(dangling)
