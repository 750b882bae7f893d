from pathlib import Path

import pytest

from glueforge.errors import ConfigError
from glueforge.settings import load_settings


def test_defaults_point_at_a_local_warehouse_and_local_databases():
    settings = load_settings()
    assert settings.warehouse == Path("warehouse")
    assert settings.catalog == "local"
    assert settings.spark_master == "local[2]"
    assert settings.databases["postgres"].url.startswith("jdbc:postgresql://127.0.0.1:5432/")


def test_environment_overrides_defaults_and_keyword_overrides_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("GLUEFORGE_WAREHOUSE", str(tmp_path / "env"))
    monkeypatch.setenv("GLUEFORGE_SHUFFLE_PARTITIONS", "8")
    assert load_settings().warehouse == tmp_path / "env"
    assert load_settings().shuffle_partitions == 8
    assert load_settings(warehouse=tmp_path / "kw").warehouse == tmp_path / "kw"
    # None means "not given" so CLI options pass straight through
    assert load_settings(warehouse=None).warehouse == tmp_path / "env"


def test_toml_file_is_read_and_environment_wins(monkeypatch, tmp_path):
    config = tmp_path / "glueforge.toml"
    config.write_text('catalog = "lake"\ndriver_memory = "1g"\n[spark_conf]\n"spark.sql.ansi.enabled" = "true"\n')
    monkeypatch.setenv("GLUEFORGE_CONFIG", str(config))
    monkeypatch.setenv("GLUEFORGE_DRIVER_MEMORY", "3g")
    settings = load_settings()
    assert settings.catalog == "lake"
    assert settings.driver_memory == "3g"
    assert settings.spark_conf == {"spark.sql.ansi.enabled": "true"}


def test_missing_config_file_is_a_config_error(monkeypatch, tmp_path):
    monkeypatch.setenv("GLUEFORGE_CONFIG", str(tmp_path / "nope.toml"))
    with pytest.raises(ConfigError, match=r"nope\.toml does not exist"):
        load_settings()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"catalog": "bad-name"}, "catalog"),
        ({"shuffle_partitions": 0}, "shuffle_partitions"),
        ({"mode": "cloud"}, "mode"),
        ({"log_level": "LOUD"}, "log_level"),
    ],
)
def test_invalid_values_name_the_setting(overrides, message):
    with pytest.raises(ConfigError, match=message):
        load_settings(**overrides)


def test_unknown_setting_is_rejected():
    with pytest.raises(ConfigError, match="warehous"):
        load_settings(warehous="x")


def test_database_passwords_are_redacted_when_printed(monkeypatch):
    monkeypatch.setenv("GLUEFORGE_DATABASES__POSTGRES__URL", "jdbc:postgresql://db:5432/x")
    monkeypatch.setenv("GLUEFORGE_DATABASES__POSTGRES__PASSWORD", "hunter2")
    settings = load_settings()
    database = settings.databases["postgres"]
    assert database.password is not None and database.password.get_secret_value() == "hunter2"
    assert "hunter2" not in repr(settings) and "hunter2" not in str(settings.model_dump())
