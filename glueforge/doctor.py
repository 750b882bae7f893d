"""Environment checks behind ``glueforge doctor``: each says what it found and, on failure, how to fix it."""

from __future__ import annotations

import platform
import socket
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from glueforge.errors import GlueforgeError
from glueforge.jars import ICEBERG_JAR_SHA1, JDBC_DRIVERS, bundled_iceberg_jar, find_jdbc_jars, sha1_of
from glueforge.settings import Settings


@dataclass(frozen=True)
class CheckResult:
    name: str
    ok: bool
    detail: str
    fix: str = ""


Check = Callable[[Settings], list[CheckResult]]


def check_python(settings: Settings) -> list[CheckResult]:
    ok = sys.version_info[:2] == (3, 11)
    return [CheckResult("python", ok, platform.python_version(), "" if ok else "use Python 3.11 (Glue 5.x runs 3.11)")]


def check_java_runtime(settings: Settings) -> list[CheckResult]:
    from glueforge.session import check_java

    try:
        return [CheckResult("java", True, check_java())]
    except GlueforgeError as exc:
        return [CheckResult("java", False, exc.message, "install Java 17: apt-get install openjdk-17-jre-headless")]


def check_pyspark(settings: Settings) -> list[CheckResult]:
    try:
        import pyspark
    except ImportError:
        return [CheckResult("pyspark", False, "not installed", "run `make setup`")]
    ok = pyspark.__version__.startswith("3.5.")
    return [CheckResult("pyspark", ok, pyspark.__version__, "" if ok else "install pyspark 3.5.x (Glue 5.0/5.1)")]


def check_iceberg_jar(settings: Settings) -> list[CheckResult]:
    if settings.iceberg_jar is not None:
        ok = settings.iceberg_jar.is_file()
        return [
            CheckResult("iceberg jar", ok, str(settings.iceberg_jar), "" if ok else "GLUEFORGE_ICEBERG_JAR is wrong")
        ]
    try:
        jar = bundled_iceberg_jar()
    except GlueforgeError as exc:
        return [CheckResult("iceberg jar", False, exc.message, "pip install snowpark-connect-deps-iceberg==1.0.1")]
    digest = sha1_of(jar)
    ok = digest == ICEBERG_JAR_SHA1
    fix = "" if ok else "reinstall snowpark-connect-deps-iceberg==1.0.1 (other versions ship a broken jar)"
    return [CheckResult("iceberg jar", ok, f"{jar.name} (sha1 {'ok' if ok else digest})", fix)]


def check_jdbc_drivers(settings: Settings) -> list[CheckResult]:
    found = find_jdbc_jars(settings.jdbc_driver_dirs)
    return [
        CheckResult(
            f"jdbc driver {driver.name}",
            driver.name in found,
            str(found.get(driver.name, "not found")),
            "" if driver.name in found else f"apt-get install {driver.debian_package}",
        )
        for driver in JDBC_DRIVERS.values()
    ]


def check_databases(settings: Settings) -> list[CheckResult]:
    results = []
    for name, database in sorted(settings.databases.items()):
        address = urlparse(database.url.removeprefix("jdbc:"))
        host, port = address.hostname or "127.0.0.1", address.port or 0
        try:
            with socket.create_connection((host, port), timeout=2):
                results.append(CheckResult(f"database {name}", True, f"{host}:{port} reachable"))
        except OSError as exc:
            results.append(
                CheckResult(
                    f"database {name}",
                    False,
                    f"{host}:{port} unreachable ({exc.strerror or exc})",
                    "start it with `make services`",
                )
            )
    return results


def check_spark_iceberg(settings: Settings) -> list[CheckResult]:
    """Start a session on a throwaway warehouse and commit one Iceberg row."""
    from glueforge.session import get_spark, use_warehouse

    try:
        spark = get_spark(settings)
        with tempfile.TemporaryDirectory() as scratch:
            previous = spark.catalog.currentCatalog()
            catalog = use_warehouse(spark, Path(scratch) / "warehouse", "doctor")
            spark.sql(f"CREATE TABLE {catalog}.doctor.t (id INT) USING iceberg")
            spark.sql(f"INSERT INTO {catalog}.doctor.t VALUES (1)")
            count = spark.sql(f"SELECT count(*) FROM {catalog}.doctor.t").first()[0]  # type: ignore[index]
            spark.sql(f"USE `{previous}`")
        return [CheckResult("spark + iceberg", count == 1, f"Spark {spark.version}, Iceberg write/read ok")]
    except Exception as exc:  # report any failure as a red line, that is the point of doctor
        return [
            CheckResult("spark + iceberg", False, str(exc).splitlines()[0][:200], "see the error; run `make setup`")
        ]


def check_graphviz(settings: Settings) -> list[CheckResult]:
    import shutil

    dot = shutil.which("dot")
    if dot is None:
        return [
            CheckResult(
                "graphviz", False, "`dot` not found: migration reports get no DAG pictures", "apt-get install graphviz"
            )
        ]
    return [CheckResult("graphviz", True, dot)]


def check_class_cache(settings: Settings) -> list[CheckResult]:
    """The JVM class archive is an optimisation: its absence is reported, never a failure."""
    from glueforge.class_cache import archive_path
    from glueforge.session import local_spark_conf

    if not settings.class_data_sharing:
        return [CheckResult("jvm class cache", True, "off (class_data_sharing = false)")]
    archive = archive_path(settings, local_spark_conf(settings.model_copy(update={"class_data_sharing": False})))
    if archive.is_file():
        return [CheckResult("jvm class cache", True, f"{archive} ({archive.stat().st_size // 2**20} MiB)")]
    return [
        CheckResult(
            "jvm class cache",
            True,
            "not built for this classpath: sessions start slower; `make setup` or "
            "`python -m glueforge.class_cache` builds it",
        )
    ]


def check_local_file_system(settings: Settings) -> list[CheckResult]:
    """Files created without ``chmod`` forks (``glueforge.local_fs``): an optimisation, never a failure."""
    from glueforge.local_fs import built_jar

    if not settings.nio_local_fs:
        return [CheckResult("local file system", True, "Hadoop's (nio_local_fs = false)")]
    jar = built_jar(settings)
    if jar is not None:
        return [CheckResult("local file system", True, f"without chmod forks ({jar})")]
    return [
        CheckResult(
            "local file system",
            True,
            "Hadoop's, which forks chmod for every file it creates: `make setup` or "
            "`python -m glueforge.class_cache` builds the replacement (needs javac, from a JDK)",
        )
    ]


CHECKS: list[Check] = [
    check_python,
    check_java_runtime,
    check_pyspark,
    check_iceberg_jar,
    check_jdbc_drivers,
    check_graphviz,
    check_class_cache,
    check_local_file_system,
    check_databases,
]
SPARK_CHECK: Check = check_spark_iceberg


def run_checks(settings: Settings, *, with_spark: bool = True) -> list[CheckResult]:
    checks = [*CHECKS, SPARK_CHECK] if with_spark else CHECKS
    return [result for check in checks for result in check(settings)]
