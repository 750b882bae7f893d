"""Find the jars a local session needs: the Iceberg runtime and JDBC drivers."""

from __future__ import annotations

import hashlib
import importlib.util
from dataclasses import dataclass
from pathlib import Path

from glueforge.errors import EnvironmentProblem

ICEBERG_JAR_NAME = "iceberg-spark-runtime-3.5_2.12-1.9.2.jar"
ICEBERG_JAR_SHA1 = "08f897c0683e8c4e0f67eee687bf61aef1709821"
ICEBERG_WHEEL = "snowpark_connect_deps_iceberg"
ICEBERG_MAVEN_PREFIX = "org.apache.iceberg:iceberg-spark-runtime-"


@dataclass(frozen=True)
class JdbcDriver:
    """A JDBC driver we know how to find: which jar file names and which driver class."""

    name: str
    driver_class: str
    url_prefixes: tuple[str, ...]
    jar_names: tuple[str, ...]
    debian_package: str


JDBC_DRIVERS: dict[str, JdbcDriver] = {
    driver.name: driver
    for driver in (
        JdbcDriver(
            "postgresql",
            "org.postgresql.Driver",
            ("jdbc:postgresql:", "jdbc:redshift:"),
            ("postgresql.jar",),
            "libpostgresql-jdbc-java",
        ),
        JdbcDriver(
            "mariadb",
            "org.mariadb.jdbc.Driver",
            ("jdbc:mariadb:", "jdbc:mysql:"),
            ("mariadb-java-client.jar",),
            "libmariadb-java",
        ),
        JdbcDriver(
            "sqlite",
            "org.sqlite.JDBC",
            ("jdbc:sqlite:",),
            ("sqlite-jdbc.jar", "xerial-sqlite-jdbc.jar"),
            "libxerial-sqlite-jdbc-java",
        ),
    )
}


def driver_for_url(url: str) -> JdbcDriver | None:
    """The known driver for a JDBC URL, or ``None`` (the user then supplies jar and class)."""
    return next((d for d in JDBC_DRIVERS.values() if url.startswith(d.url_prefixes)), None)


def bundled_iceberg_jar() -> Path:
    """The Iceberg runtime jar shipped by the pinned ``snowpark-connect-deps-iceberg`` wheel."""
    spec = importlib.util.find_spec(ICEBERG_WHEEL)
    if spec is None or spec.origin is None:
        raise EnvironmentProblem(
            "the Iceberg runtime wheel is not installed; run `pip install snowpark-connect-deps-iceberg==1.0.1` "
            "or set GLUEFORGE_ICEBERG_JAR / GLUEFORGE_PACKAGES",
            where="iceberg jar",
        )
    jar = Path(spec.origin).parent / "jars" / ICEBERG_JAR_NAME
    if not jar.is_file():
        raise EnvironmentProblem(f"{jar} is missing from the installed wheel", where="iceberg jar")
    return jar


def sha1_of(path: Path) -> str:
    digest = hashlib.sha1()  # noqa: S324 - identity check against the published sha1, not security
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def find_jdbc_jars(search_dirs: list[Path]) -> dict[str, Path]:
    """Driver name -> jar path for every known driver found in ``search_dirs``."""
    found: dict[str, Path] = {}
    for driver in JDBC_DRIVERS.values():
        for directory in search_dirs:
            jar = next((directory / n for n in driver.jar_names if (directory / n).is_file()), None)
            if jar is not None:
                found[driver.name] = jar.resolve()
                break
    return found
