"""Typed options of one ingest: the JSON config parameters, parsed from Python values or Glue's strings."""

from __future__ import annotations

from typing import Any, Literal, TypeVar

from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator

from glueforge.errors import InputError
from glueforge.lakehouse import TableName
from transforms.incremental_jdbc_ingest.connection import JdbcLogin
from transforms.incremental_jdbc_ingest.dialects import check_identifier
from transforms.incremental_jdbc_ingest.template import check_template

DEFAULT_FETCH_SIZE = 10_000
DEFAULT_MAX_PARTITIONS = 4
ROWS_PER_PARTITION = 100_000
DEFAULT_DIRECT_READ_MAX_ROWS = 100_000


class IngestOptions(JdbcLogin):
    """One ingest job: where to read, how to window, where and how to write, where the watermark lives."""

    target_table: str
    cursor_column: str
    table: str | None = None
    query: str | None = None
    primary_keys: tuple[str, ...] = ()
    lookback_seconds: int = Field(default=0, ge=0)
    upper_bound: Literal["max_cursor", "db_time"] = "max_cursor"
    safety_lag_seconds: int = Field(default=0, ge=0)
    fetch_size: int = Field(default=DEFAULT_FETCH_SIZE, ge=1)
    partitions: int = Field(default=0, ge=0)
    """Upper limit of parallel reads; 0 = automatic (1 per 100k rows, at most 1 per Spark core and at most 4)."""
    hashfield: str | None = None
    null_cursor: Literal["raise", "exclude", "include"] = "raise"
    write_mode: Literal["merge", "append"] = "merge"
    upsert_strategy: Literal["auto", "merge", "equality_delete"] = "auto"
    """How key upserts reach the target: ``equality_delete`` (no target scan; Iceberg v2 unpartitioned
    merge-on-read targets), ``merge`` (SQL MERGE, exact inserted/updated counts), ``auto`` (the first when the
    target allows it)."""
    direct_read_max_rows: int = Field(default=DEFAULT_DIRECT_READ_MAX_ROWS, ge=0)
    """Windows of at most this many rows are read by the database's own client (psycopg, pymysql) and
    written without a Spark job when the run needs no comparison with the target; a PostgreSQL first load is
    streamed from ``COPY`` whatever its size (``direct_load``; 0 = always Spark, first loads included)."""
    compact_after_delete_files: int = Field(default=0, ge=0)
    """Compact the target at the end of a run whose commit leaves at least this many delete files (0 = never;
    ``glueforge ingest compact`` does the same on demand)."""
    delete_handling: Literal["ignore", "soft_delete"] = "ignore"
    soft_delete_column: str | None = None
    state_store: Literal["iceberg", "dynamodb", "file"] = "iceberg"
    state_location: str | None = None
    state_key: str | None = None
    initial_watermark: str | None = None
    output: Literal["batch", "target"] = "batch"

    @field_validator("primary_keys", mode="before")
    @classmethod
    def _split_keys(cls, value: Any) -> Any:
        return comma_list(value)

    @field_validator("cursor_column", "hashfield", "soft_delete_column")
    @classmethod
    def _identifier(cls, value: str | None) -> str | None:
        return None if value is None else check_identifier(value, "column")

    @field_validator("primary_keys")
    @classmethod
    def _keys(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return check_keys(value)

    @field_validator("table")
    @classmethod
    def _table(cls, value: str | None) -> str | None:
        if value is not None:
            parts = value.split(".")
            if not 1 <= len(parts) <= 3:
                raise ValueError("table must be table, schema.table or catalog.schema.table")
            for part in parts:
                check_identifier(part, "table")
        return value

    @field_validator("target_table")
    @classmethod
    def _target(cls, value: str) -> str:
        parsed = TableName.parse(value)
        if "." not in value:
            raise ValueError("target must be NAMESPACE.TABLE")
        return str(parsed)

    @model_validator(mode="after")
    def _consistent(self) -> IngestOptions:
        if (self.table is None) == (self.query is None):
            raise ValueError("give exactly one of table or query")
        if self.query is not None:
            check_template(self.query)
        if self.write_mode == "merge" and not self.primary_keys:
            raise ValueError("merge mode needs primary_keys (or use write_mode=append)")
        if self.delete_handling == "soft_delete" and not self.soft_delete_column:
            raise ValueError("delete_handling=soft_delete needs soft_delete_column")
        if self.delete_handling == "soft_delete" and self.write_mode != "merge":
            raise ValueError("delete_handling=soft_delete needs write_mode=merge")
        if self.state_store in ("dynamodb", "file") and not self.state_location:
            raise ValueError(f"state_store={self.state_store} needs state_location")
        return self

    @property
    def target(self) -> TableName:
        return TableName.parse(self.target_table)

    @property
    def key(self) -> str:
        """Key of this ingest in external state stores."""
        return self.state_key or self.target_table


def parse_options(params: dict[str, Any]) -> IngestOptions:
    """Options from ``apply``'s keyword arguments; every problem becomes one ``InputError``."""
    return validate_params(IngestOptions, params, "incremental_jdbc_ingest")


def comma_list(value: Any) -> Any:
    """``"a, b"`` (a JSON config's text) -> ``("a", "b")``; any other value as given."""
    if isinstance(value, str):
        return tuple(part.strip() for part in value.split(",") if part.strip())
    return value


def check_keys(keys: tuple[str, ...]) -> tuple[str, ...]:
    for key in keys:
        check_identifier(key, "primary key")
    if len(set(keys)) != len(keys):
        raise ValueError("a primary key column is listed twice")
    return keys


Options = TypeVar("Options", bound=BaseModel)


def validate_params(model: type[Options], params: dict[str, Any], transform: str) -> Options:
    """A transform's options from its keyword arguments (unset ones, ``None`` or Glue's ``""``, left out); every
    problem becomes one ``InputError`` naming the parameters."""
    given = {name: value for name, value in params.items() if value is not None and value != ""}
    try:
        return model.model_validate(given)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'options'}: {err['msg'].removeprefix('Value error, ')}"
            for err in exc.errors()
        )
        raise InputError(problems, where=transform) from None
