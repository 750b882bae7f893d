from pathlib import Path

import pytest

from glueforge.errors import EnvironmentProblem
from glueforge.jars import ICEBERG_JAR_NAME, driver_for_url, find_jdbc_jars
from glueforge.session import glue_spark_conf, local_spark_conf
from glueforge.settings import load_settings


def test_local_conf_makes_a_hadoop_iceberg_catalog_the_default(tmp_path):
    conf = local_spark_conf(load_settings(warehouse=tmp_path / "wh", catalog="lake"))
    assert conf["spark.sql.catalog.lake"] == "org.apache.iceberg.spark.SparkCatalog"
    assert conf["spark.sql.catalog.lake.type"] == "hadoop"
    assert conf["spark.sql.catalog.lake.warehouse"] == str((tmp_path / "wh").resolve())
    assert conf["spark.sql.defaultCatalog"] == "lake"
    assert "IcebergSparkSessionExtensions" in conf["spark.sql.extensions"]
    assert conf["spark.ui.enabled"] == "false"
    assert conf["spark.sql.session.timeZone"] == "UTC"
    assert conf["spark.jars"].split(",")[0].endswith(ICEBERG_JAR_NAME)
    # on the JVM's own classpath too, where the JVM class archive can hold its classes
    assert conf["spark.driver.extraClassPath"].split(":")[0] == conf["spark.jars"].split(",")[0]


def test_maven_coordinates_replace_the_bundled_iceberg_jar(tmp_path):
    coordinate = "org.apache.iceberg:iceberg-spark-runtime-3.5_2.12:1.7.1"
    conf = local_spark_conf(load_settings(warehouse=tmp_path, packages=[coordinate], jdbc_driver_dirs=[]))
    assert conf["spark.jars.packages"] == coordinate
    assert "spark.jars" not in conf
    assert "iceberg" not in conf.get("spark.driver.extraClassPath", "")


def test_explicit_jar_path_and_user_conf_win(tmp_path):
    jar = tmp_path / "iceberg.jar"
    settings = load_settings(
        warehouse=tmp_path, iceberg_jar=jar, jdbc_driver_dirs=[], spark_conf={"spark.sql.shuffle.partitions": "16"}
    )
    conf = local_spark_conf(settings)
    assert conf["spark.jars"] == str(jar.resolve())
    assert conf["spark.driver.extraClassPath"].split(":")[0] == str(jar.resolve())
    assert conf["spark.sql.shuffle.partitions"] == "16"


def test_jdbc_drivers_are_found_in_the_given_folders(tmp_path):
    (tmp_path / "postgresql.jar").write_bytes(b"")
    (tmp_path / "sqlite-jdbc.jar").write_bytes(b"")
    found = find_jdbc_jars([tmp_path])
    assert set(found) == {"postgresql", "sqlite"}
    conf = local_spark_conf(load_settings(warehouse=tmp_path, jdbc_driver_dirs=[tmp_path]))
    assert str((tmp_path / "postgresql.jar").resolve()) in conf["spark.driver.extraClassPath"]


@pytest.mark.parametrize(
    ("url", "driver"),
    [
        ("jdbc:postgresql://h/db", "postgresql"),
        ("jdbc:mysql://h/db", "mariadb"),
        ("jdbc:mariadb://h/db", "mariadb"),
        ("jdbc:sqlite:/tmp/x.db", "sqlite"),
        ("jdbc:oracle:thin:@h:1521/x", None),
    ],
)
def test_driver_for_url(url, driver):
    found = driver_for_url(url)
    assert (found.name if found else None) == driver


def test_glue_conf_uses_the_glue_catalog_chain_of_the_seed_article():
    conf = glue_spark_conf(load_settings(mode="glue", glue_warehouse="s3://lake/warehouse/"))
    assert conf["spark.sql.catalog.glue_catalog"] == "org.apache.iceberg.spark.SparkCatalog"
    assert conf["spark.sql.catalog.glue_catalog.catalog-impl"] == "org.apache.iceberg.aws.glue.GlueCatalog"
    assert conf["spark.sql.catalog.glue_catalog.io-impl"] == "org.apache.iceberg.aws.s3.S3FileIO"
    assert conf["spark.sql.catalog.glue_catalog.warehouse"] == "s3://lake/warehouse/"
    assert conf["spark.sql.defaultCatalog"] == "glue_catalog"


def test_glue_mode_without_a_warehouse_says_which_setting_to_set():
    with pytest.raises(EnvironmentProblem, match="GLUEFORGE_GLUE_WAREHOUSE"):
        glue_spark_conf(load_settings(mode="glue"))


def test_warehouse_is_resolved_relative_to_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert load_settings().resolved_warehouse() == (tmp_path / "warehouse").resolve()
    assert Path(local_spark_conf(load_settings(jdbc_driver_dirs=[]))["spark.sql.catalog.local.warehouse"]).is_absolute()


def test_java_check_reads_the_version_past_a_picked_up_options_line(monkeypatch):
    from glueforge import session

    monkeypatch.setenv("JAVA_TOOL_OPTIONS", "-Xlog:disable")
    assert '"17' in session.check_java() or " 17" in session.check_java()
    monkeypatch.delenv("JAVA_TOOL_OPTIONS")
    assert not session.check_java().startswith("Picked up")


def test_lazy_c2_compilation_is_on_by_default_and_can_be_turned_off(tmp_path):
    from glueforge.session import LAZY_C2

    on = local_spark_conf(load_settings(warehouse=tmp_path / "wh"))["spark.driver.extraJavaOptions"]
    assert LAZY_C2 in on and "-Duser.timezone=UTC" in on
    off = local_spark_conf(load_settings(warehouse=tmp_path / "wh", lazy_c2_compilation=False))
    assert "Tier4" not in off["spark.driver.extraJavaOptions"]


def test_the_local_file_system_jar_is_used_once_built_and_can_be_turned_off(tmp_path):
    from glueforge import local_fs

    settings = load_settings(warehouse=tmp_path / "wh", cache_dir=tmp_path / "cache")
    assert "spark.hadoop.fs.file.impl" not in local_spark_conf(settings)  # not built: Hadoop's own
    jar = local_fs.jar_path(settings)
    jar.parent.mkdir(parents=True)
    jar.write_bytes(b"stand-in")
    conf = local_spark_conf(settings)
    assert conf["spark.hadoop.fs.file.impl"] == local_fs.FILE_SYSTEM_CLASS
    assert conf["spark.driver.extraClassPath"].split(":")[-1] == str(jar)
    assert "fs.file.impl" not in str(local_spark_conf(settings.model_copy(update={"nio_local_fs": False})))


def test_settings_before_start_only_when_nothing_else_can_change_them(tmp_path, monkeypatch):
    import glueforge.session as session_module
    from glueforge.session import settings_before_start

    monkeypatch.setattr(session_module, "_session", None)
    for name in ("PYSPARK_SUBMIT_ARGS", "SPARK_CONF_DIR", "SPARK_HOME"):
        monkeypatch.delenv(name, raising=False)
    settings = load_settings(warehouse=tmp_path / "wh", mode="local")
    assert settings_before_start(settings) == local_spark_conf(settings)
    assert settings_before_start(load_settings(warehouse=tmp_path / "wh", mode="glue")) is None
    monkeypatch.setenv("PYSPARK_SUBMIT_ARGS", "--conf spark.sql.timestampType=TIMESTAMP_NTZ pyspark-shell")
    assert settings_before_start(settings) is None
    monkeypatch.delenv("PYSPARK_SUBMIT_ARGS")
    (tmp_path / "conf").mkdir()
    (tmp_path / "conf" / "spark-defaults.conf").write_text("spark.sql.timestampType TIMESTAMP_NTZ\n")
    monkeypatch.setenv("SPARK_CONF_DIR", str(tmp_path / "conf"))
    assert settings_before_start(settings) is None
    monkeypatch.delenv("SPARK_CONF_DIR")
    monkeypatch.setattr(session_module, "_session", object())  # a running session's own settings count
    assert settings_before_start(settings) is None
