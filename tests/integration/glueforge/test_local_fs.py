"""The local file system without ``chmod`` forks: built by javac, used by local sessions, and giving files and
directories the very permissions Hadoop's own local file system gives them."""

from __future__ import annotations

import os
import stat
import zipfile
from pathlib import Path
from typing import Any

from glueforge import local_fs
from glueforge.settings import load_settings

HAS_JAVAC = local_fs.find_javac() is not None  # this machine has one; without it, the fallback is what is tested


def test_build_compiles_both_classes_into_the_cache(tmp_path: Path) -> None:
    settings = load_settings(cache_dir=tmp_path)
    assert local_fs.built_jar(settings) is None
    jar = local_fs.build_jar(settings)
    if not HAS_JAVAC:
        assert jar is None and local_fs.built_jar(settings) is None  # sessions keep Hadoop's file system
        return
    assert jar is not None and jar == local_fs.jar_path(settings) == local_fs.built_jar(settings)
    with zipfile.ZipFile(jar) as contents:
        assert sorted(contents.namelist()) == [
            "glueforge/hadoop/NioLocalFileSystem.class",
            "glueforge/hadoop/NioRawLocalFileSystem.class",
        ]
    assert not list(jar.parent.glob("*.partial"))
    assert local_fs.built_jar(settings.model_copy(update={"nio_local_fs": False})) is None


def _mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_the_session_creates_files_with_hadoops_own_permissions(spark: Any, tmp_path: Path) -> None:
    jvm = spark._jvm
    conf = spark.sparkContext._jsc.hadoopConfiguration()
    ours = jvm.org.apache.hadoop.fs.Path(f"file://{tmp_path}").getFileSystem(conf)
    if not HAS_JAVAC:  # nothing built: Hadoop's own (its subclass from Spark's Hive jars)
        assert ours.getRawFileSystem().getClass().getName() == "org.apache.hadoop.fs.RawLocalFileSystem"
        return
    assert ours.getClass().getName() == local_fs.FILE_SYSTEM_CLASS  # make setup built the jar: sessions use it
    hadoops = jvm.org.apache.hadoop.fs.LocalFileSystem()
    hadoops.initialize(jvm.java.net.URI("file:///"), conf)
    assert hadoops.getRawFileSystem().getClass().getName() == "org.apache.hadoop.fs.RawLocalFileSystem"
    permission = jvm.org.apache.hadoop.fs.permission.FsPermission

    def made_by(fs: Any, name: str) -> dict[str, int]:
        root = tmp_path / name
        path = jvm.org.apache.hadoop.fs.Path
        fs.create(path(f"file://{root}/default.txt"), True).close()
        fs.mkdirs(path(f"file://{root}/dir"), permission.createImmutable(0o750))
        fs.setPermission(path(f"file://{root}/default.txt"), permission.createImmutable(0o604))
        fs.create(path(f"file://{root}/second.txt"), True).close()
        return {str(p.relative_to(root)): _mode(p) for p in sorted(root.rglob("*"))}

    mine, theirs = made_by(ours, "ours"), made_by(hadoops, "hadoops")
    assert mine == theirs  # checksum files included
    assert mine["default.txt"] == 0o604 and mine["dir"] == 0o750
