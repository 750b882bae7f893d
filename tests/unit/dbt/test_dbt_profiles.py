"""Profiles and project, checked with dbt's own machinery and no connection: the glue target validates
offline (dbt-glue credentials), the local target renders for plain dbt, the project parses for both."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from glueforge.dbt_runner import load_profile, run_dbt, source_tables
from glueforge.errors import ConfigError, InputError
from glueforge.settings import load_settings

PROJECT = Path(__file__).resolve().parents[3] / "dbt_project"
GLUE_ENV = {
    "DBT_ROLE_ARN": "arn:aws:iam::123456789012:role/GlueInteractiveSessionRole",
    "DBT_S3_LOCATION": "s3://lake-bucket/dbt/",
    "DBT_GLUE_REGION": "eu-west-1",
}


@pytest.fixture
def glue_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in GLUE_ENV.items():
        monkeypatch.setenv(key, value)


def test_glue_target_is_valid_dbt_glue_credentials(glue_env: None) -> None:
    from dbt.adapters.glue.credentials import GlueCredentials

    credentials = load_profile("glue", PROJECT)
    assert isinstance(credentials, GlueCredentials)
    assert credentials.role_arn == GLUE_ENV["DBT_ROLE_ARN"]
    assert credentials.region == "eu-west-1"
    assert credentials.location == "s3://lake-bucket/dbt/"
    assert credentials.schema == "analytics"
    assert credentials.datalake_formats == "iceberg"
    conf = credentials.conf
    assert "spark.sql.catalog.glue_catalog=org.apache.iceberg.spark.SparkCatalog" in conf
    assert "spark.sql.catalog.glue_catalog.warehouse=s3://lake-bucket/dbt/warehouse/" in conf
    assert "catalog-impl=org.apache.iceberg.aws.glue.GlueCatalog" in conf
    assert "io-impl=org.apache.iceberg.aws.s3.S3FileIO" in conf
    assert "spark.sql.extensions=org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions" in conf


def test_glue_target_without_aws_variables_names_the_missing_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DBT_ROLE_ARN", raising=False)
    with pytest.raises(ConfigError, match="DBT_ROLE_ARN"):
        load_profile("glue", PROJECT)


def test_local_target_renders_iceberg_session_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    from dbt.adapters.spark.connections import SparkConnectionMethod, SparkCredentials

    monkeypatch.setenv("GLUEFORGE_WAREHOUSE", "/data/warehouse")
    monkeypatch.setenv("GLUEFORGE_ICEBERG_JAR", "/jars/iceberg.jar")
    credentials = load_profile("local", PROJECT)
    assert isinstance(credentials, SparkCredentials)
    assert credentials.method == SparkConnectionMethod.SESSION
    params = credentials.server_side_parameters
    assert params["spark.jars"] == "/jars/iceberg.jar"
    assert params["spark.sql.catalog.local.warehouse"] == "/data/warehouse"
    assert params["spark.sql.catalog.local.type"] == "hadoop"
    assert params["spark.sql.defaultCatalog"] == "local"
    assert params["spark.sql.extensions"].endswith("IcebergSparkSessionExtensions")


def test_unknown_target_is_a_config_error(glue_env: None) -> None:
    with pytest.raises(ConfigError, match="redshift"):
        load_profile("redshift", PROJECT)
    with pytest.raises(InputError, match="unknown target"):
        run_dbt("build", settings=load_settings(), target="redshift")
    with pytest.raises(InputError, match="unknown dbt command"):
        run_dbt("seedz", settings=load_settings())


def test_sources_declared_by_the_project() -> None:
    assert source_tables(PROJECT) == ["bronze.orders", "bronze.customers_masked", "nyctaxi.records"]


def test_project_parses_for_glue_with_portable_incremental_configs(glue_env: None, tmp_path: Path) -> None:
    run = run_dbt("parse", settings=load_settings(warehouse=tmp_path / "wh"), target="glue", build_dir=tmp_path)
    assert run.success, run.error
    manifest = json.loads((tmp_path / "target" / "manifest.json").read_text())
    models = {n["name"]: n for n in manifest["nodes"].values() if n["resource_type"] == "model"}
    assert set(models) == {
        "stg_orders",
        "stg_customers",
        "silver_orders_enriched",
        "gold_daily_revenue",
        "gold_customer_lifetime_value",
        "silver_avg_metrics",
        "gold_cost_metrics",
        "gold_passengers_metrics",
    }
    for name in ("gold_daily_revenue", "gold_customer_lifetime_value", "gold_cost_metrics", "gold_passengers_metrics"):
        config = models[name]["config"]
        assert config["materialized"] == "incremental", name
        assert config["incremental_strategy"] == "merge", name
        assert config["file_format"] == "iceberg", name
        assert config["unique_key"], name
        assert config["table_properties"] == {"format-version": "2"}, name
        assert models[name]["schema"] == "gold"
    assert models["gold_cost_metrics"]["config"]["unique_key"] == ["year", "month", "type"]
    assert models["stg_orders"]["config"]["materialized"] == "ephemeral"
    assert models["silver_orders_enriched"]["schema"] == "silver"
    singular = [n for n in manifest["nodes"].values() if n["resource_type"] == "test" and not n.get("test_metadata")]
    assert len(singular) >= 4
