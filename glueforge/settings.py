"""Typed settings: defaults < ``glueforge.toml`` < ``GLUEFORGE_*`` environment variables < keyword arguments.

The settings object is built once at the edge (CLI, pipeline entry point, test fixture) and passed down;
nothing deep in the code reads the environment on its own.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from glueforge.errors import ConfigError

CONFIG_ENV_VAR = "GLUEFORGE_CONFIG"
DEFAULT_CONFIG_FILE = "glueforge.toml"


class DatabaseSettings(BaseSettings):
    """A JDBC database the CLI and ``doctor`` know by name."""

    model_config = SettingsConfigDict(extra="forbid")

    url: str
    user: str | None = None
    password: SecretStr | None = None


def _default_databases() -> dict[str, DatabaseSettings]:
    return {
        "postgres": DatabaseSettings(url="jdbc:postgresql://127.0.0.1:5432/test", user="postgres"),
        "mariadb": DatabaseSettings(url="jdbc:mysql://127.0.0.1:3306/test", user="root"),
    }


class Settings(BaseSettings):
    """Everything glueforge needs to build a session and find its data."""

    model_config = SettingsConfigDict(
        env_prefix="GLUEFORGE_",
        env_nested_delimiter="__",
        extra="forbid",
        validate_default=True,
    )

    mode: Literal["auto", "local", "glue"] = "auto"
    """``auto`` picks ``glue`` when the real ``awsglue`` is importable, else ``local``."""

    warehouse: Path = Path("warehouse")
    """Local Iceberg warehouse directory (hadoop catalog)."""
    catalog: str = "local"
    """Name of the Iceberg catalog; it becomes ``spark.sql.defaultCatalog``."""
    default_namespace: str = "default"
    data_root: Path = Path("data")
    """Where ``s3://bucket/key`` resolves locally: ``data_root/bucket/key``."""

    spark_master: str = "local[2]"
    driver_memory: str = "2g"
    shuffle_partitions: int = Field(default=4, ge=1)
    spark_ui: bool = False
    log_level: Literal["ALL", "DEBUG", "INFO", "WARN", "ERROR", "FATAL", "OFF"] = "WARN"
    spark_conf: dict[str, str] = Field(default_factory=dict)
    """Extra Spark settings, applied last (they win)."""
    class_data_sharing: bool = True
    """Start local JVMs from a class-data sharing archive when one is built (see ``glueforge.class_cache``)."""
    lazy_c2_compilation: bool = True
    """Local JVMs compile with the JIT's optimising tier (C2) only what stays hot (``glueforge.session.LAZY_C2``)."""
    nio_local_fs: bool = True
    """Local sessions create files without forking ``chmod`` once the jar is built (``glueforge.local_fs``)."""
    cache_dir: Path = Path("~/.cache/glueforge")
    """Machine-wide cache (the JVM class archive); not the warehouse."""

    iceberg_jar: Path | None = None
    """Use this Iceberg runtime jar instead of the one shipped by the pinned wheel."""
    jars: list[Path] = Field(default_factory=list)
    """Extra jars to put on the classpath."""
    packages: list[str] = Field(default_factory=list)
    """Maven coordinates for ``spark.jars.packages``; an Iceberg runtime here replaces the wheel's jar."""
    jdbc_driver_dirs: list[Path] = Field(default_factory=lambda: [Path("/usr/share/java")])

    glue_warehouse: str | None = None
    """Glue mode: ``s3://bucket/prefix/`` for the ``glue_catalog`` Iceberg catalog."""
    glue_catalog: str = "glue_catalog"

    databases: dict[str, DatabaseSettings] = Field(default_factory=_default_databases)

    @field_validator("catalog", "default_namespace", "glue_catalog")
    @classmethod
    def _identifier(cls, value: str) -> str:
        if not value.replace("_", "").isalnum() or value[0].isdigit():
            raise ValueError(f"{value!r} is not a valid identifier (letters, digits, _; no leading digit)")
        return value

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        config_file = config_file_path()
        if config_file is not None:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=config_file))
        return tuple(sources)

    def resolved_warehouse(self) -> Path:
        return self.warehouse.expanduser().resolve()

    def resolved_cache_dir(self) -> Path:
        return self.cache_dir.expanduser().resolve()

    def resolved_data_root(self) -> Path:
        return self.data_root.expanduser().resolve()


def config_file_path() -> Path | None:
    """``$GLUEFORGE_CONFIG`` if set (it must exist), else ``./glueforge.toml`` if present."""
    explicit = os.environ.get(CONFIG_ENV_VAR)
    if explicit:
        path = Path(explicit)
        if not path.is_file():
            raise ConfigError(f"config file {path} does not exist", where=CONFIG_ENV_VAR)
        return path
    default = Path(DEFAULT_CONFIG_FILE)
    return default if default.is_file() else None


def load_settings(**overrides: Any) -> Settings:
    """Build settings; ``None`` overrides are ignored so CLI options can be passed straight through."""
    given = {key: value for key, value in overrides.items() if value is not None}
    try:
        return Settings(**given)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in err['loc']) or 'settings'}: {err['msg']}" for err in exc.errors()
        )
        raise ConfigError(problems, where="settings") from None
    except ValueError as exc:  # malformed TOML
        raise ConfigError(str(exc), where=str(config_file_path() or "settings")) from None
