"""Run glueforge's dbt project in-process on a Spark session built by glueforge's factory.

dbt-spark's ``session`` method calls ``SparkSession.builder...getOrCreate()``, so when our session exists
first dbt reuses it: same Iceberg catalogs, jars and warehouse as the rest of glueforge. The profile's
``server_side_parameters`` (for plain ``dbt`` in its own process) read ``GLUEFORGE_WAREHOUSE`` and
``GLUEFORGE_ICEBERG_JAR``; here they are set to the values the running session already has, so the runtime
settings dbt re-applies on every statement change nothing. dbt's ``target/`` and ``logs/`` go to a build
directory (default ``<warehouse>/../out/dbt``), never into the project.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from glueforge.errors import ConfigError, InputError, NotFoundError
from glueforge.lakehouse import TableName, current_catalog_name, table_exists
from glueforge.settings import Settings

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

TARGETS = ("local", "glue")
COMMANDS = ("build", "run", "test", "docs", "compile", "debug", "parse", "seed", "ls")
PROFILE_CATALOG = "local"
"""The catalog name the profile's ``local`` target configures (dbt does not render profile keys)."""
PROFILE_ENV = ("GLUEFORGE_WAREHOUSE", "GLUEFORGE_ICEBERG_JAR")
_SELECT_FLAGS = {"-s", "--select", "-m", "--models", "--exclude", "--selector"}


@dataclass(frozen=True)
class NodeResult:
    """One model, test or seed dbt ran."""

    name: str
    resource_type: str
    status: str
    message: str
    seconds: float


@dataclass
class DbtRun:
    """What one dbt invocation did. ``success`` mirrors dbt's own verdict."""

    command: list[str]
    success: bool
    results: list[NodeResult] = field(default_factory=list)
    build_dir: Path | None = None
    error: str | None = None

    @property
    def failed(self) -> list[NodeResult]:
        return [r for r in self.results if r.status in {"error", "fail", "runtime error"}]

    def to_dict(self) -> dict[str, Any]:
        return {
            "command": self.command,
            "success": self.success,
            "error": self.error,
            "build_dir": str(self.build_dir) if self.build_dir else None,
            "results": [r.__dict__ for r in self.results],
        }


def default_project_dir() -> Path:
    """``./dbt_project`` when run from a checkout, else the project next to the glueforge package."""
    local = Path("dbt_project")
    if (local / "dbt_project.yml").is_file():
        return local.resolve()
    return Path(__file__).resolve().parent.parent / "dbt_project"


def default_build_dir(settings: Settings) -> Path:
    return settings.resolved_warehouse().parent / "out" / "dbt"


def iceberg_jar_path(settings: Settings) -> Path:
    from glueforge.jars import bundled_iceberg_jar

    return settings.iceberg_jar.expanduser().resolve() if settings.iceberg_jar else bundled_iceberg_jar()


def plain_dbt_env(settings: Settings) -> dict[str, str]:
    """Environment for plain ``dbt --profiles-dir dbt_project`` in its own process (``glueforge dbt env``)."""
    return {
        "GLUEFORGE_WAREHOUSE": str(settings.resolved_warehouse()),
        "GLUEFORGE_ICEBERG_JAR": str(iceberg_jar_path(settings)),
    }


def source_tables(project_dir: Path) -> list[str]:
    """``schema.table`` of every source the project declares (from ``models/**/*.yml``)."""
    tables: list[str] = []
    for path in sorted((project_dir / "models").rglob("*.yml")):
        try:
            document = yaml.safe_load(path.read_text()) or {}
        except yaml.YAMLError as exc:
            raise ConfigError(f"malformed YAML: {exc}", where=str(path)) from None
        for source in document.get("sources", []) or []:
            schema = source.get("schema", source.get("name"))
            tables += [f"{schema}.{table['name']}" for table in source.get("tables", []) or []]
    return tables


def check_sources(spark: SparkSession, project_dir: Path) -> None:
    """Every declared source must exist in the current catalog, or dbt fails later with a vaguer error."""
    # Through the catalog API: spark.catalog.tableExists costs 0.5-0.9 s in a fresh JVM (see lakehouse.load_table).
    missing = [t for t in source_tables(project_dir) if not table_exists(spark, TableName.parse(t))]
    if missing:
        catalog = current_catalog_name(spark)
        raise NotFoundError(
            f"source table(s) {', '.join(missing)} do not exist in catalog {catalog!r}; load them first "
            "(ingest + pii, `python -m pipelines.taxi_data`) or select models that do not need them",
            where="dbt sources",
        )


@contextlib.contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _session_env(spark: SparkSession, settings: Settings) -> dict[str, str]:
    """Profile variables equal to what the running session already uses (dbt's re-applied confs are no-ops)."""
    warehouse = spark.conf.get(f"spark.sql.catalog.{PROFILE_CATALOG}.warehouse", None)
    return {
        "GLUEFORGE_WAREHOUSE": warehouse or str(settings.resolved_warehouse()),
        "GLUEFORGE_ICEBERG_JAR": str(iceberg_jar_path(settings)),
    }


def _quiet_session_reuse_warning(spark: SparkSession) -> None:
    """dbt re-applies its profile settings per statement; Spark warns each time that static ones are ignored."""
    try:
        jvm = spark.sparkContext._jvm
        level = jvm.org.apache.logging.log4j.Level.ERROR  # type: ignore[union-attr]
        jvm.org.apache.logging.log4j.core.config.Configurator.setLevel(  # type: ignore[union-attr]
            "org.apache.spark.sql.SparkSession", level
        )
    except Exception:  # noqa: S110 - logging only; never fail a run over it
        pass


def run_dbt(
    command: str,
    args: list[str] | tuple[str, ...] = (),
    *,
    settings: Settings,
    target: str = "local",
    project_dir: Path | None = None,
    profiles_dir: Path | None = None,
    build_dir: Path | None = None,
    spark: SparkSession | None = None,
    check_source_tables: bool = True,
) -> DbtRun:
    """Invoke ``dbt <command> [args]`` in this process. ``docs`` means ``docs generate``.

    Local target: the session comes from ``glueforge.session.get_spark(settings)`` (or ``spark``), whose
    current catalog is where dbt's two-part names resolve.
    """
    if command not in COMMANDS:
        raise InputError(f"unknown dbt command {command!r} (use one of: {', '.join(COMMANDS)})", where="dbt")
    if target not in TARGETS:
        raise InputError(f"unknown target {target!r} (use one of: {', '.join(TARGETS)})", where="dbt")
    project = (project_dir or default_project_dir()).resolve()
    if not (project / "dbt_project.yml").is_file():
        raise NotFoundError(f"no dbt_project.yml in {project}", where="dbt project")
    profiles = (profiles_dir or project).resolve()
    if not (profiles / "profiles.yml").is_file():
        raise NotFoundError(f"no profiles.yml in {profiles}", where="dbt profiles")
    build = (build_dir or default_build_dir(settings)).resolve()
    build.mkdir(parents=True, exist_ok=True)

    env: dict[str, str] = {}
    if target == "local":
        if spark is None:
            from glueforge.session import get_spark

            spark = get_spark(settings)
        # Pin the current catalog explicitly: the profile re-sets spark.sql.defaultCatalog at run time.
        spark.sql(f"USE `{spark.catalog.currentCatalog()}`")
        selecting = any(a.split("=")[0] in _SELECT_FLAGS for a in args)
        if check_source_tables and command in {"build", "run", "test"} and not selecting:
            check_sources(spark, project)
        env = _session_env(spark, settings)
        _quiet_session_reuse_warning(spark)

    subcommand = ["docs", "generate"] if command == "docs" else [command]
    argv = [
        *subcommand,
        "--project-dir",
        str(project),
        "--profiles-dir",
        str(profiles),
        "--target",
        target,
        "--target-path",
        str(build / "target"),
        "--log-path",
        str(build / "logs"),
        *args,
    ]
    with _environment(env):
        return _invoke(argv, build)


def _invoke(argv: list[str], build: Path) -> DbtRun:
    from dbt.cli.main import dbtRunner

    outcome = dbtRunner().invoke(argv)
    run = DbtRun(command=["dbt", *argv], success=bool(outcome.success), build_dir=build)
    if outcome.exception is not None:
        run.error = str(outcome.exception).strip()
    results = getattr(outcome.result, "results", None) or []
    for result in results:
        node = getattr(result, "node", None)
        run.results.append(
            NodeResult(
                name=getattr(node, "name", "?"),
                resource_type=str(getattr(node, "resource_type", "")),
                status=str(getattr(result, "status", "")),
                message=str(getattr(result, "message", "") or ""),
                seconds=float(getattr(result, "execution_time", 0.0) or 0.0),
            )
        )
    return run


def load_profile(target: str, profiles_dir: Path | None = None, profile_name: str = "glueforge") -> Any:
    """Parse and validate one target of ``profiles.yml`` with dbt's own profile machinery (no connection).

    Returns the adapter's credentials object (``SparkCredentials`` or dbt-glue's ``GlueCredentials``).
    Errors (missing env vars, unknown keys, bad values) become ``ConfigError``.
    """
    from dbt.config.profile import Profile, read_profile
    from dbt.config.renderer import ProfileRenderer
    from dbt.exceptions import DbtProfileError, DbtProjectError
    from dbt_common.exceptions import DbtBaseException

    directory = str((profiles_dir or default_project_dir()).resolve())
    _ensure_dbt_flags()
    try:
        raw = read_profile(directory)
        profile = Profile.from_raw_profiles(raw, profile_name, ProfileRenderer({}), target_override=target)
    except (DbtProfileError, DbtProjectError, DbtBaseException) as exc:
        message = " ".join(str(exc).split())
        raise ConfigError(message, where=f"profiles.yml target {target!r}") from None
    return profile.credentials


def _ensure_dbt_flags() -> None:
    """dbt's renderer reads global flags; outside a dbt invocation set defaults once."""
    from argparse import Namespace

    from dbt.flags import get_flags, set_from_args
    from dbt_common.context import set_invocation_context

    set_invocation_context(dict(os.environ))  # env_var() reads the environment through this context
    if getattr(get_flags(), "PROFILES_DIR", None) is None:
        set_from_args(Namespace(), None)
