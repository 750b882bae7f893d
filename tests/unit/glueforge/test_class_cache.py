"""The JVM class archive is used only when built for the exact classpath, and can be turned off."""

from __future__ import annotations

from pathlib import Path

import pytest

from glueforge.class_cache import archive_key, archive_path, runtime_java_options
from glueforge.doctor import check_class_cache
from glueforge.session import local_spark_conf
from glueforge.settings import load_settings


def test_no_archive_no_options_and_a_built_archive_is_mapped(tmp_path: Path) -> None:
    settings = load_settings(cache_dir=tmp_path)
    conf = local_spark_conf(settings)
    assert "SharedArchiveFile" not in conf["spark.driver.extraJavaOptions"]
    assert "not built" in check_class_cache(settings)[0].detail

    archive = archive_path(settings, local_spark_conf(settings))
    archive.parent.mkdir(parents=True)
    archive.write_bytes(b"stand-in")
    options = local_spark_conf(settings)["spark.driver.extraJavaOptions"]
    assert f"-XX:SharedArchiveFile={archive}" in options and "-Xshare:auto" in options
    assert "-Duser.timezone=UTC" in options  # the base options stay
    assert str(archive) in check_class_cache(settings)[0].detail

    off = load_settings(cache_dir=tmp_path, class_data_sharing=False)
    assert "SharedArchiveFile" not in local_spark_conf(off)["spark.driver.extraJavaOptions"]
    assert runtime_java_options(off, local_spark_conf(off)) == ""


def test_the_archive_belongs_to_one_classpath(tmp_path: Path) -> None:
    base = local_spark_conf(load_settings(cache_dir=tmp_path))
    other_jars = {**base, "spark.jars": base.get("spark.jars", "") + ",/opt/extra.jar"}
    assert archive_key(base) != archive_key(other_jars)
    assert archive_key(base) == archive_key(dict(base))


def test_only_the_newest_archives_are_kept(tmp_path: Path) -> None:
    import os

    from glueforge.class_cache import prune

    for age, name in enumerate(["spark-a.jsa", "spark-b.jsa", "spark-c.jsa", "spark-d.jsa"]):
        path = tmp_path / name
        path.write_bytes(b"x")
        os.utime(path, (1_000_000 - age * 100, 1_000_000 - age * 100))  # a is the newest
    (tmp_path / "notes.txt").write_text("not an archive")
    removed = prune(tmp_path, keep=2)
    assert sorted(p.name for p in removed) == ["spark-c.jsa", "spark-d.jsa"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt", "spark-a.jsa", "spark-b.jsa"]


def test_no_archive_for_a_jvm_with_an_agent_or_flight_recording(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = load_settings(cache_dir=tmp_path)
    archive = archive_path(settings, local_spark_conf(settings))
    archive.parent.mkdir(parents=True)
    archive.write_bytes(b"stand-in")
    assert "SharedArchiveFile" in local_spark_conf(settings)["spark.driver.extraJavaOptions"]
    monkeypatch.setenv("JAVA_TOOL_OPTIONS", "-javaagent:/opt/apm/agent.jar")
    assert "SharedArchiveFile" not in local_spark_conf(settings)["spark.driver.extraJavaOptions"]


def test_doctor_tells_whether_files_are_created_without_chmod_forks(tmp_path: Path) -> None:
    from glueforge.doctor import check_local_file_system
    from glueforge.local_fs import jar_path

    settings = load_settings(cache_dir=tmp_path)
    assert "forks chmod" in check_local_file_system(settings)[0].detail
    jar_path(settings).parent.mkdir(parents=True)
    jar_path(settings).write_bytes(b"stand-in")
    assert str(jar_path(settings)) in check_local_file_system(settings)[0].detail
    off = check_local_file_system(settings.model_copy(update={"nio_local_fs": False}))[0]
    assert off.ok and "nio_local_fs = false" in off.detail
