"""GDPR right to be forgotten on the Iceberg lakehouse: delete a data subject everywhere, physically.

For every table that matches the pattern and has the subject column:

1. ``DELETE FROM t WHERE col = value`` (a new snapshot without the rows);
2. merge-on-read tables keep the old data file plus a delete file, so files with deletes are rewritten;
3. ``expire_snapshots`` retaining only the new snapshot: older snapshots and the data files only they
   referenced (the ones holding the subject) are deleted;
4. orphan files (left by failed writes, possibly holding the subject) are removed with ``older_than`` = now.
   Iceberg's ``remove_orphan_files`` procedure refuses intervals under 24 hours; its error message points to the
   Action API for "arbitrary intervals", which is what is used here (``SparkActions.deleteOrphanFiles``).
   This is only safe with no concurrent writer, which the local hadoop catalog (single writer) assumes anyway.
5. every Parquet file left under the table's location is scanned with pyarrow: the report says whether the
   value is physically gone.

The report never contains the value itself, only its SHA-256.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from glueforge.delete_files import drop_dangling_equality_deletes, java_table
from glueforge.errors import InputError, NotFoundError
from glueforge.lakehouse import IDENTIFIER, TableName, check_identifier

if TYPE_CHECKING:
    from pyspark.sql import SparkSession


@dataclass
class TableErasure:
    table: str
    rows_deleted: int
    snapshots_expired: int = 0
    data_files_deleted: int = 0
    orphan_files_removed: int = 0
    rewrote_delete_files: bool = False
    parquet_files_scanned: int = 0
    value_still_present_in: list[str] = field(default_factory=list)

    @property
    def verified(self) -> bool:
        return not self.value_still_present_in


@dataclass
class ErasureReport:
    subject_column: str
    value_sha256: str
    tables_pattern: str
    started_at: str
    finished_at: str = ""
    erased: list[TableErasure] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)
    report_path: Path | None = None

    @property
    def verified(self) -> bool:
        return all(t.verified for t in self.erased)

    @property
    def rows_deleted(self) -> int:
        return sum(t.rows_deleted for t in self.erased)

    def to_dict(self) -> dict[str, Any]:
        return {
            "subject_column": self.subject_column,
            "value_sha256": self.value_sha256,
            "tables_pattern": self.tables_pattern,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "rows_deleted": self.rows_deleted,
            "verified_absent_from_data_files": self.verified,
            "tables": [{**asdict(t), "verified": t.verified} for t in self.erased],
            "skipped": self.skipped,
        }


def sql_literal(value: str) -> str:
    """A Spark SQL string literal (Spark casts it to the column's type when comparing)."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def list_tables(spark: SparkSession) -> list[TableName]:
    """Every table of the current catalog (top-level namespaces)."""
    tables: list[TableName] = []
    for row in spark.sql("SHOW NAMESPACES").collect():
        namespace = row[0]
        if not IDENTIFIER.match(namespace):  # e.g. a stray folder in a hadoop warehouse: it holds no tables of ours
            continue
        for table_row in spark.sql(f"SHOW TABLES IN `{namespace}`").collect():
            tables.append(TableName(namespace, table_row["tableName"]))
    return sorted(tables, key=str)


def matching_tables(spark: SparkSession, pattern: str) -> list[TableName]:
    """Tables whose ``namespace.table`` matches any comma-separated glob of ``pattern``."""
    globs = [p.strip() for p in pattern.split(",") if p.strip()]
    if not globs:
        raise InputError("the table pattern is empty", where="--tables")
    return [t for t in list_tables(spark) if any(fnmatch.fnmatchcase(str(t), g) for g in globs)]


def table_location(spark: SparkSession, table: TableName) -> Path:
    rows = spark.sql(f"DESCRIBE TABLE EXTENDED {table.sql}").collect()
    location = next(r["data_type"] for r in rows if r["col_name"] == "Location")
    return Path(location.removeprefix("file:"))


def parquet_files_with_value(root: Path, column: str, value: str) -> tuple[int, list[Path]]:
    """(files scanned, files whose ``column`` holds ``value``) for every Parquet file under ``root``."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    scanned, hits = 0, []
    for path in sorted(root.rglob("*.parquet")):
        scanned += 1
        parquet = pq.ParquetFile(path)
        if column not in parquet.schema_arrow.names:
            continue
        values = parquet.read(columns=[column]).column(column)
        as_text = pc.cast(values, "string") if values.type != "string" else values
        if pc.any(pc.equal(as_text, value)).as_py():
            hits.append(path)
    return scanned, hits


def erase_subject(
    spark: SparkSession,
    column: str,
    value: str,
    *,
    tables: str = "*",
    report_dir: Path | None = None,
    now: datetime | None = None,
) -> ErasureReport:
    """Delete every row where ``column = value`` from the matching Iceberg tables, physically (see module doc)."""
    check_identifier(column, "subject column")
    if value == "":
        raise InputError("the subject value is empty", where="--value")
    started = now or datetime.now(UTC)
    report = ErasureReport(
        subject_column=column,
        value_sha256=hashlib.sha256(value.encode()).hexdigest(),
        tables_pattern=tables,
        started_at=started.isoformat(),
    )
    candidates = matching_tables(spark, tables)
    if not candidates:
        raise NotFoundError(
            f"no table matches {tables!r} in catalog {spark.catalog.currentCatalog()!r}", where="--tables"
        )
    with_column = []
    for table in candidates:
        if column in spark.table(table.sql).columns:
            with_column.append(table)
        else:
            report.skipped[str(table)] = f"no column {column}"
    if not with_column:
        raise NotFoundError(
            f"none of the {len(candidates)} table(s) matching {tables!r} has a column {column!r}",
            where="--subject-column",
        )
    for table in with_column:
        report.erased.append(_erase_table(spark, table, column, value))
    report.finished_at = datetime.now(UTC).isoformat()
    if report_dir is not None:
        report_dir.mkdir(parents=True, exist_ok=True)
        stamp = started.strftime("%Y%m%dT%H%M%S%fZ")
        report.report_path = report_dir / f"erasure-{stamp}.json"
        report.report_path.write_text(json.dumps(report.to_dict(), indent=2) + "\n")
    return report


def _erase_table(spark: SparkSession, table: TableName, column: str, value: str) -> TableErasure:
    predicate = f"`{column}` = {sql_literal(value)}"
    matches = int(spark.sql(f"SELECT count(*) FROM {table.sql} WHERE {predicate}").first()[0])  # type: ignore[index]
    outcome = TableErasure(str(table), matches)
    catalog = spark.catalog.currentCatalog()
    qualified = f"{table.namespace}.{table.table}"
    if matches:
        spark.sql(f"DELETE FROM {table.sql} WHERE {predicate}")
        if int(spark.sql(f"SELECT count(*) FROM {table.sql}.delete_files").first()[0]):  # type: ignore[index]
            # merge-on-read: the old data file is still live (masked by a delete file); rewrite it away
            # The rewritten files take the rewrite's own sequence number, so equality deletes (which hold key
            # values, possibly the subject's) apply to nothing afterwards and can be dropped before the expiry.
            spark.sql(
                f"CALL `{catalog}`.system.rewrite_data_files(table => '{qualified}', "
                "options => map('delete-file-threshold', '1', 'use-starting-sequence-number', 'false'))"
            )
            drop_dangling_equality_deletes(spark, table)
            outcome.rewrote_delete_files = True
    # Expire everything but the current snapshot, even with no matching rows: older snapshots may hold the subject.
    cutoff = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    expired = spark.sql(
        f"CALL `{catalog}`.system.expire_snapshots(table => '{qualified}', "
        f"older_than => TIMESTAMP '{cutoff}', retain_last => 1)"
    ).first()
    if expired is not None:
        values = expired.asDict()
        outcome.data_files_deleted = int(values.get("deleted_data_files_count", 0) or 0)
        outcome.snapshots_expired = _expired_snapshot_count(values)
    outcome.orphan_files_removed = _remove_orphans_now(spark, f"{catalog}.{qualified}")
    scanned, hits = parquet_files_with_value(table_location(spark, table), column, value)
    outcome.parquet_files_scanned = scanned
    outcome.value_still_present_in = [str(p) for p in hits]
    return outcome


def _expired_snapshot_count(values: dict[str, Any]) -> int:
    # expire_snapshots reports file counts, not snapshot counts; manifest lists are one per snapshot
    return int(values.get("deleted_manifest_lists_count", 0) or 0)


def _remove_orphans_now(spark: SparkSession, qualified: str) -> int:
    """Iceberg's DeleteOrphanFiles action with ``olderThan`` = now (the procedure enforces >= 24 hours)."""
    jvm = spark.sparkContext._jvm
    jspark = spark._jsparkSession
    table = java_table(spark, qualified)
    now_ms = int(datetime.now(UTC).timestamp() * 1000) + 1000
    actions = jvm.org.apache.iceberg.spark.actions.SparkActions.get(jspark)  # type: ignore[union-attr]
    result = actions.deleteOrphanFiles(table).olderThan(now_ms).execute()
    return sum(1 for _ in result.orphanFileLocations())
