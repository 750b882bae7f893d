"""Each step handler and each DATA_TRANSFORM rule op maps to the expected native (or custom) Glue nodes."""

from __future__ import annotations

from typing import Any

import pytest

from migration.dag import node_fields, node_type, validate_dag
from migration.generator import MetadataBuilder, db_ingest, dq, file_ingest, persist, transform
from migration.migrator import JobResult, Migrator
from migration.validation import validate_request


def migrate_chain(*steps: tuple[str, dict[str, Any]]) -> JobResult:
    """One job: a linear chain of the given steps, ending where the last one ends."""
    builder = MetadataBuilder()
    builder.job(1, "job_one")
    previous = None
    for index, (step_type, config) in enumerate(steps, 1):
        step = builder.step(1, f"step_{index}", step_type, config, index)
        if previous is not None:
            builder.edge(step, previous)
        previous = step
    return Migrator(builder.metadata()).migrate(builder.metadata().jobs[0])


def kinds(result: JobResult) -> list[str]:
    return [node_type(n) for n in result.nodes.values()]


def only(result: JobResult, kind: str) -> dict[str, Any]:
    matches = [node_fields(n) for n in result.nodes.values() if node_type(n) == kind]
    assert len(matches) == 1, kinds(result)
    return matches[0]


def assert_valid(result: JobResult) -> None:
    assert result.errors == [], result.errors
    assert result.request is not None
    assert validate_dag(result.nodes) == []
    assert validate_request("CreateJob", result.request) == []


@pytest.mark.parametrize(
    ("fmt", "kind"), [("csv", "S3CsvSource"), ("json", "S3JsonSource"), ("parquet", "S3ParquetSource")]
)
def test_file_ingest_maps_each_format_to_its_s3_source(fmt: str, kind: str) -> None:
    result = migrate_chain(("FILE_INGEST", file_ingest("s3://raw/x/", fmt)), ("DATA_PERSISTENCE", persist("s3")))
    assert_valid(result)
    fields = only(result, kind)
    assert fields["Paths"] == ["s3://raw/x/"]
    if fmt == "csv":
        assert (fields["Separator"], fields["QuoteChar"], fields["WithHeader"]) == ("comma", "quote", True)


@pytest.mark.parametrize(
    ("delimiter", "separator"), [(";", "semicolon"), ("|", "pipe"), ("\t", "tab"), ("\u0001", "ctrla")]
)
def test_csv_delimiters_and_schema(delimiter: str, separator: str) -> None:
    config = file_ingest("s3://raw/x/")
    config["options"] = {"delimiter": delimiter, "header": False, "quote": None, "compression": "gzip"}
    config["schema"] = [{"name": "id", "type": "bigint"}]
    result = migrate_chain(("FILE_INGEST", config), ("DATA_PERSISTENCE", persist("s3")))
    assert_valid(result)
    fields = only(result, "S3CsvSource")
    assert fields["Separator"] == separator
    assert fields["QuoteChar"] == "disabled"
    assert fields["CompressionType"] == "gzip"
    assert fields["OutputSchemas"] == [{"Columns": [{"Name": "id", "Type": "bigint"}]}]


def test_sftp_without_a_registered_transform_is_a_clear_error() -> None:
    config = {"source": {"type": "sftp", "host": "h", "port": 22, "path": "/in", "secret_ref": "s"}, "format": "csv"}
    result = migrate_chain(("FILE_INGEST", config), ("DATA_PERSISTENCE", persist("s3")))
    assert result.status == "failed"
    assert "SFTP" in result.errors[0] and "step_1" in result.errors[0]


def test_db_ingest_full_table_is_a_direct_jdbc_source_by_connection_name() -> None:
    result = migrate_chain(("DB_INGEST", db_ingest("crm_mysql", "crm.customers")), ("DATA_PERSISTENCE", persist()))
    assert_valid(result)
    fields = only(result, "DirectJDBCSource")
    assert fields["ConnectionName"] == "crm_mysql"
    assert fields["ConnectionType"] == "mysql"
    assert (fields["Database"], fields["Table"]) == ("crm", "crm.customers")
    assert result.request["Connections"] == {"Connections": ["crm_mysql"]}
    assert result.status == "migrated"


def test_db_ingest_incremental_uses_the_transform_with_a_placeholder_parent() -> None:
    config = db_ingest("sales_pg", "public.orders")
    config["query"] = "SELECT * FROM public.orders WHERE updated_at > '{lastmdfdtmst}'"
    config["parallel"] = {"hashfield": "order_id", "hashpartitions": 4}
    result = migrate_chain(("DB_INGEST", config), ("DATA_PERSISTENCE", persist()))
    assert_valid(result)
    assert result.status == "migrated_with_custom_nodes"
    transform_node = only(result, "DynamicTransform")
    placeholder = only(result, "DirectJDBCSource")
    assert transform_node["Inputs"] == [next(k for k, n in result.nodes.items() if node_type(n) == "DirectJDBCSource")]
    assert placeholder["ConnectionName"] == "sales_pg"
    params = {p["Name"]: p["Value"] for p in transform_node["Parameters"]}
    assert params["cursor_column"] == ["updated_at"]  # found in the query
    assert params["query"] == ["SELECT * FROM public.orders WHERE updated_at > {lastmdfdtmst}"]
    assert params["connection_name"] == ["sales_pg"]
    assert params["hashfield"] == ["order_id"] and params["partitions"] == ["4"]
    assert "password" not in str(result.request).lower().replace("password_env", "")
    arguments = result.request["DefaultArguments"]
    assert "incremental_jdbc_ingest.py" in arguments["--extra-py-files"]


def test_db_ingest_plain_query_becomes_source_plus_spark_sql() -> None:
    config = db_ingest("sales_pg", "sales.orders")
    config["query"] = "SELECT id, amount FROM sales.orders WHERE amount > 0"
    result = migrate_chain(("DB_INGEST", config), ("DATA_PERSISTENCE", persist()))
    assert_valid(result)
    sql = only(result, "SparkSQL")
    assert sql["SqlQuery"] == "SELECT id, amount FROM source_table WHERE amount > 0"


def test_dq_check_becomes_evaluate_data_quality_with_dqdl() -> None:
    result = migrate_chain(
        ("FILE_INGEST", file_ingest("s3://r/")), ("DQ_CHECK", dq("fail")), ("DATA_PERSISTENCE", persist())
    )
    assert_valid(result)
    fields = only(result, "EvaluateDataQuality")
    assert fields["StopJobOnFailureOptions"] == {"StopJobOnFailureTiming": "Immediate"}
    assert fields["Ruleset"] == (
        'Rules = [\n    IsComplete "id",\n    IsUnique "id",\n    ColumnValues "amount" between 0 and 1000,\n'
        '    ColumnValues "email" matches "^[^@]+@[^@]+$",\n    ColumnValues "status" in ["NEW","DONE"],\n'
        '    RowCount >= 1,\n    DataFreshness "updated_at" <= 48 hours\n]'
    )
    from glueforge.quality.dqdl import parse_dqdl

    assert len(parse_dqdl(fields["Ruleset"])) == 7  # the quality engine's parser accepts every emitted rule


def test_dq_warn_does_not_stop_the_job() -> None:
    result = migrate_chain(
        ("FILE_INGEST", file_ingest("s3://r/")), ("DQ_CHECK", dq("warn")), ("DATA_PERSISTENCE", persist())
    )
    assert "StopJobOnFailureOptions" not in only(result, "EvaluateDataQuality")


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ({"type": "range", "column": "a", "min": 1}, 'ColumnValues "a" >= 1'),
        ({"type": "range", "column": "a", "max": 10}, 'ColumnValues "a" <= 10'),
        ({"type": "row_count", "min": 10, "max": 100}, "RowCount between 10 and 100"),
        ({"type": "regex", "column": "a", "pattern": '\\d+"x'}, 'ColumnValues "a" matches "\\d+\\"x"'),
    ],
)
def test_dqdl_rule_variants(rule: dict[str, Any], expected: str) -> None:
    from glueforge.quality.dqdl import parse_dqdl
    from migration.dqdl import ruleset
    from migration.legacy_model import DqRule

    text = ruleset([DqRule.model_validate(rule)])
    assert expected in text
    parse_dqdl(text)


def test_multi_column_unique_is_reported_not_silently_weakened() -> None:
    config = {"rules": [{"type": "unique", "columns": ["a", "b"]}], "on_failure": "fail"}
    result = migrate_chain(
        ("FILE_INGEST", file_ingest("s3://r/")), ("DQ_CHECK", config), ("DATA_PERSISTENCE", persist())
    )
    assert result.status == "failed"
    assert "unique over 2 columns" in result.errors[0]


def join_job(config: dict[str, Any], aliases: tuple[str | None, str | None] = ("orders", "customers")) -> JobResult:
    builder = MetadataBuilder()
    builder.job(1, "join_job")
    left = builder.step(1, "read_orders", "FILE_INGEST", file_ingest("s3://r/o/"))
    right = builder.step(1, "read_customers", "DB_INGEST", db_ingest("crm_mysql", "crm.customers"))
    join = builder.step(1, "join", "TRANSFORM_JOIN", config, 2)
    builder.edge(join, left, aliases[0])
    builder.edge(join, right, aliases[1])
    target = builder.step(1, "write", "DATA_PERSISTENCE", persist(), 3)
    builder.edge(target, join)
    return Migrator(builder.metadata()).migrate(builder.metadata().jobs[0])


@pytest.mark.parametrize(
    ("legacy", "glue"),
    [("inner", "equijoin"), ("left", "left"), ("full", "outer"), ("left_anti", "leftanti"), ("left_semi", "leftsemi")],
)
def test_key_join_is_a_native_join(legacy: str, glue: str) -> None:
    result = join_job(
        {"join_type": legacy, "left": "orders", "right": "customers", "keys": [{"left": "customer_id", "right": "id"}]}
    )
    assert_valid(result)
    fields = only(result, "Join")
    assert fields["JoinType"] == glue
    assert [c["Keys"] for c in fields["Columns"]] == [[["customer_id"]], [["id"]]]
    assert [c["From"] for c in fields["Columns"]] == fields["Inputs"]


def test_sql_join_is_spark_sql_with_aliases() -> None:
    result = join_job({"sql": "SELECT o.id FROM orders o JOIN customers c ON o.cid = c.id"})
    assert_valid(result)
    fields = only(result, "SparkSQL")
    assert sorted(a["Alias"] for a in fields["SqlAliases"]) == ["customers", "orders"]
    assert sorted(a["From"] for a in fields["SqlAliases"]) == sorted(fields["Inputs"])


def test_join_without_alias_fails_naming_the_step() -> None:
    result = join_job({"sql": "SELECT 1"}, aliases=("orders", None))
    assert result.status == "failed"
    assert "'join'" in result.errors[0] and "input_alias" in result.errors[0]


RULE_NODES = {
    "rename": ["RenameField"],
    "cast": ["SparkSQL", "DropFields", "RenameField"],
    "drop": ["DropFields"],
    "select": ["SelectFields"],
    "filter": ["Filter"],
    "filter_nested": ["SparkSQL"],
    "derive": ["SparkSQL"],
    "fill_null": ["SparkSQL", "DropFields", "RenameField"],
    "dedupe": ["DropDuplicates"],
    "aggregate": ["Aggregate", "RenameField", "RenameField"],
    "mask_pii": ["DynamicTransform"],
}


@pytest.mark.parametrize("op", sorted(RULE_NODES))
def test_each_rule_op_maps_to_its_nodes(op: str) -> None:
    result = migrate_chain(
        ("FILE_INGEST", file_ingest("s3://r/")), ("DATA_TRANSFORM", transform(op)), ("DATA_PERSISTENCE", persist())
    )
    assert_valid(result)
    assert kinds(result)[1:-1] == RULE_NODES[op]


def test_rule_op_details() -> None:
    result = migrate_chain(
        ("FILE_INGEST", file_ingest("s3://r/")),
        ("DATA_TRANSFORM", transform("filter", "cast", "aggregate", "mask_pii")),
        ("DATA_PERSISTENCE", persist()),
    )
    nodes = [node_fields(n) for n in result.nodes.values()]
    filter_node = nodes[1]
    assert filter_node["LogicalOperator"] == "OR"
    assert filter_node["Filters"][1] == {
        "Operation": "GT",
        "Negated": False,
        "Values": [{"Type": "COLUMNEXTRACTED", "Value": ["amount"]}, {"Type": "CONSTANT", "Value": ["10"]}],
    }
    assert nodes[2]["SqlQuery"] == "SELECT *, CAST(`amount` AS decimal(12,2)) AS __gf_2 FROM input_rows"
    assert nodes[5]["Aggs"] == [
        {"Column": ["amount"], "AggFunc": "sum"},
        {"Column": ["id"], "AggFunc": "countDistinct"},
    ]
    assert (nodes[6]["SourcePath"], nodes[6]["TargetPath"]) == (["sum(amount)"], ["total"])
    assert (nodes[7]["SourcePath"], nodes[7]["TargetPath"]) == (["count(DISTINCT id)"], ["ids"])
    pii = {p["Name"]: p["Value"] for p in nodes[8]["Parameters"]}
    assert pii["action"] == ["SHA256_HASH"] and "includeColumns" not in pii


def test_nested_filter_sql_is_exact() -> None:
    result = migrate_chain(
        ("FILE_INGEST", file_ingest("s3://r/")),
        ("DATA_TRANSFORM", transform("filter_nested")),
        ("DATA_PERSISTENCE", persist()),
    )
    assert only(result, "SparkSQL")["SqlQuery"] == (
        "SELECT * FROM input_rows WHERE (`status` IN ('NEW', 'DONE') AND (`amount` >= 1 OR `note` LIKE 'x%'))"
    )


@pytest.mark.parametrize(
    ("kind", "node"),
    [
        ("s3", "S3DirectTarget"),
        ("iceberg", "S3IcebergCatalogTarget"),
        ("iceberg_merge", "SparkSQL"),
        ("rds", "PostgreSQLCatalogTarget"),
    ],
)
def test_persistence_targets(kind: str, node: str) -> None:
    result = migrate_chain(("FILE_INGEST", file_ingest("s3://r/")), ("DATA_PERSISTENCE", persist(kind)))
    assert_valid(result)
    fields = only(result, node)
    if kind == "s3":
        assert fields["PartitionKeys"] == [["status"]] and fields["Format"] == "parquet"
    if kind == "iceberg_merge":
        assert fields["SqlQuery"].startswith(
            "MERGE INTO glue_catalog.curated.t t USING source_rows s ON t.`id` = s.`id`"
        )
    if kind == "rds":
        assert (fields["Database"], fields["Table"]) == ("sales_pg", "reporting_t")
        assert result.request["Connections"] == {"Connections": ["sales_pg"]}


def test_rds_upsert_becomes_the_jdbc_upsert_transform_on_its_keys() -> None:
    target = {"type": "rds", "connection": "sales_pg", "table": "reporting.t", "mode": "upsert", "keys": ["id", "day"]}
    result = migrate_chain(("FILE_INGEST", file_ingest("s3://r/")), ("DATA_PERSISTENCE", {"target": target}))
    assert_valid(result)
    assert result.warnings == [] and "PostgreSQLCatalogTarget" not in kinds(result)
    upsert = only(result, "DynamicTransform")
    assert upsert["TransformName"] == "jdbc_upsert"
    assert upsert["Inputs"] == [next(k for k, n in result.nodes.items() if node_type(n) == "S3CsvSource")]
    params = {p["Name"]: p["Value"] for p in upsert["Parameters"]}
    assert params == {
        "table": ["reporting.t"],
        "primary_keys": ["id,day"],
        "connection_name": ["sales_pg"],
        "database_type": ["postgresql"],
    }
    assert result.request["Connections"] == {"Connections": ["sales_pg"]}  # the job reaches the database
    assert "jdbc_upsert.py" in result.request["DefaultArguments"]["--extra-py-files"]


def test_rds_upsert_without_keys_is_a_clear_error() -> None:
    target = {"type": "rds", "connection": "sales_pg", "table": "reporting.t", "mode": "upsert"}
    result = migrate_chain(("FILE_INGEST", file_ingest("s3://r/")), ("DATA_PERSISTENCE", {"target": target}))
    assert result.request is None
    assert any("rds upsert needs 'keys'" in error for error in result.errors), result.errors


def test_job_request_fields_and_default_arguments() -> None:
    result = migrate_chain(("FILE_INGEST", file_ingest("s3://r/")), ("DATA_PERSISTENCE", persist()))
    request = result.request
    assert request["JobMode"] == "VISUAL"
    assert request["Command"]["Name"] == "glueetl"
    assert request["Command"]["ScriptLocation"] == "s3://glueforge-glue-assets/scripts/job_one.py"
    assert (request["WorkerType"], request["NumberOfWorkers"]) == ("G.1X", 2)
    assert request["Tags"]["edls:job_id"] == "1"
    arguments = request["DefaultArguments"]
    assert arguments["--enable-observability-metrics"] == "true"
    assert arguments["--continuous-log-logGroup"] == "/aws-glue/jobs/logs-v2-infrequent-access"
    assert arguments["--enable-spark-ui"] == "true" and arguments["--spark-event-logs-path"].startswith("s3://")
    assert arguments["--job-bookmark-option"] == "job-bookmark-disable"
    assert arguments["--datalake-formats"] == "iceberg"
    assert arguments["--conf"].count(" --conf ") == 4 and "GlueCatalog" in arguments["--conf"]
    assert arguments["--enable-auto-scaling"] == "true"
    assert "--extra-py-files" not in arguments
