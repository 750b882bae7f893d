"""Shared fixtures: test tiers, config isolation, one Spark session, per-test warehouses, real databases.

Tiers: tests under ``tests/unit`` are marked ``unit`` (no JVM, no database); everything else is
``integration``. ``make test`` runs both. With ``CI=true`` an unreachable database fails the test
instead of skipping it.
"""

from __future__ import annotations

import itertools
import os
import socket
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

REPO_ROOT = Path(__file__).resolve().parent.parent
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        names = {m.name for m in item.iter_markers()}
        if "unit" in names or "integration" in names:
            continue
        in_unit_dir = "/tests/unit/" in str(item.path).replace(os.sep, "/")
        item.add_marker(pytest.mark.unit if in_unit_dir else pytest.mark.integration)


@pytest.fixture(scope="session", autouse=True)
def _isolate_glueforge_config(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """No user config or GLUEFORGE_* variable leaks into tests."""
    saved = {k: v for k, v in os.environ.items() if k.startswith("GLUEFORGE_")}
    for key in saved:
        del os.environ[key]
    yield
    os.environ.update(saved)


@pytest.fixture(scope="session")
def spark_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("spark")


@pytest.fixture(scope="session")
def spark(spark_root: Path) -> Iterator[SparkSession]:
    """The one SparkSession of the test run (local[2], Iceberg catalog on a temp warehouse)."""
    from glueforge.session import get_spark, stop_spark
    from glueforge.settings import load_settings

    settings = load_settings(warehouse=spark_root / "warehouse", data_root=spark_root / "data")
    session = get_spark(settings)
    yield session
    stop_spark()


@dataclass
class Lakehouse:
    """A fresh warehouse for one test, made the current catalog of the shared session."""

    spark: SparkSession
    warehouse: Path
    data_root: Path
    catalog: str


_warehouse_counter = itertools.count()


@pytest.fixture
def lakehouse(spark: SparkSession, tmp_path: Path) -> Lakehouse:
    from glueforge.session import use_warehouse

    warehouse = tmp_path / f"warehouse{next(_warehouse_counter)}"
    catalog = use_warehouse(spark, warehouse)
    data_root = tmp_path / "data"
    data_root.mkdir(exist_ok=True)
    return Lakehouse(spark, warehouse, data_root, catalog)


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


def _require_service(name: str, host: str, port: int) -> None:
    if _reachable(host, port):
        return
    message = f"{name} is not reachable at {host}:{port} (start it with `make services`)"
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)


@dataclass(frozen=True)
class Database:
    """A real database for JDBC tests; ``table`` names are unique per call and dropped after the session."""

    kind: str
    jdbc_url: str
    user: str | None
    password: str | None
    sqlalchemy_url: str
    created: list[str] = field(default_factory=list, compare=False)

    def unique_table(self, stem: str = "t") -> str:
        name = f"{stem}_{uuid.uuid4().hex[:10]}"
        self.created.append(name)
        return name

    def drop_created_tables(self) -> None:
        """Leave the shared database as it was: drop every table (or view) handed out that still exists."""
        import sqlalchemy as sa

        engine = sa.create_engine(self.sqlalchemy_url)
        try:
            inspector = sa.inspect(engine)
            views, tables = set(inspector.get_view_names()), set(inspector.get_table_names())
            with engine.begin() as conn:
                for name in reversed(self.created):
                    if name in views:
                        conn.execute(sa.text(f"DROP VIEW IF EXISTS {name}"))
                for name in reversed(self.created):
                    if name in tables:
                        conn.execute(sa.text(f"DROP TABLE IF EXISTS {name} CASCADE"))
        finally:
            engine.dispose()
        self.created.clear()


@pytest.fixture(scope="session")
def postgres_db() -> Iterator[Database]:
    _require_service("PostgreSQL", "127.0.0.1", 5432)
    database = Database(
        "postgresql",
        "jdbc:postgresql://127.0.0.1:5432/test",
        "postgres",
        None,
        "postgresql+psycopg://postgres@127.0.0.1:5432/test",
    )
    yield database
    database.drop_created_tables()


@pytest.fixture(scope="session")
def mariadb_db() -> Iterator[Database]:
    _require_service("MariaDB", "127.0.0.1", 3306)
    database = Database(
        "mariadb",
        "jdbc:mysql://127.0.0.1:3306/test",
        "root",
        None,
        "mysql+pymysql://root@127.0.0.1:3306/test",
    )
    yield database
    database.drop_created_tables()


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Database:
    path = tmp_path / "source.db"
    return Database("sqlite", f"jdbc:sqlite:{path}", None, None, f"sqlite:///{path}")
