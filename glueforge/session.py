"""The Spark + Iceberg session factory.

Locally: ``local[2]`` Spark with an Iceberg ``SparkCatalog`` of type ``hadoop`` under its own name, set as
``spark.sql.defaultCatalog`` (the layout dbt-spark's session method is known to work with). On Glue: the
Glue-provided session with a ``glue_catalog`` Iceberg catalog backed by the Glue Data Catalog and S3.

One session per process: a second call returns the same session. A second call that names another
warehouse registers an extra catalog for it and makes that catalog current, so tests and in-process
CLI calls can each have their own warehouse.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from glueforge.class_cache import runtime_java_options
from glueforge.errors import EnvironmentProblem
from glueforge.jars import ICEBERG_MAVEN_PREFIX, bundled_iceberg_jar, find_jdbc_jars
from glueforge.local_fs import FILE_SYSTEM_CLASS, built_jar
from glueforge.settings import Settings, load_settings

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

ICEBERG_EXTENSIONS = "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions"
ICEBERG_CATALOG_CLASS = "org.apache.iceberg.spark.SparkCatalog"
LOG4J_CONFIG = Path(__file__).with_name("log4j2.properties")

_lock = threading.Lock()
_session: SparkSession | None = None
_catalog_by_warehouse: dict[str, str] = {}


def real_awsglue_available() -> bool:
    """True on Glue: an ``awsglue`` module that is not glueforge's local runtime is importable."""
    spec = importlib.util.find_spec("awsglue")
    if spec is None:
        return False
    local_root = str(Path(__file__).resolve().parent / "glue_runtime")
    origins = [spec.origin or "", *(spec.submodule_search_locations or [])]
    return not any(origin.startswith(local_root) for origin in origins)


def resolve_mode(settings: Settings) -> str:
    if settings.mode != "auto":
        return settings.mode
    return "glue" if real_awsglue_available() else "local"


def iceberg_catalog_conf(catalog: str, warehouse: Path) -> dict[str, str]:
    """Spark settings for a local hadoop-type Iceberg catalog (usable at start-up or at run time)."""
    prefix = f"spark.sql.catalog.{catalog}"
    return {prefix: ICEBERG_CATALOG_CLASS, f"{prefix}.type": "hadoop", f"{prefix}.warehouse": str(warehouse)}


# The JVM's optimising compiler (C2) at ten times its default thresholds (Tier4*: 5,000 calls, 15,000 calls +
# loop iterations, 40,000 loop iterations). With the defaults a fresh JVM spends 0.5-1.1 s of a 2-core
# machine's CPU in a 1-second ingest run, and 3-3.8 s in a 7-second full load, compiling methods that stop
# being hot soon after; at 10x, code that stays hot (the read and write loops) is still compiled within
# moments. Measured (bench/ingest_bench.py, docs/benchmarks.md): session start, full load and 1% run faster.
LAZY_C2 = (
    "-XX:Tier4InvocationThreshold=50000 -XX:Tier4MinInvocationThreshold=6000 "
    "-XX:Tier4CompileThreshold=150000 -XX:Tier4BackEdgeThreshold=400000"
)


def local_spark_conf(settings: Settings) -> dict[str, str]:
    """Every Spark setting of a local session, as plain strings (pure: no JVM, no file writes)."""
    warehouse = settings.resolved_warehouse()
    jars: list[str] = []
    packages = list(settings.packages)
    if settings.iceberg_jar is not None:
        jars.append(str(settings.iceberg_jar.expanduser().resolve()))
    elif not any(p.startswith(ICEBERG_MAVEN_PREFIX) for p in packages):
        jars.append(str(bundled_iceberg_jar()))
    # The Iceberg jar on the JVM's own classpath too: classes that Spark's loader for spark.jars defines stay out
    # of the JVM class archive; from the system classpath ~500 more classes of a cold ingest come from the archive
    # (a cold 1% run 1.36-1.91 s -> 0.97-1.31 s, interleaved). Maven packages are resolved at start: not there.
    system_jars = list(jars)
    jdbc_jars = [str(jar) for jar in find_jdbc_jars(settings.jdbc_driver_dirs).values()]
    jars += jdbc_jars
    jars += [str(jar.expanduser().resolve()) for jar in settings.jars]

    java_options = f"-Dlog4j2.configurationFile=file:{LOG4J_CONFIG} -Duser.timezone=UTC"
    if settings.lazy_c2_compilation:
        java_options += f" {LAZY_C2}"
    conf = {
        "spark.master": settings.spark_master,
        "spark.app.name": "glueforge",
        "spark.driver.memory": settings.driver_memory,
        "spark.driver.extraJavaOptions": java_options,
        "spark.executor.extraJavaOptions": java_options,
        "spark.sql.shuffle.partitions": str(settings.shuffle_partitions),
        "spark.ui.enabled": str(settings.spark_ui).lower(),
        "spark.ui.showConsoleProgress": "false",
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.extensions": ICEBERG_EXTENSIONS,
        "spark.sql.defaultCatalog": settings.catalog,
        "spark.sql.warehouse.dir": str(warehouse.parent / "spark-warehouse"),
        "spark.driver.host": "127.0.0.1",
        "spark.driver.bindAddress": "127.0.0.1",
        **iceberg_catalog_conf(settings.catalog, warehouse),
    }
    if jars:
        conf["spark.jars"] = ",".join(jars)
    driver_classpath = system_jars + jdbc_jars  # JDBC: so that DriverManager finds drivers without a `driver` option
    if (local_fs_jar := built_jar(settings)) is not None:  # Hadoop loads fs.file.impl from the JVM's classpath
        driver_classpath.append(str(local_fs_jar))
        conf["spark.hadoop.fs.file.impl"] = FILE_SYSTEM_CLASS
    if driver_classpath:
        conf["spark.driver.extraClassPath"] = os.pathsep.join(driver_classpath)
    if packages:
        conf["spark.jars.packages"] = ",".join(packages)
    class_cache_options = runtime_java_options(settings, {**conf, **settings.spark_conf})  # the key build() uses
    if class_cache_options:
        conf["spark.driver.extraJavaOptions"] = f"{java_options} {class_cache_options}"
    conf.update(settings.spark_conf)
    return conf


def glue_spark_conf(settings: Settings) -> dict[str, str]:
    """Iceberg settings for a Glue job: the ``glue_catalog`` chain from the dbt-glue/Iceberg seed article."""
    if not settings.glue_warehouse:
        raise EnvironmentProblem(
            "Glue mode needs an S3 warehouse: set GLUEFORGE_GLUE_WAREHOUSE=s3://bucket/prefix/", where="settings"
        )
    prefix = f"spark.sql.catalog.{settings.glue_catalog}"
    return {
        "spark.sql.extensions": ICEBERG_EXTENSIONS,
        prefix: ICEBERG_CATALOG_CLASS,
        f"{prefix}.warehouse": settings.glue_warehouse,
        f"{prefix}.catalog-impl": "org.apache.iceberg.aws.glue.GlueCatalog",
        f"{prefix}.io-impl": "org.apache.iceberg.aws.s3.S3FileIO",
        "spark.sql.defaultCatalog": settings.glue_catalog,
        **settings.spark_conf,
    }


def check_java() -> str:
    """The ``java -version`` banner, or a clear error on how to install Java 17."""
    java = (
        shutil.which("java", path=os.path.join(os.environ["JAVA_HOME"], "bin")) if "JAVA_HOME" in os.environ else None
    )
    java = java or shutil.which("java")
    if java is None:
        raise EnvironmentProblem(
            "Java is not installed; install Java 17 (Debian: `apt-get install openjdk-17-jre-headless`)", where="java"
        )
    banner = subprocess.run([java, "-version"], capture_output=True, text=True, check=False).stderr.strip()
    # The JVM prints "Picked up JAVA_TOOL_OPTIONS: ..." before its version when such a variable is set.
    lines = [line for line in banner.splitlines() if not line.startswith("Picked up ")]
    first = lines[0] if lines else "unknown"
    if '"17' not in first and " 17" not in first:
        raise EnvironmentProblem(f"Spark 3.5 here is tested with Java 17, found: {first}", where="java")
    return first


def settings_before_start(settings: Settings) -> dict[str, str] | None:
    """The Spark settings a local session would start with, for work that may not need the JVM at all (the
    CLI's small ingest runs); ``None`` when a session is running already (its own settings then count) or when
    something outside glueforge could change them (Glue mode, a ``spark-defaults.conf``, ``PYSPARK_SUBMIT_ARGS``)."""
    if _session is not None or resolve_mode(settings) != "local" or os.environ.get("PYSPARK_SUBMIT_ARGS"):
        return None
    import pyspark

    spark_home = os.environ.get("SPARK_HOME") or os.path.dirname(pyspark.__file__)
    conf_dirs = [os.environ.get("SPARK_CONF_DIR"), os.path.join(spark_home, "conf")]
    if any(d and os.path.exists(os.path.join(d, "spark-defaults.conf")) for d in conf_dirs):
        return None
    return local_spark_conf(settings)


def get_spark(settings: Settings | None = None) -> SparkSession:
    """The process-wide session; builds it on first call (a few seconds), returns it at once after."""
    global _session
    settings = settings or load_settings()
    with _lock:
        if _session is None:
            _session = _build(settings)
            if resolve_mode(settings) == "local":
                _catalog_by_warehouse[str(settings.resolved_warehouse())] = settings.catalog
        elif resolve_mode(settings) == "local":
            use_warehouse(_session, settings.resolved_warehouse(), settings.catalog)
        return _session


def _build(settings: Settings) -> SparkSession:
    if resolve_mode(settings) == "glue":
        return _glue_session(settings)
    check_java()
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    settings.resolved_warehouse().mkdir(parents=True, exist_ok=True)
    from pyspark.sql import SparkSession

    builder = SparkSession.builder
    for key, value in local_spark_conf(settings).items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel(settings.log_level)
    # Spark builds the session state (function registry, SQL parser with Iceberg's extensions, analyzer) on
    # first use: part of starting the session, 0.2-0.3 s in a fresh JVM, so paid here, not by the first job.
    cast(Any, spark)._jsparkSession.sessionState()
    return spark


def _glue_session(settings: Settings) -> SparkSession:
    from awsglue.context import GlueContext  # the real one, on Glue
    from pyspark.context import SparkContext
    from pyspark.sql import SparkSession

    conf = glue_spark_conf(settings)
    spark = SparkSession.getActiveSession()
    if spark is None:
        builder = SparkSession.builder
        for key, value in conf.items():
            builder = builder.config(key, value)
        spark = GlueContext(SparkContext.getOrCreate(builder.getOrCreate().sparkContext.getConf())).spark_session
    return spark


def use_warehouse(spark: SparkSession, warehouse: Path, base_name: str = "local") -> str:
    """Make an Iceberg catalog over ``warehouse`` current (registering it if new); returns its name."""
    key = str(warehouse.resolve())
    name = _catalog_by_warehouse.get(key)
    if name is None:
        name = f"{base_name}_{hashlib.sha1(key.encode()).hexdigest()[:10]}"  # noqa: S324 - a name, not security
        warehouse.mkdir(parents=True, exist_ok=True)
        for conf_key, value in iceberg_catalog_conf(name, warehouse).items():
            spark.conf.set(conf_key, value)
        _catalog_by_warehouse[key] = name
    spark.sql(f"USE `{name}`")
    return name


def stop_spark() -> None:
    """Stop the process-wide session (tests and long-lived tools)."""
    global _session
    with _lock:
        if _session is not None:
            _session.stop()
            _session = None
            _catalog_by_warehouse.clear()
