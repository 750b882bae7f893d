"""A Hadoop local file system that sets permissions without forking ``chmod``, for local sessions.

PySpark ships no Hadoop native library, so Hadoop's local file system gives every file and directory it creates
its permissions by running ``chmod`` in a new process: 50 file creations took 0.59-0.63 s here, against
0.09-0.11 s with the permissions set through ``java.nio``. An Iceberg commit creates about ten files (manifests,
manifest list, metadata, version hint, each with its checksum file), and every Spark task writes a few more.
The two classes in ``glueforge/java`` override only ``setPermission`` (same modes, no fork); everything else is
Hadoop's own, checksums included.

``make setup`` compiles them once per Hadoop version into the cache (``python -m glueforge.class_cache`` calls
``build_jar``; it needs ``javac``, and without it sessions keep Hadoop's file system). Local sessions use the jar
when it is built and ``nio_local_fs`` is on (the default); Glue mode never does.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path

from glueforge.settings import Settings

JAVA_SOURCES = Path(__file__).resolve().parent / "java"
FILE_SYSTEM_CLASS = "glueforge.hadoop.NioLocalFileSystem"


def _hadoop_jar() -> Path | None:
    import pyspark

    return next(iter(sorted((Path(pyspark.__file__).parent / "jars").glob("hadoop-client-api-*.jar"))), None)


def _sources() -> list[Path]:
    return sorted(JAVA_SOURCES.rglob("*.java"))


def jar_path(settings: Settings) -> Path:
    """Where the jar for these sources and this Hadoop version is (or would be) built."""
    hadoop = _hadoop_jar()
    digest = hashlib.sha256((hadoop.name if hadoop else "").encode())
    for source in _sources():
        digest.update(source.read_bytes())
    return settings.resolved_cache_dir() / "jvm" / f"glueforge-hadoop-{digest.hexdigest()[:16]}.jar"


def built_jar(settings: Settings) -> Path | None:
    """The jar a local session puts on its classpath, or ``None`` (turned off or not built)."""
    if not settings.nio_local_fs:
        return None
    jar = jar_path(settings)
    return jar if jar.is_file() else None


def find_javac() -> str | None:
    java_home = os.environ.get("JAVA_HOME")
    found = shutil.which("javac", path=os.path.join(java_home, "bin")) if java_home else None
    return found or shutil.which("javac")


def build_jar(settings: Settings, *, force: bool = False) -> Path | None:
    """Compile the sources into the cache (moved into place whole); ``None`` without ``javac`` or Hadoop."""
    target = jar_path(settings)
    if target.is_file() and not force:
        return target
    javac, hadoop = find_javac(), _hadoop_jar()
    if javac is None or hadoop is None:
        return None
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="glueforge-fs-") as scratch:
        classes = Path(scratch) / "classes"
        command = [javac, "--release", "8", "-nowarn", "-d", str(classes), "-cp", str(hadoop)]
        subprocess.run([*command, *map(str, _sources())], check=True, capture_output=True, text=True)
        partial = Path(scratch) / target.name
        with zipfile.ZipFile(partial, "w") as jar:
            for compiled in sorted(classes.rglob("*.class")):
                jar.write(compiled, compiled.relative_to(classes).as_posix())
        shutil.move(str(partial), target.with_suffix(".partial"))
    os.replace(target.with_suffix(".partial"), target)  # sessions see no jar or a whole one
    return target
