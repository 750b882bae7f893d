"""Typed options of one upsert: the JSON config parameters, parsed from Python values or Glue's strings."""

from __future__ import annotations

from typing import Any

from pydantic import Field, field_validator

from transforms.incremental_jdbc_ingest.connection import JdbcLogin
from transforms.incremental_jdbc_ingest.options import check_keys, comma_list, validate_params

DEFAULT_WRITE_PARTITIONS = 4


class UpsertOptions(JdbcLogin):
    """Where to upsert (a JDBC table with a primary key or unique index on ``primary_keys``) and how to log in."""

    table: str
    primary_keys: tuple[str, ...]
    write_partitions: int = Field(default=DEFAULT_WRITE_PARTITIONS, ge=1)
    """Parallel JDBC writes into the staging table."""

    @field_validator("primary_keys", mode="before")
    @classmethod
    def _split_keys(cls, value: Any) -> Any:
        return comma_list(value)

    @field_validator("primary_keys")
    @classmethod
    def _keys(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if not value:
            raise ValueError("give at least one key column")
        return check_keys(value)


def parse_options(params: dict[str, Any]) -> UpsertOptions:
    """Options from the transform's parameters; every problem becomes one ``InputError`` naming it."""
    return validate_params(UpsertOptions, params, "jdbc_upsert")
