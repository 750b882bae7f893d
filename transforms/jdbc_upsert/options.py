"""Typed options of one upsert: the JSON config parameters, parsed from Python values or Glue's strings."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from glueforge.errors import InputError
from transforms.incremental_jdbc_ingest.dialects import check_identifier

DEFAULT_WRITE_PARTITIONS = 4


class UpsertOptions(BaseModel):
    """Where to upsert (a JDBC table with a primary key or unique index on ``primary_keys``) and how to log in."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    table: str
    primary_keys: tuple[str, ...]
    connection_name: str | None = None
    url: str | None = None
    database_type: str | None = None
    user: str | None = None
    password_env: str | None = None
    password_secret_id: str | None = None
    write_partitions: int = Field(default=DEFAULT_WRITE_PARTITIONS, ge=1)
    """Parallel JDBC writes into the staging table."""

    @field_validator("primary_keys", mode="before")
    @classmethod
    def _split_keys(cls, value: Any) -> Any:
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value

    @field_validator("primary_keys")
    @classmethod
    def _keys(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if not value:
            raise ValueError("give at least one key column")
        for key in value:
            check_identifier(key, "primary key column")
        return value

    @field_validator("password_env")
    @classmethod
    def _variable(cls, value: str | None) -> str | None:
        return check_identifier(value, "environment variable") if value else value

    @model_validator(mode="after")
    def _where(self) -> UpsertOptions:
        if self.url is None and self.connection_name is None:
            raise ValueError("give a JDBC url or a Glue connection_name")
        return self


def parse_options(params: dict[str, Any]) -> UpsertOptions:
    """Options from the transform's parameters; a bad one is an ``InputError`` naming it."""
    try:
        return UpsertOptions(**params)
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(part) for part in error["loc"]) or "options"
        raise InputError(f"jdbc_upsert: {error['msg']}", where=where) from None
