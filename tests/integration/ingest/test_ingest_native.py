"""Runs without the JVM (``native``): they touch neither the JDBC driver nor Iceberg's Java API, and every
answer they give in place of the JVM's is the JVM's answer."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

import psycopg
import pytest

from glueforge.lakehouse import TableName, refresh_spark_table
from tests.integration.ingest.conftest import make_events
from transforms.incremental_jdbc_ingest import direct, native
from transforms.incremental_jdbc_ingest.connection import resolve_source
from transforms.incremental_jdbc_ingest.file_metrics import column_modes, metrics_modes
from transforms.incremental_jdbc_ingest.ingest import STAGES, _target_state
from transforms.incremental_jdbc_ingest.options import IngestOptions
from transforms.incremental_jdbc_ingest.reader import JdbcReader
from transforms.incremental_jdbc_ingest.state import iceberg_table

pytestmark = pytest.mark.integration


def _params(table: str, target: str, **extra: Any) -> dict[str, Any]:
    return {"table": table, "cursor_column": "updated_at", "primary_keys": "id", "target_table": target, **extra}


def _options(postgres_db: Any, **params: Any) -> IngestOptions:
    return IngestOptions(url=postgres_db.jdbc_url, user=postgres_db.user, **params)


def forbid_the_jvm(patched: pytest.MonkeyPatch) -> None:
    """The JVM run's ways to the source (JDBC), to the target (Spark's catalog) and to a commit fail the test."""

    def asked_the_jvm(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the JVM was asked")

    for owner, name in ((JdbcReader, "_open_connection"), (direct, "commit_files"), (direct, "upsert_arrow")):
        patched.setattr(owner, name, asked_the_jvm)
    patched.setattr(
        importlib.import_module("transforms.incremental_jdbc_ingest.ingest"), "find_java_table", asked_the_jvm
    )


VOLATILE = {"run_id", "snapshot_id", "seconds", "stage_seconds", "watermark_origin", "target", "jvm_used", "jvm_reason"}


def test_a_small_window_runs_without_jdbc_or_icebergs_java_api_and_gives_the_jvm_runs_result(
    pg_source: Any, postgres_db: Any, run_ingest: Callable[..., Any], lakehouse: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    spark = lakehouse.spark
    table = postgres_db.unique_table("native")
    targets = {"native": "bronze.native_run", "jvm": "bronze.native_twin"}
    make_events(pg_source, table, 30)
    for target in targets.values():
        run_ingest(postgres_db, **_params(table, target))

    logins: list[Any] = []
    real_connect = psycopg.connect

    def login(*args: Any, **kwargs: Any) -> Any:
        logins.append(kwargs.get("host"))
        return real_connect(*args, **kwargs)

    def both_runs() -> dict[str, dict[str, Any]]:
        """One run into each target: without the JVM (which must not be asked), then the JVM run."""
        logins.clear()
        with monkeypatch.context() as patched:
            patched.setattr(psycopg, "connect", login)
            forbid_the_jvm(patched)
            without = run_ingest(postgres_db, **_params(table, targets["native"])).summary.as_dict()
        assert len(logins) == 1  # one login for the probe, the bound query, the tie count and the read
        with monkeypatch.context() as patched:
            patched.setattr(native, "try_run", lambda *args, **kwargs: None)
            jvm = run_ingest(postgres_db, **_params(table, targets["jvm"])).summary.as_dict()
        return {"native": without, "jvm": jvm}

    unchanged = both_runs()
    assert (unchanged["native"]["status"], unchanged["native"]["reader"]) == ("no_change", "none")
    changes = [
        f"UPDATE {table} SET note = 'new', updated_at = updated_at + interval '1 day' WHERE id IN (3, 7)",
        f"INSERT INTO {table} SELECT 31, 1.5, 'n31', TIMESTAMPTZ '2026-03-01 00:00:00+00'",  # a new key
        f"INSERT INTO {table} SELECT 32, 2.5, 'n32', TIMESTAMPTZ '2026-03-01 00:00:00+00'",  # a late tie
    ]
    results = [unchanged]
    for change in changes:
        pg_source.run(change)
        results.append(both_runs())
    for result in results:
        assert {k: v for k, v in result["native"].items() if k not in VOLATILE} == {
            k: v for k, v in result["jvm"].items() if k not in VOLATILE
        }
    assert all(not r["native"]["jvm_used"] and r["jvm"]["jvm_used"] for r in results)
    assert results[1]["native"]["reader"] == "postgresql_copy"
    assert results[2]["native"]["write_plan"] == "append"  # the largest key noted by the previous commit
    rows = {name: sorted(tuple(r) for r in spark.table(target).collect()) for name, target in targets.items()}
    assert rows["native"] == rows["jvm"] and len(rows["native"]) == 32
    # the JVM reads the state the run without it committed
    state, snapshot, _ = _target_state(spark, _options(postgres_db, **_params(table, targets["native"])))
    assert (state.watermark, snapshot) == (
        results[-1]["native"]["watermark_after"],
        results[-1]["native"]["snapshot_id"],
    )


def test_a_crash_at_every_stage_then_a_rerun_gives_the_source(
    pg_source: Any,
    postgres_db: Any,
    run_ingest: Callable[..., Any],
    same_rows: Callable[..., None],
    lakehouse: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    table = postgres_db.unique_table("crash")
    target = "bronze.native_crash"
    make_events(pg_source, table, 10)
    run_ingest(postgres_db, **_params(table, target))
    data = lakehouse.warehouse / "bronze" / "native_crash" / "data"

    forbid_the_jvm(monkeypatch)

    class Crash(Exception):
        pass

    for number, stage in enumerate(STAGES):
        at = f"TIMESTAMPTZ '2026-05-01 00:00:00+00' + interval '{number} hours'"  # past the last watermark
        pg_source.run(f"UPDATE {table} SET note = 'v{number}', updated_at = {at} WHERE id = 1")
        pg_source.run(f"INSERT INTO {table} SELECT {20 + number}, 1, 'new', {at} + interval '30 minutes'")
        files = sorted(data.iterdir())

        def crash(at: str, stage: str = stage) -> None:
            if at == stage:
                raise Crash(stage)

        with pytest.raises(Crash):
            run_ingest(postgres_db, hook=crash, **_params(table, target))
        if stage != "after_commit":
            assert sorted(data.iterdir()) == files  # nothing written, or all of it removed again
        rerun = run_ingest(postgres_db, **_params(table, target)).summary
        assert not rerun.jvm_used
        same_rows(
            pg_source,
            f"SELECT id, amount, note, updated_at FROM {table}",
            target,
            ["id", "amount", "note", "updated_at"],
        )


def test_what_it_cannot_answer_as_the_jvm_does_goes_to_the_jvm(
    pg_source: Any, postgres_db: Any, run_ingest: Callable[..., Any], lakehouse: Any, caplog: pytest.LogCaptureFixture
) -> None:
    table = postgres_db.unique_table("fallback")
    target = "bronze.native_fallback"
    make_events(pg_source, table, 10)
    run_ingest(postgres_db, **_params(table, target))
    pg_source.run(f"ALTER TABLE {table} ADD COLUMN code char(3)")  # padded by Spark: no native type for it
    pg_source.run(f"UPDATE {table} SET code = 'ab', updated_at = updated_at + interval '1 day' WHERE id = 2")
    with caplog.at_level("INFO", logger="glueforge.ingest"):
        summary = run_ingest(postgres_db, **_params(table, target)).summary
    assert "runs in the JVM: no Spark type here for code bpchar" in caplog.text
    assert (summary.jvm_used, summary.jvm_reason) == (True, "no Spark type here for code bpchar")
    assert summary.added_columns == ["code"]  # schema drift, through the JVM
    assert lakehouse.spark.table(target).where("id = 2").first()["code"] == "ab "


@pytest.fixture
def every_type(pg_source: Any, postgres_db: Any) -> str:
    table = postgres_db.unique_table("types")
    pg_source.run(
        f"CREATE TABLE {table} (id int8 PRIMARY KEY, a int2, b int4, d numeric(12,2), e numeric, s numeric(38,0), "
        "f float4, g float8, h bool, i text, j varchar(20), l date, m timestamp, t timestamp(3), n timestamptz, "
        "o uuid, p json, q jsonb, u name, updated_at timestamptz)"
    )
    return table


@pytest.mark.parametrize("timestamp_type", ["TIMESTAMP_LTZ", "TIMESTAMP_NTZ"])
def test_the_probe_gives_sparks_own_types(
    every_type: str, postgres_db: Any, lakehouse: Any, monkeypatch: pytest.MonkeyPatch, timestamp_type: str
) -> None:
    spark = lakehouse.spark
    monkeypatch.setattr(spark.conf, "get", _conf_with(spark.conf.get, "spark.sql.timestampType", timestamp_type))
    options = _options(postgres_db, **_params(every_type, "bronze.unused"))
    source = resolve_source(options)
    jvm_shape = JdbcReader(spark, source, options).probe()
    reader = native.NativeReader(native.SessionConf(spark), source, options)
    with reader.session():
        native_shape = reader.probe()
    assert [(f.name, f.dataType) for f in native_shape.schema.fields] == [
        (f.name, f.dataType) for f in jvm_shape.schema.fields
    ]
    assert (native_shape.cursor, native_shape.cursor_kind, native_shape.primary_keys) == (
        jvm_shape.cursor,
        jvm_shape.cursor_kind,
        jvm_shape.primary_keys,
    )
    with reader.session():
        assert set(reader.declared_unique_keys()) == set(JdbcReader(spark, source, options).declared_unique_keys())


def _conf_with(get: Callable[..., Any], key: str, value: str) -> Callable[..., Any]:
    def conf_get(name: str, *default: Any) -> Any:
        return value if name == key else get(name, *default)

    return conf_get


@pytest.mark.parametrize(
    "properties",
    [
        {},
        {"write.metadata.metrics.default": "full"},
        {"write.metadata.metrics.default": "counts", "write.metadata.metrics.column.note": "truncate(4)"},
        {"write.metadata.metrics.column.id": "none"},
    ],
)
def test_metrics_modes_are_icebergs(lakehouse: Any, properties: dict[str, str]) -> None:
    spark = lakehouse.spark
    name = f"bronze.modes_{abs(hash(str(properties)))}"
    spark.sql("CREATE NAMESPACE IF NOT EXISTS bronze")
    settings = ", ".join(f"'{k}'='{v}'" for k, v in {"format-version": "2", **properties}.items())
    spark.sql(
        f"CREATE TABLE {name} (id bigint, note string, amount decimal(10,2)) USING iceberg TBLPROPERTIES ({settings})"
    )
    loaded = iceberg_table(spark, TableName.parse(name))
    columns = ["id", "note", "amount"]
    assert metrics_modes({**properties}, columns) == column_modes(spark, loaded, columns)


@pytest.fixture
def no_session_yet(monkeypatch: pytest.MonkeyPatch, lakehouse: Any) -> list[str]:
    """The CLI as in a fresh process: no Spark session until ``get_spark`` starts one (each start noted here)."""
    import glueforge.session as session_module

    real_get_spark, started = session_module.get_spark, []

    def get_spark(settings: Any = None) -> Any:
        started.append("started")
        monkeypatch.setattr(session_module, "_session", lakehouse.spark)
        return real_get_spark(settings)

    monkeypatch.setattr(session_module, "_session", None)
    monkeypatch.setattr(session_module, "get_spark", get_spark)
    return started


def test_the_cli_starts_no_spark_session_for_a_small_window(
    pg_source: Any, postgres_db: Any, run_ingest: Callable[..., Any], lakehouse: Any, no_session_yet: list[str]
) -> None:
    import json

    from click.testing import CliRunner

    from glueforge.cli.ingest import ingest as ingest_command

    table = postgres_db.unique_table("cli")
    make_events(pg_source, table, 12)
    base = ["--url", postgres_db.jdbc_url, "--user", postgres_db.user, "--table", table, "--cursor", "updated_at"]
    base += ["--primary-key", "id", "--target", "bronze.native_cli", "--warehouse", str(lakehouse.warehouse)]

    def run() -> dict[str, Any]:
        result = CliRunner().invoke(ingest_command, [*base, "--quiet"])
        assert result.exit_code == 0, result.output
        return dict(json.loads(result.output.strip().splitlines()[-1]))

    assert run()["jvm_reason"] == "no target yet (a first load)" and no_session_yet == ["started"]
    pg_source.run(f"UPDATE {table} SET note = 'cli', updated_at = updated_at + interval '1 day' WHERE id = 3")
    import glueforge.session as session_module

    session_module._session = None  # a new process: the session of the first run is gone
    summary = run()
    assert (summary["status"], summary["jvm_used"], summary["upserted"]) == ("committed", False, 1)
    assert no_session_yet == ["started"]  # not started again
    refresh_spark_table(lakehouse.spark, TableName.parse("bronze.native_cli"))
    assert lakehouse.spark.table("bronze.native_cli").where("id = 3").first()["note"] == "cli"


def test_ingest_many_starts_spark_only_for_the_job_that_needs_it(
    pg_source: Any,
    postgres_db: Any,
    run_ingest: Callable[..., Any],
    lakehouse: Any,
    no_session_yet: list[str],
    tmp_path: Any,
) -> None:
    import json

    import yaml
    from click.testing import CliRunner

    from glueforge.cli.ingest import ingest as ingest_command

    tables = [postgres_db.unique_table(f"many{i}") for i in range(3)]
    for table in tables:
        make_events(pg_source, table, 8)
    for table in tables[::2]:  # the first and last already loaded; the middle one is a first load
        run_ingest(postgres_db, **_params(table, f"bronze.{table}"))
        pg_source.run(f"UPDATE {table} SET updated_at = updated_at + interval '1 day' WHERE id = 2")
    jobs_file = tmp_path / "jobs.yml"
    defaults = {"url": postgres_db.jdbc_url, "user": postgres_db.user, "cursor_column": "updated_at"}
    jobs = [{"table": t, "primary_keys": "id", "target_table": f"bronze.{t}"} for t in tables]
    jobs_file.write_text(yaml.safe_dump({"defaults": defaults, "jobs": jobs}))
    result = CliRunner().invoke(
        ingest_command, ["many", "--jobs", str(jobs_file), "--warehouse", str(lakehouse.warehouse), "--quiet"]
    )
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.strip().splitlines()[:-1]]
    assert [(line["status"], line["summary"]["jvm_used"]) for line in lines] == [
        ("committed", False),  # before any session
        ("committed", True),  # a first load: the session starts here
        ("committed", False),  # in that session, still without the JVM
    ]
    assert no_session_yet == ["started"]


def test_every_so_often_a_run_goes_through_the_jvm_so_that_iceberg_merges_the_manifests(
    pg_source: Any, postgres_db: Any, run_ingest: Callable[..., Any], same_rows: Callable[..., None], lakehouse: Any
) -> None:
    from glueforge.hadoop_table import HadoopTable

    table = postgres_db.unique_table("merge")
    target = "bronze.native_merge"
    make_events(pg_source, table, 10)
    run_ingest(postgres_db, **_params(table, target))
    lakehouse.spark.sql(f"ALTER TABLE {target} SET TBLPROPERTIES ('commit.manifest.min-count-to-merge' = '4')")
    location = lakehouse.warehouse / "bronze" / "native_merge"
    used, counts = [], []
    for run in range(4):
        pg_source.run(
            f"UPDATE {table} SET note = 'r{run}', updated_at = updated_at + interval '1 day' WHERE id = {run + 1}"
        )
        summary = run_ingest(postgres_db, **_params(table, target)).summary
        used.append((summary.jvm_used, summary.jvm_reason))
        loaded = HadoopTable.load(location)
        assert loaded is not None
        counts.append(len(loaded.manifests()))
    # 1 data manifest after the first load, 1 data and 1 delete manifest more per run without the JVM; when a
    # commit would make 4 of one content, the run goes through the JVM, whose commit merges them
    assert used[:2] == [(False, None), (False, None)]
    assert used[2] == (True, "3 manifests: Iceberg's Java commit merges them") and counts[2] < counts[1]
    same_rows(
        pg_source, f"SELECT id, amount, note, updated_at FROM {table}", target, ["id", "amount", "note", "updated_at"]
    )


def test_state_show_reads_a_local_targets_state_without_starting_spark(
    pg_source: Any, postgres_db: Any, run_ingest: Callable[..., Any], lakehouse: Any, no_session_yet: list[str]
) -> None:
    import json

    from click.testing import CliRunner

    from glueforge.cli.ingest import ingest as ingest_command
    from transforms.incremental_jdbc_ingest.state import iceberg_state, reset_iceberg

    table = postgres_db.unique_table("show")
    target = "bronze.native_show"
    make_events(pg_source, table, 6)
    run_ingest(postgres_db, **_params(table, target))
    name = TableName.parse(target)

    def show(target_table: str) -> dict[str, Any]:
        result = CliRunner().invoke(
            ingest_command, ["state", "show", "--target", target_table, "--warehouse", str(lakehouse.warehouse)]
        )
        assert result.exit_code == 0, result.output
        return dict(json.loads(result.output.strip().splitlines()[-1]))

    assert show(target) == {"target": target, **iceberg_state(lakehouse.spark, name).as_dict()}
    reset_iceberg(lakehouse.spark, name, "2026-01-01T00:03:00+00:00", target)  # a rewound state shows as it is
    rewound = show(target)
    assert rewound == {"target": target, **iceberg_state(lakehouse.spark, name).as_dict()}
    assert rewound["watermark"] == "2026-01-01T00:03:00+00:00" and no_session_yet == []
    assert show("bronze.native_nothing")["origin"] == "none (no target yet)"  # through Spark, which says so
    assert no_session_yet == ["started"]
