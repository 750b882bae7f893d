"""Compaction of an ingest target: fold the delete files that incremental runs leave behind.

Every incremental run that updates rows writes delete files next to the data files: position deletes from a
``MERGE``, equality deletes from an equality-delete upsert (cheap to write, but every later read applies them).
``compact`` rewrites the data files that have deletes, with the deletes applied, and drops the delete files
that no longer apply to anything. The data and the watermark are
unchanged: the compaction snapshot carries no watermark and the state is read from its ancestors.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from glueforge.delete_files import drop_dangling_equality_deletes
from glueforge.errors import NotFoundError
from glueforge.lakehouse import TableName, table_exists
from transforms.incremental_jdbc_ingest.state import snapshot_summary, target_lock

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

REWRITE_OPTIONS = {
    "delete-file-threshold": "1",  # any data file with a delete file is rewritten
    "min-input-files": "1",
    # The rewritten files take the rewrite's own sequence number, above the equality deletes', so those no
    # longer apply to them. A delete committed meanwhile fails the rewrite's validation instead.
    "use-starting-sequence-number": "false",
}


def compact(spark: SparkSession, table: TableName) -> dict[str, Any]:
    """Rewrite the data files that have deletes; returns the file counts before and after."""
    if not table_exists(spark, table):
        raise NotFoundError(f"target {table} does not exist", where="compact")
    with target_lock(spark, table):  # no ingest run of this machine commits meanwhile
        return compact_locked(spark, table)


def compact_locked(spark: SparkSession, table: TableName) -> dict[str, Any]:
    """``compact`` for a caller that already holds the target's lock (an ingest run compacting after itself)."""
    catalog = table.catalog or spark.catalog.currentCatalog()
    options = ", ".join(f"'{key}', '{value}'" for key, value in REWRITE_OPTIONS.items())
    before = snapshot_summary(spark, table)
    row = spark.sql(
        f"CALL `{catalog}`.system.rewrite_data_files(table => '{table.namespace}.{table.table}', "
        f"options => map({options}))"
    ).first()
    # The rewritten data files' delete files still count as live until rewritten themselves; rewriting them
    # drops every position that no longer points at a live data file.
    spark.sql(
        f"CALL `{catalog}`.system.rewrite_position_delete_files(table => '{table.namespace}.{table.table}', "
        "options => map('rewrite-all', 'true'))"
    ).collect()
    drop_dangling_equality_deletes(spark, table)
    after = snapshot_summary(spark, table)
    assert row is not None
    return {
        "target": str(table),
        "rewritten_data_files": int(row["rewritten_data_files_count"]),
        "added_data_files": int(row["added_data_files_count"]),
        "delete_files_before": int(before.get("total-delete-files", 0)),
        "delete_files_after": int(after.get("total-delete-files", 0)),
        "records": int(after.get("total-records", 0)) - int(after.get("total-position-deletes", 0)),
    }
