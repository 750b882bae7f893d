"""Commits made from Python (``glueforge.hadoop_table``) as Iceberg's Java library and Spark read them."""

from __future__ import annotations

import os
import struct
import time
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from glueforge.hadoop_table import CommitConflict, ContentFile, FileMetrics, HadoopTable, NativeCommitUnavailable
from glueforge.lakehouse import TableName, refresh_spark_table
from glueforge.session import iceberg_catalog_conf

pytestmark = pytest.mark.integration

ROWS = [(1, "one", 10), (2, "two", 20), (3, "three", 30)]


def _table(lakehouse: Any, name: str, *, properties: str = "'format-version'='2'", partitioned: bool = False) -> Path:
    spark = lakehouse.spark
    spark.sql("CREATE NAMESPACE IF NOT EXISTS native")
    partition = "PARTITIONED BY (qty)" if partitioned else ""
    spark.sql(
        f"CREATE TABLE native.{name} (id bigint, name string, qty int) USING iceberg {partition} "
        f"TBLPROPERTIES ({properties})"
    )
    spark.createDataFrame(ROWS, "id bigint, name string, qty int").writeTo(f"native.{name}").append()
    return lakehouse.warehouse / "native" / name


def _parquet(location: Path, name: str, rows: pa.Table) -> ContentFile:
    """A Parquet file with Iceberg's field ids (id 1, name 2, qty 3), described as a commit needs it."""
    ids = {"id": 1, "name": 2, "qty": 3}
    schema = pa.schema([f.with_metadata({b"PARQUET:field_id": str(ids[f.name]).encode()}) for f in rows.schema])
    path = location / "data" / name
    pq.write_table(rows.cast(schema), path)
    keys = rows.column("id").to_pylist()
    bounds = {1: (struct.pack("<q", min(keys)), struct.pack("<q", max(keys)))}
    metrics = FileMetrics(
        record_count=rows.num_rows,
        value_counts={1: rows.num_rows},
        null_counts={1: 0},
        lower_bounds={k: low for k, (low, _) in bounds.items()},
        upper_bounds={k: high for k, (_, high) in bounds.items()},
    )
    return ContentFile(str(path), path.stat().st_size, metrics, equality_ids=(1,) if rows.num_columns == 1 else ())


def _upsert_files(location: Path) -> list[ContentFile]:
    """Key 2 changes, key 4 is new: the new rows plus an equality delete of both keys."""
    changed = pa.table(
        {"id": pa.array([2, 4], pa.int64()), "name": ["TWO", "four"], "qty": pa.array([22, 40], pa.int32())}
    )
    return [
        _parquet(location, "up-data.parquet", changed),
        _parquet(location, "up-deletes.parquet", changed.select(["id"])),
    ]


def _rows(spark: Any, table: str) -> list[tuple[Any, ...]]:
    refresh_spark_table(spark, TableName.parse(table))
    return sorted(tuple(r) for r in spark.table(table).collect())


def test_a_python_commit_reads_back_through_iceberg_and_later_java_commits_build_on_it(lakehouse: Any) -> None:
    spark = lakehouse.spark
    location = _table(lakehouse, "upserted")
    table = HadoopTable.load(location)
    assert table is not None and table.unsupported_reason() is None
    parent = table.current_snapshot_id
    snapshot_id = table.commit_row_delta(_upsert_files(location), {"glueforge.test": "yes"})

    assert _rows(spark, "native.upserted") == [(1, "one", 10), (2, "TWO", 22), (3, "three", 30), (4, "four", 40)]
    snapshot = spark.sql("SELECT * FROM native.upserted.snapshots ORDER BY committed_at DESC").first()
    assert (snapshot.snapshot_id, snapshot.parent_id, snapshot.operation) == (snapshot_id, parent, "overwrite")
    summary = snapshot.summary
    assert summary["glueforge.test"] == "yes"
    assert (summary["added-records"], summary["added-equality-deletes"], summary["total-records"]) == ("2", "2", "5")
    parent_files = int(table.snapshot(parent)["summary"]["total-data-files"])  # type: ignore[index]
    assert (summary["total-data-files"], summary["total-delete-files"]) == (str(parent_files + 1), "1")
    files = {
        r.file_path.rsplit("/", 1)[-1]: (r.content, r.equality_ids)
        for r in spark.table("native.upserted.files").collect()
    }
    assert files["up-deletes.parquet"] == (2, [1]) and files["up-data.parquet"] == (0, None)
    # the hint names the new version, and a fresh load finds the same
    assert (location / "metadata" / "version-hint.text").read_text() == str(table.version)
    again = HadoopTable.load(location)
    assert again is not None and again.current_snapshot_id == snapshot_id
    # the parent is still there to travel back to
    old = spark.sql(f"SELECT * FROM native.upserted VERSION AS OF {parent}").collect()
    assert sorted(tuple(r) for r in old) == ROWS

    # Iceberg's own writes and maintenance go on from the Python commit
    spark.sql("INSERT INTO native.upserted VALUES (5, 'five', 50)")
    spark.sql("CALL system.rewrite_data_files(table => 'native.upserted', options => map('min-input-files', '1'))")
    expected = [(1, "one", 10), (2, "TWO", 22), (3, "three", 30), (4, "four", 40), (5, "five", 50)]
    assert _rows(spark, "native.upserted") == expected
    # and a second Python commit goes on from those
    latest = HadoopTable.load(location)
    assert latest is not None
    latest.commit_row_delta(
        [
            _parquet(
                location,
                "more.parquet",
                pa.table({"id": pa.array([6], pa.int64()), "name": ["six"], "qty": pa.array([60], pa.int32())}),
            )
        ],
        {},
    )
    assert _rows(spark, "native.upserted") == [*expected, (6, "six", 60)]
    appended = spark.sql("SELECT operation FROM native.upserted.snapshots ORDER BY committed_at DESC").first()
    assert appended.operation == "append"


def test_a_commit_that_loses_the_race_leaves_nothing_behind(lakehouse: Any) -> None:
    spark = lakehouse.spark
    location = _table(lakehouse, "raced")
    stale = HadoopTable.load(location)
    assert stale is not None
    spark.sql("INSERT INTO native.raced VALUES (9, 'nine', 90)")  # the next version is someone else's
    files = _upsert_files(location)
    before = sorted(p.name for p in (location / "metadata").iterdir())
    with pytest.raises(CommitConflict, match=f"version {stale.version + 1}"):
        stale.commit_row_delta(files, {})
    assert sorted(p.name for p in (location / "metadata").iterdir()) == before
    assert _rows(spark, "native.raced") == [*ROWS, (9, "nine", 90)]


def test_readers_find_a_commit_whose_version_hint_was_never_written(
    lakehouse: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    spark = lakehouse.spark
    location = _table(lakehouse, "unhinted")
    table = HadoopTable.load(location)
    assert table is not None
    monkeypatch.setattr(HadoopTable, "_write_version_hint", lambda self: None)  # killed right after the commit
    snapshot_id = table.commit_row_delta(_upsert_files(location), {})
    assert (location / "metadata" / "version-hint.text").read_text().strip() == str(table.version - 1)
    assert len(_rows(spark, "native.unhinted")) == 4
    reloaded = HadoopTable.load(location)
    assert reloaded is not None and reloaded.current_snapshot_id == snapshot_id


@pytest.mark.parametrize(
    ("properties", "partitioned", "reason"),
    [
        ("'format-version'='1'", False, "format version 1"),
        ("'format-version'='2'", True, "partitioned"),
        ("'format-version'='2', 'write.metadata.compression-codec'='gzip'", False, "compressed metadata"),
    ],
)
def test_tables_it_does_not_write_are_refused_before_anything_is_written(
    lakehouse: Any, properties: str, partitioned: bool, reason: str
) -> None:
    location = _table(
        lakehouse, f"refused_{abs(hash(properties + str(partitioned)))}", properties=properties, partitioned=partitioned
    )
    before = sorted(p.name for p in (location / "metadata").iterdir())
    with pytest.raises(NativeCommitUnavailable, match=reason):
        table = HadoopTable.load(location)  # compressed metadata: refused here already
        assert table is not None
        table.commit_row_delta([], {})
    assert sorted(p.name for p in (location / "metadata").iterdir()) == before


def test_no_table_is_none(tmp_path: Path) -> None:
    assert HadoopTable.load(tmp_path / "nothing") is None


@pytest.mark.parametrize("scheme", ["", "file:"])
def test_files_are_spelled_as_the_table_spells_them_so_orphan_removal_keeps_them(
    lakehouse: Any, tmp_path: Path, scheme: str
) -> None:
    spark = lakehouse.spark
    catalog = f"spelled{len(scheme)}"
    warehouse = tmp_path / catalog
    for key, value in iceberg_catalog_conf(catalog, warehouse).items():
        spark.conf.set(key, f"{scheme}{value}" if key.endswith(".warehouse") else value)
    spark.sql(
        f"CREATE TABLE {catalog}.native.t (id bigint, name string, qty int) USING iceberg "
        "TBLPROPERTIES ('format-version'='2')"
    )
    spark.createDataFrame(ROWS, "id bigint, name string, qty int").writeTo(f"{catalog}.native.t").append()
    location = warehouse / "native" / "t"
    table = HadoopTable.load(location)
    assert table is not None
    table.commit_row_delta(_upsert_files(location), {})
    refresh_spark_table(spark, TableName("native", "t", catalog))
    listed = spark.sql(f"SELECT file_path FROM {catalog}.native.t.files").collect()
    manifests = [r.path for r in spark.sql(f"SELECT path FROM {catalog}.native.t.manifests").collect()]
    assert len(manifests) == 3 and len({path.startswith("file:") for path in manifests}) == 1  # Iceberg's and ours
    two_days_ago = time.time() - 2 * 86_400  # the procedure only looks at files older than a day
    for path in location.rglob("*"):
        os.utime(path, (two_days_ago, two_days_ago))
    later = spark.sql("SELECT current_timestamp() - INTERVAL 25 HOURS").first()[0]
    orphans = spark.sql(
        f"CALL {catalog}.system.remove_orphan_files(table => 'native.t', older_than => TIMESTAMP '{later}', "
        "dry_run => true)"
    ).collect()
    live = {Path(r.file_path.removeprefix("file:")).name for r in listed}
    assert not [r for r in orphans if Path(r[0].removeprefix("file:")).name in live]
    assert not [r for r in orphans if r[0].endswith((".avro", "metadata.json"))]  # manifests and metadata are live


def test_metadata_files_that_fall_off_the_log_are_deleted_when_the_table_asks(lakehouse: Any) -> None:
    spark = lakehouse.spark
    location = _table(
        lakehouse,
        "trimmed",
        properties="'format-version'='2', 'write.metadata.delete-after-commit.enabled'='true', "
        "'write.metadata.previous-versions-max'='1'",
    )
    table = HadoopTable.load(location)
    assert table is not None
    table.commit_row_delta(_upsert_files(location), {})
    versions = sorted(p.name for p in (location / "metadata").glob("v*.metadata.json"))
    assert versions == [f"v{table.version - 1}.metadata.json", f"v{table.version}.metadata.json"]
    assert len(table.metadata["metadata-log"]) == 1
    assert len(_rows(spark, "native.trimmed")) == 4


def test_when_manifests_are_due_for_a_merge_the_commit_is_left_to_iceberg_which_merges_them(lakehouse: Any) -> None:
    spark = lakehouse.spark
    location = _table(lakehouse, "merged", properties="'format-version'='2', 'commit.manifest.min-count-to-merge'='3'")
    table = HadoopTable.load(location)
    assert table is not None and table.manifests_to_merge() is None  # one manifest
    table.commit_row_delta(_upsert_files(location), {})  # never merges: one data and one delete manifest more
    assert table.manifests_to_merge() == 2  # data manifests: one more would make the 3 that Iceberg merges
    spark.sql("ALTER TABLE native.merged SET TBLPROPERTIES ('glueforge.test' = 'x')")  # a new version, same snapshot
    refresh_spark_table(spark, TableName.parse("native.merged"))
    spark.sql("INSERT INTO native.merged VALUES (5, 'five', 50)")  # Iceberg's commit merges the data manifests
    merged = HadoopTable.load(location)
    assert merged is not None and merged.manifests_to_merge() is None
    assert _rows(spark, "native.merged") == [
        (1, "one", 10),
        (2, "TWO", 22),
        (3, "three", 30),
        (4, "four", 40),
        (5, "five", 50),
    ]


def test_a_table_whose_metadata_became_compressed_is_refused(lakehouse: Any) -> None:
    spark = lakehouse.spark
    location = _table(lakehouse, "recompressed")
    spark.sql("ALTER TABLE native.recompressed SET TBLPROPERTIES ('write.metadata.compression-codec' = 'gzip')")
    spark.sql("INSERT INTO native.recompressed VALUES (5, 'five', 50)")  # its next version is a .gz.metadata.json
    assert list((location / "metadata").glob("v*.gz.metadata.json"))
    with pytest.raises(NativeCommitUnavailable, match="compressed metadata"):
        HadoopTable.load(location)
