"""The direct read of small windows (PostgreSQL COPY -> pyarrow -> Parquet, no Spark job): it must give the
very rows the Spark JDBC read gives, or step aside for it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from glueforge.errors import ConcurrentRunError
from glueforge.hadoop_table import HadoopTable
from tests.integration.ingest.conftest import Source, make_events
from transforms.incremental_jdbc_ingest import direct, native
from transforms.incremental_jdbc_ingest.state import MAX_KEY, WATERMARK, snapshot_summary
from transforms.incremental_jdbc_ingest.writer import IcebergWriter

# Every PostgreSQL type the direct read takes, with the values that trip CSV and type conversions: NULL next
# to '' and the text 'NULL', quotes, commas, newlines, unicode, padded char(n), -0.5, 2^63-1, shortest float
# texts, NaN/Infinity doubles, fractional seconds, instants before 1970.
ALL_TYPES = """
    id bigint PRIMARY KEY, small int2, medium int4, big int8, price numeric(12,3), loose numeric,
    ratio float4, measure float8, ok bool, body text, label varchar(20), code char(5), ref uuid,
    doc json, docb jsonb, day date, local_ts timestamp, updated_at timestamptz
"""
ROWS = [
    "1, 1, 10, 100, 1.5, 1.25, 0.1, 0.1, true, 'plain', 'a', 'ab', "
    "'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{\"a\": 1}', '{\"b\": [1, 2]}', '2026-01-01', "
    "'2026-01-01 10:00:00.123456', TIMESTAMPTZ '2026-01-01 00:01:00+00'",
    "2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "
    "TIMESTAMPTZ '2026-01-01 00:02:00+00'",
    "3, -32768, -2147483648, 9223372036854775807, -0.5, 123456789.123456789, 3.4e38, 'NaN', false, '', "
    "'', 'x', '00000000-0000-0000-0000-000000000000', '[]', '{}', '1969-12-31', '1969-12-31 23:59:59.999999', "
    "TIMESTAMPTZ '2026-01-01 00:03:00+00'",
    "4, 7, 7, 7, 999999999.999, -1e-18, 1.17549435e-38, 'Infinity', true, 'NULL', 'NaN', 'N/A', NULL, "
    "'\"quoted, text\"', '{\"k\": \"v, \\\"w\\\"\"}', '2000-02-29', '2000-02-29 12:00:00', "
    "TIMESTAMPTZ '2026-01-01 00:04:00+00'",
    "5, 0, 0, 0, 0, 0, -0.0, -1.7976931348623157e308, false, E'two\\nlines, \"and\" quotes\\r\\n', 'ünïcødé ✓', "
    "'é', NULL, 'null', 'null', '1970-01-01', '1970-01-01 00:00:00', TIMESTAMPTZ '2026-01-01 00:05:00+00'",
]
COLUMNS = [
    "id", "small", "medium", "big", "price", "loose", "ratio", "measure", "ok", "body", "label", "code", "ref",
    "doc", "docb", "day", "local_ts", "updated_at",
]  # fmt: skip


def _params(table: str, target: str, **extra: Any) -> dict[str, Any]:
    return {"table": table, "cursor_column": "updated_at", "primary_keys": "id", "target_table": target, **extra}


def _snapshots(spark: Any, target: str) -> int:
    return int(spark.sql(f"SELECT count(*) FROM {target}.snapshots").first()[0])


def _data_files(lakehouse: Any, target: str) -> list[Path]:
    location = lakehouse.spark.sql(f"DESCRIBE TABLE EXTENDED {target}").where("col_name = 'Location'").first()[1]
    return sorted((Path(location.removeprefix("file:")) / "data").glob("gf-direct-*"))


def _columns_that_differ(expected: Any, actual: Any) -> dict[str, list[Any]]:
    """Per column, the (id, value) pairs of ``expected`` missing from ``actual`` (empty: the frames agree)."""
    differ = {}
    for name in expected.columns:
        missing = expected.select("id", name).exceptAll(actual.select("id", name)).collect()
        if missing:
            differ[name] = sorted(tuple(r) for r in missing)
    return differ


def _both_paths(
    source: Any, db: Any, run_ingest: Callable[..., Any], spark: Any, table: str, changes: list[str], rows: int
) -> tuple[Any, Any, Any]:
    """Load ``table`` into two targets, apply ``changes`` (every row moves: each value travels through the
    incremental read), then run once with the Spark read and once with the direct read. Both targets must
    hold the same rows, column for column; returns both summaries and the direct target."""
    targets = {"spark": f"bronze.{table}_spark", "direct": f"bronze.{table}_direct"}
    # the first loads: Spark's JDBC read, and the streamed export (direct_load)
    first_spark = run_ingest(db, **_params(table, targets["spark"], direct_read_max_rows=0)).summary
    first_direct = run_ingest(db, **_params(table, targets["direct"])).summary
    streamed = "postgresql_copy" if db.kind == "postgresql" else "spark_jdbc"  # MySQL: no bulk export to stream
    assert (first_spark.reader, first_direct.reader) == ("spark_jdbc", streamed)
    assert first_direct.rows_read == first_spark.rows_read and first_direct.write_plan == "append"
    assert first_direct.watermark_after == first_spark.watermark_after
    loaded_spark, loaded_direct = spark.table(targets["spark"]), spark.table(targets["direct"])
    assert loaded_direct.schema == loaded_spark.schema
    assert _columns_that_differ(loaded_spark, loaded_direct) == {}
    assert _columns_that_differ(loaded_direct, loaded_spark) == {}
    source.run(*changes)
    spark_run = run_ingest(db, **_params(table, targets["spark"], direct_read_max_rows=0)).summary
    direct_run = run_ingest(db, **_params(table, targets["direct"])).summary
    assert (spark_run.reader, spark_run.rows_read, direct_run.direct_read_skipped) == ("spark_jdbc", rows, None)
    assert (direct_run.rows_read, direct_run.upserted, direct_run.write_plan) == (rows, rows, "equality_delete")
    assert direct_run.watermark_after == spark_run.watermark_after
    assert snapshot_summary(spark, targets["direct"])[WATERMARK] == direct_run.watermark_after
    expected, actual = spark.table(targets["spark"]), spark.table(targets["direct"])
    assert actual.schema == expected.schema
    assert actual.count() == rows
    # NaN equals NaN in Spark's row comparison: exceptAll finds every other difference, both ways
    assert _columns_that_differ(expected, actual) == {}
    assert _columns_that_differ(actual, expected) == {}
    return spark_run, direct_run, actual


def test_direct_read_gives_the_rows_of_the_spark_read_for_every_type(
    pg_source: Any, postgres_db: Any, run_ingest: Callable[..., Any], lakehouse: Any
) -> None:
    table = postgres_db.unique_table("types")
    pg_source.run(f"CREATE TABLE {table} ({ALL_TYPES})", *[f"INSERT INTO {table} VALUES ({row})" for row in ROWS])
    changes = [
        f"UPDATE {table} SET updated_at = updated_at + interval '1 day'",
        f"INSERT INTO {table} SELECT id + 10, small, medium, big, price, loose, ratio, measure, ok, body, label, "
        f"code, ref, doc, docb, day, local_ts, updated_at + interval '2 days' FROM {table}",
    ]
    _, direct_run, actual = _both_paths(pg_source, postgres_db, run_ingest, lakehouse.spark, table, changes, 10)
    assert direct_run.reader == "postgresql_copy"
    text = {r["id"]: (r["body"], r["label"], r["code"], r["doc"]) for r in actual.collect()}
    assert text[2] == (None, None, None, None)
    assert text[3][:2] == ("", "") and text[4][:3] == ("NULL", "NaN", "N/A  ")  # not NULLs, char(5) padded
    assert text[5][0] == 'two\nlines, "and" quotes\r\n'


def test_direct_read_steps_aside_for_what_it_cannot_read_exactly(
    pg_source: Any, postgres_db: Any, run_ingest: Callable[..., Any], same_rows: Callable[..., None]
) -> None:
    table = postgres_db.unique_table("aside")
    target = "bronze.direct_aside"
    make_events(pg_source, table, 30)
    columns = ["id", "amount", "note", "updated_at"]
    run_ingest(postgres_db, **_params(table, target))

    def changed(minute: int, **extra: Any) -> Any:
        pg_source.run(
            f"UPDATE {table} SET note = 'm{minute}', updated_at = TIMESTAMPTZ '2026-03-01 00:00:00+00' + "
            f"interval '{minute} minutes' + id * interval '1 second' WHERE id % 5 = 0"
        )
        summary = run_ingest(postgres_db, **_params(table, target, **extra)).summary
        same_rows(pg_source, f"SELECT {', '.join(columns)} FROM {table}", target, columns)
        return summary

    # lookback: rows below the committed watermark may lose to the target's, so the Spark path compares them
    lookback = changed(1, lookback_seconds=3600)
    assert lookback.reader == "spark_jdbc"
    assert "below the committed watermark" in (lookback.direct_read_skipped or "")
    # a window bigger than the limit
    big = changed(2, direct_read_max_rows=3)
    assert (big.reader, big.direct_read_skipped) == ("spark_jdbc", None)
    # a type outside the whitelist: bytea comes as '\x..' text, Spark reads bytes
    pg_source.run(f"ALTER TABLE {table} ADD COLUMN blob bytea DEFAULT '\\x00ff'")
    drift = changed(3)  # the new column is schema drift: the Spark path adds it to the target
    assert drift.reader == "spark_jdbc" and drift.added_columns == ["blob"]
    unknown = changed(4)
    assert unknown.reader == "spark_jdbc"
    assert unknown.direct_read_skipped == "target column blob has type binary"
    # and back: without the odd column, the next small window is direct again (the target keeps blob)
    pg_source.run(f"ALTER TABLE {table} DROP COLUMN blob")
    missing = changed(5)
    assert missing.reader == "spark_jdbc"  # the source no longer sends a target column: MERGE keeps its values
    assert "no longer sends" in (missing.direct_read_skipped or "")


def test_direct_read_falls_back_without_its_client_or_for_a_url_it_cannot_follow(
    pg_source: Any,
    postgres_db: Any,
    run_ingest: Callable[..., Any],
    same_rows: Callable[..., None],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    table = postgres_db.unique_table("client")
    target = "bronze.direct_client"
    make_events(pg_source, table, 20)
    run_ingest(postgres_db, **_params(table, target))
    monkeypatch.setattr(direct.PostgresClient, "module", "psycopg_not_installed")
    pg_source.run(f"UPDATE {table} SET updated_at = updated_at + interval '1 day' WHERE id = 3")
    summary = run_ingest(postgres_db, **_params(table, target)).summary
    assert summary.reader == "spark_jdbc"
    assert summary.direct_read_skipped == "the Python client psycopg_not_installed is not installed"
    monkeypatch.undo()
    pg_source.run(f"UPDATE {table} SET updated_at = updated_at + interval '1 day' WHERE id = 4")
    odd_url = {"url": f"{postgres_db.jdbc_url}?loggerLevel=OFF"}
    summary = run_ingest(postgres_db, **_params(table, target, **odd_url)).summary
    assert (summary.reader, summary.direct_read_skipped) == (
        "spark_jdbc",
        "JDBC URL parameter loggerLevel has no psycopg equivalent here",
    )
    same_rows(
        pg_source, f"SELECT id, amount, note, updated_at FROM {table}", target, ["id", "amount", "note", "updated_at"]
    )


def test_direct_write_of_new_keys_only_is_an_append_without_delete_files(
    pg_source: Any, postgres_db: Any, run_ingest: Callable[..., Any], lakehouse: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    table = postgres_db.unique_table("newkeys")
    target = "bronze.direct_newkeys"
    make_events(pg_source, table, 10)
    first = run_ingest(postgres_db, **_params(table, target)).summary
    # the first load (Spark's own write) learns its largest key from the write job and notes it for its snapshot
    properties = dict(lakehouse.spark.sql(f"SHOW TBLPROPERTIES {target}").collect())
    assert properties[MAX_KEY] == f"{first.snapshot_id}:id=10"

    def no_scan(self: Any, column: str) -> int:
        raise AssertionError("the noted largest key should have been used")

    monkeypatch.setattr(IcebergWriter, "key_upper_bound", no_scan)
    pg_source.run(
        f"INSERT INTO {table} SELECT g, g, 'n' || g, TIMESTAMPTZ '2026-02-01 00:00:00+00' "
        "FROM generate_series(11, 15) g"
    )
    summary = run_ingest(postgres_db, **_params(table, target)).summary
    assert (summary.reader, summary.write_plan, summary.inserted, summary.updated) == (
        "postgresql_copy",
        "append",
        5,
        0,
    )
    snapshot = snapshot_summary(lakehouse.spark, target)
    assert (snapshot["added-records"], snapshot.get("added-delete-files")) == ("5", None)
    assert lakehouse.spark.table(target).count() == 15
    # the commit notes the largest key, so the next run needs no scan planning to find it ...
    assert snapshot[MAX_KEY] == "id=15"
    pg_source.run(
        f"INSERT INTO {table} SELECT g, g, 'n' || g, TIMESTAMPTZ '2026-03-01 00:00:00+00' "
        "FROM generate_series(16, 17) g"
    )
    pg_source.run(f"UPDATE {table} SET updated_at = TIMESTAMPTZ '2026-03-01 00:00:01+00' WHERE id = 2")
    mixed = run_ingest(postgres_db, **_params(table, target)).summary
    assert (mixed.write_plan, mixed.upserted) == ("equality_delete", 3)  # key 2 is not new
    assert snapshot_summary(lakehouse.spark, target)[MAX_KEY] == "id=17"
    # ... unless another commit came after it (here a compaction): then the manifests' bounds tell
    monkeypatch.undo()
    lakehouse.spark.sql(f"CALL system.rewrite_data_files(table => '{target}', options => map('min-input-files', '1'))")
    assert MAX_KEY not in snapshot_summary(lakehouse.spark, target)
    pg_source.run(f"INSERT INTO {table} SELECT 18, 18, 'n18', TIMESTAMPTZ '2026-04-01 00:00:00+00'")
    last = run_ingest(postgres_db, **_params(table, target)).summary
    assert (last.write_plan, last.inserted) == ("append", 1)
    assert snapshot_summary(lakehouse.spark, target)[MAX_KEY] == "id=18"
    assert lakehouse.spark.table(target).count() == 18


@pytest.mark.parametrize("commit", ["python", "java"])
def test_direct_write_leaves_nothing_behind_when_the_commit_fails_or_loses_a_race(
    pg_source: Any,
    postgres_db: Any,
    run_ingest: Callable[..., Any],
    lakehouse: Any,
    monkeypatch: pytest.MonkeyPatch,
    commit: str,
) -> None:
    spark = lakehouse.spark
    table = postgres_db.unique_table("fails")
    target = f"bronze.direct_fails_{commit}"
    make_events(pg_source, table, 20)
    run_ingest(postgres_db, **_params(table, target))
    before_rows = sorted(tuple(r) for r in spark.table(target).collect())
    pg_source.run(f"UPDATE {table} SET note = 'new', updated_at = updated_at + interval '1 day' WHERE id % 2 = 0")

    def broken_commit(*args: Any, **kwargs: Any) -> int:
        assert len(_data_files(lakehouse, target)) == 2  # both files were written ...
        raise RuntimeError("disk full")

    def java_commit_only() -> None:  # a local hadoop table commits from Python unless told otherwise
        monkeypatch.setattr(native, "try_run", lambda *args, **kwargs: None)
        monkeypatch.setattr(direct, "native_table", lambda loaded: None)

    if commit == "java":
        java_commit_only()
        monkeypatch.setattr(direct, "commit_files", broken_commit)
    else:
        monkeypatch.setattr(HadoopTable, "commit_row_delta", broken_commit)
    snapshots = _snapshots(spark, target)
    with pytest.raises(RuntimeError, match="disk full"):
        run_ingest(postgres_db, **_params(table, target))
    assert _data_files(lakehouse, target) == []  # ... and removed
    assert _snapshots(spark, target) == snapshots
    monkeypatch.undo()
    if commit == "java":
        java_commit_only()

    # another writer commits between this run's checks and its commit: Iceberg's validation refuses ours
    def other_writer(stage: str) -> None:
        if stage == "before_commit":
            spark.sql(f"UPDATE {target} SET note = 'foreign' WHERE id = 4")

    with pytest.raises(ConcurrentRunError, match="committed to the target"):
        run_ingest(postgres_db, hook=other_writer, **_params(table, target))
    assert _data_files(lakehouse, target) == []
    assert _snapshots(spark, target) == snapshots + 1  # the other writer's commit only
    assert sorted(tuple(r) for r in spark.table(target).where("id != 4").collect()) == [
        r for r in before_rows if r[0] != 4
    ]
    # the re-run commits exactly the source rows
    summary = run_ingest(postgres_db, **_params(table, target)).summary
    assert (summary.reader, summary.upserted) == ("postgresql_copy", 10)
    assert {r["note"] for r in spark.table(target).where("id % 2 = 0").collect()} == {"new"}


def test_cli_direct_read_max_rows_flag(pg_source: Any, postgres_db: Any, lakehouse: Any, tmp_path: Path) -> None:
    import json

    from click.testing import CliRunner

    from glueforge.cli.ingest import ingest as ingest_command

    table = postgres_db.unique_table("cli")
    make_events(pg_source, table, 12)
    base = ["--url", postgres_db.jdbc_url, "--user", postgres_db.user, "--table", table, "--cursor", "updated_at"]
    base += ["--primary-key", "id", "--target", "bronze.direct_cli", "--warehouse", str(tmp_path / "wh"), "--quiet"]

    def run(*extra: str) -> dict[str, Any]:
        result = CliRunner().invoke(ingest_command, [*base, *extra])
        assert result.exit_code == 0, result.output
        return dict(json.loads(result.output.strip().splitlines()[-1]))

    run()
    for flag, reader in ((["--direct-read-max-rows", "0"], "spark_jdbc"), ([], "postgresql_copy")):
        pg_source.run(f"UPDATE {table} SET updated_at = updated_at + interval '1 day' WHERE id = 5")
        summary = run(*flag)
        assert (summary["reader"], summary["upserted"]) == (reader, 1)
    bad = CliRunner().invoke(ingest_command, [*base, "--direct-read-max-rows", "-1"])
    assert bad.exit_code == 2 and "-1 is not in the range" in bad.output


MARIADB_TYPES = """
    id BIGINT PRIMARY KEY, tiny TINYINT, flag BOOLEAN, small SMALLINT, medium MEDIUMINT, mid INT, big BIGINT,
    unsigned_int INT UNSIGNED, price DECIMAL(12,3), wide DECIMAL(38,10), ratio FLOAT, measure DOUBLE,
    label VARCHAR(20), code CHAR(5), body TEXT, doc JSON, pick ENUM('a','b,c'), day DATE, local_ts DATETIME(6),
    updated_at TIMESTAMP(6) NULL
"""
MARIADB_ROWS = [
    "1, 1, TRUE, 10, 100, 1000, 10000, 4294967295, 1.5, 1.25, 0.1, 0.1, 'plain', 'ab', 'text', '{\"a\": 1}', 'a', "
    "'2026-01-01', '2026-01-01 10:00:00.123456', '2026-01-01 00:01:00'",
    "2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "
    "'2026-01-01 00:02:00'",
    "3, -128, FALSE, -32768, -8388608, -2147483648, 9223372036854775807, 0, -0.5, -123456789.0123456789, 3.4e38, "
    "-1.7976931348623157e308, '', '', '', '[]', 'b,c', '1969-12-31', '1969-12-31 23:59:59.999999', "
    "'2026-01-01 00:03:00'",
    "4, 7, TRUE, 7, 7, 7, 7, 7, 999999999.999, 0.0000000001, 1.17549435e-38, 5e-324, 'NULL', 'NaN', "
    "'two\\nlines, \"quoted\" ünïcødé ✓', '{\"k\": \"v, w\"}', NULL, '2000-02-29', '2000-02-29 12:00:00', "
    "'2026-01-01 00:04:00.5'",
]


def test_mariadb_direct_read_gives_the_rows_of_the_spark_read_for_every_type(
    maria_source: Any, mariadb_db: Any, run_ingest: Callable[..., Any], lakehouse: Any
) -> None:
    table = mariadb_db.unique_table("types")
    maria_source.run(
        f"CREATE TABLE {table} ({MARIADB_TYPES})", *[f"INSERT INTO {table} VALUES ({row})" for row in MARIADB_ROWS]
    )
    changes = [
        f"UPDATE {table} SET updated_at = updated_at + INTERVAL 1 DAY",
        f"INSERT INTO {table} SELECT id + 10, tiny, flag, small, medium, mid, big, unsigned_int, price, wide, ratio, "
        f"measure, label, code, body, doc, pick, day, local_ts, updated_at + INTERVAL 2 DAY FROM {table}",
    ]
    _, direct_run, actual = _both_paths(maria_source, mariadb_db, run_ingest, lakehouse.spark, table, changes, 8)
    assert direct_run.reader == "mysql_text"
    texts = {r["id"]: (r["label"], r["code"], r["body"]) for r in actual.collect()}
    # CHAR(5) comes back padded, as Spark pads it on read (MySQL itself strips the spaces)
    assert texts[2] == (None, None, None) and texts[3] == ("", "     ", "")
    assert texts[4] == ("NULL", "NaN  ", 'two\nlines, "quoted" ünïcødé ✓')


def test_direct_write_uses_the_targets_parquet_codec(
    pg_source: Any, postgres_db: Any, run_ingest: Callable[..., Any], same_rows: Callable[..., None], lakehouse: Any
) -> None:
    table = postgres_db.unique_table("codec")
    target = "bronze.direct_codec"
    columns = ["id", "amount", "note", "updated_at"]
    make_events(pg_source, table, 10)
    run_ingest(postgres_db, **_params(table, target))
    for day, codec in ((1, "snappy"), (2, "gzip"), (3, "uncompressed")):
        lakehouse.spark.sql(f"ALTER TABLE {target} SET TBLPROPERTIES ('write.parquet.compression-codec' = '{codec}')")
        pg_source.run(
            f"UPDATE {table} SET note = '{codec}', updated_at = updated_at + interval '{day} day' WHERE id = {day}"
        )
        summary = run_ingest(postgres_db, **_params(table, target)).summary
        assert summary.reader == "postgresql_copy", summary.direct_read_skipped
        same_rows(pg_source, f"SELECT {', '.join(columns)} FROM {table}", target, columns)
        files = lakehouse.spark.sql(f"SELECT file_path FROM {target}.files").collect()
        newest = max(
            (r[0] for r in files if "gf-direct-" in r[0] and r[0].endswith("-data.parquet")),
            key=lambda path: Path(path.removeprefix("file:")).stat().st_mtime,
        )
        import pyarrow.parquet as pq

        written = pq.ParquetFile(newest.removeprefix("file:")).metadata.row_group(0).column(0).compression
        assert written == {"snappy": "SNAPPY", "gzip": "GZIP", "uncompressed": "UNCOMPRESSED"}[codec]


def test_one_run_logs_in_to_the_source_once_over_plain_jdbc(
    pg_source: Any, postgres_db: Any, run_ingest: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from transforms.incremental_jdbc_ingest.reader import JdbcReader

    table = postgres_db.unique_table("logins")
    target = "bronze.direct_logins"
    make_events(pg_source, table, 10)
    run_ingest(postgres_db, **_params(table, target))
    opened: list[Any] = []
    original = JdbcReader._open_connection

    def counting(self: JdbcReader) -> Any:
        connection = original(self)
        opened.append(connection)
        return connection

    monkeypatch.setattr(JdbcReader, "_open_connection", counting)
    monkeypatch.setattr(native, "try_run", lambda *args, **kwargs: None)  # the JVM run, whose logins are counted
    pg_source.run(f"UPDATE {table} SET updated_at = updated_at + interval '1 day' WHERE id = 4")
    summary = run_ingest(postgres_db, **_params(table, target)).summary
    # bound query, tie count and unique-key lookup share one connection, closed at the end of the run
    assert (summary.reader, len(opened)) == ("postgresql_copy", 1)
    assert opened[0].isClosed()


def test_direct_write_through_the_tables_file_io_as_on_s3(
    pg_source: Any,
    postgres_db: Any,
    run_ingest: Callable[..., Any],
    same_rows: Callable[..., None],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # a non-local warehouse (S3, HDFS): pyarrow writes a temporary file that the JVM copies into the FileIO
    table = postgres_db.unique_table("fileio")
    target = "bronze.direct_fileio"
    columns = ["id", "amount", "note", "updated_at"]
    make_events(pg_source, table, 10)
    run_ingest(postgres_db, **_params(table, target))
    monkeypatch.setattr(direct, "is_local", lambda path: False)
    pg_source.run(f"UPDATE {table} SET note = 'copied', updated_at = updated_at + interval '1 day' WHERE id < 4")
    summary = run_ingest(postgres_db, **_params(table, target)).summary
    assert (summary.reader, summary.upserted) == ("postgresql_copy", 3)
    same_rows(pg_source, f"SELECT {', '.join(columns)} FROM {table}", target, columns)


SQLITE_TYPES = """
    id INTEGER PRIMARY KEY, small SMALLINT, big BIGINT, price DECIMAL(12,3), ratio REAL, measure DOUBLE,
    ok BOOLEAN, body TEXT, label VARCHAR(20), day DATE, updated_at TIMESTAMP
"""


@pytest.mark.parametrize("kind", ["postgres", "mariadb", "sqlite"])
def test_probe_resolves_the_schema_sparks_jdbc_source_resolves(kind: str, request: pytest.FixtureRequest) -> None:
    """The probe reads the schema on the run's plain connection; it must be the schema of a Spark JDBC read."""
    from transforms.incremental_jdbc_ingest import parse_options
    from transforms.incremental_jdbc_ingest.connection import resolve_source
    from transforms.incremental_jdbc_ingest.reader import JdbcReader

    db = request.getfixturevalue({"postgres": "postgres_db", "mariadb": "mariadb_db", "sqlite": "sqlite_db"}[kind])
    spark = request.getfixturevalue("lakehouse").spark
    columns, rows = {"postgres": (ALL_TYPES, ROWS[:1]), "mariadb": (MARIADB_TYPES, MARIADB_ROWS[:1])}.get(
        kind, (SQLITE_TYPES, [])
    )
    table = db.unique_table("probe") if kind != "sqlite" else "probe"
    source = Source(db)
    try:
        source.run(f"CREATE TABLE {table} ({columns})", *[f"INSERT INTO {table} VALUES ({row})" for row in rows])
        options = parse_options({"url": db.jdbc_url, "user": db.user, **_params(table, "bronze.probe")})
        reader = JdbcReader(spark, resolve_source(options), options)
        with reader.session():
            shape = reader.probe()
        spark_schema = reader._jdbc(reader.dialect.subquery(reader.source_sql(None, shape.cursor_kind), "p")).schema
        assert shape.schema == spark_schema
        assert len(shape.schema.fields) >= 11  # every declared column
    finally:
        source.engine.dispose()
