"""The legacy EDLS metadata, typed (see ``migration/sample/SCHEMA.md``).

Rows are read as-is; a step's JSON ``config`` stays text until its handler parses it, so one malformed
document fails its own job and nothing else.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

WORKER_PROFILES: dict[str, tuple[str, int]] = {
    # worker_profile -> (Glue WorkerType, NumberOfWorkers), per SCHEMA.md
    "small": ("G.1X", 2),
    "medium": ("G.1X", 10),
    "large": ("G.2X", 20),
}


class LegacyModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LegacyConnection(LegacyModel):
    connection_name: str
    db_type: str
    jdbc_url: str
    secret_ref: str | None = None  # a secret *name*; the password is never in metadata nor copied anywhere

    @property
    def database(self) -> str:
        """The database part of the JDBC URL (``jdbc:postgresql://h:5432/sales`` -> ``sales``)."""
        tail = self.jdbc_url.split("//", 1)[-1]
        path = tail.split("/", 1)[1] if "/" in tail else ""
        return path.split("?", 1)[0].split(";", 1)[0] or self.connection_name


class LegacyDependency(LegacyModel):
    step_id: int
    depends_on_step_id: int
    input_alias: str | None = None


class LegacyStep(LegacyModel):
    step_id: int
    job_id: int
    step_name: str
    step_type: str
    step_order: int
    config: str  # raw JSON text; parsed by the step's handler


class LegacyJob(LegacyModel):
    job_id: int
    job_name: str
    tenant: str
    description: str | None = None
    schedule_cron: str | None = None
    is_active: bool = True
    worker_profile: str = "small"
    updated_at: str = ""
    steps: list[LegacyStep] = Field(default_factory=list)
    dependencies: list[LegacyDependency] = Field(default_factory=list)
    """Edges whose consuming step belongs to this job (or, for an unknown consumer, whose producer does)."""


class LegacyMetadata(LegacyModel):
    connections: dict[str, LegacyConnection]
    jobs: list[LegacyJob]  # ordered by job_id
    foreign_steps: dict[int, int] = Field(default_factory=dict)
    """step id -> job id of steps outside the jobs read (so a cross-job edge is named as such)."""

    def step_owner(self) -> dict[int, int]:
        return {**self.foreign_steps, **{step.step_id: job.job_id for job in self.jobs for step in job.steps}}


# ---- step configs (parsed by the handlers) -------------------------------------------------------------


class StepConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CsvOptions(StepConfig):
    delimiter: str = ","
    header: bool = True
    quote: str | None = '"'
    compression: Literal["gzip", "bzip2"] | None = None


class FileSource(StepConfig):
    type: Literal["s3", "sftp"]
    path: str
    pattern: str | None = None
    host: str | None = None
    port: int | None = None
    secret_ref: str | None = None


class SchemaColumn(StepConfig):
    name: str
    type: str


class FileIngestConfig(StepConfig):
    source: FileSource
    format: Literal["csv", "json", "parquet"]
    options: CsvOptions = Field(default_factory=CsvOptions)
    schema_: list[SchemaColumn] | None = Field(default=None, alias="schema")


class IncrementalSpec(StepConfig):
    column: str
    primary_key: list[str] = Field(default_factory=list)
    lookback_seconds: int = 0


class ParallelSpec(StepConfig):
    hashfield: str
    hashpartitions: int = Field(default=8, ge=1)


class DbIngestConfig(StepConfig):
    connection: str
    table: str
    query: str | None = None
    incremental: IncrementalSpec | None = None
    parallel: ParallelSpec | None = None

    @property
    def is_incremental(self) -> bool:
        return self.incremental is not None or "{lastmdfdtmst}" in (self.query or "")


class DqRule(StepConfig):
    model_config = ConfigDict(extra="allow", frozen=True)
    type: str


class DqCheckConfig(StepConfig):
    rules: list[DqRule] = Field(min_length=1)
    on_failure: Literal["fail", "warn"] = "fail"


class JoinKey(StepConfig):
    left: str
    right: str


class SqlJoinConfig(StepConfig):
    sql: str


class KeyJoinConfig(StepConfig):
    join_type: Literal["inner", "left", "right", "full", "left_semi", "left_anti"] = "inner"
    left: str
    right: str
    keys: list[JoinKey] = Field(min_length=1)


class TransformRule(StepConfig):
    model_config = ConfigDict(extra="allow", frozen=True)
    op: str


class DataTransformConfig(StepConfig):
    rules: list[TransformRule] = Field(min_length=1)


class S3Target(StepConfig):
    type: Literal["s3"]
    path: str
    format: Literal["parquet", "csv", "json"] = "parquet"
    mode: Literal["append", "overwrite"] = "append"
    partition_by: list[str] = Field(default_factory=list)


class IcebergTarget(StepConfig):
    type: Literal["iceberg"]
    database: str
    table: str
    mode: Literal["append", "overwrite", "merge"] = "append"
    keys: list[str] = Field(default_factory=list)


class RdsTarget(StepConfig):
    type: Literal["rds"]
    connection: str
    table: str
    mode: Literal["append", "overwrite", "upsert"] = "append"
    keys: list[str] = Field(default_factory=list)


class PersistenceConfig(StepConfig):
    target: S3Target | IcebergTarget | RdsTarget = Field(discriminator="type")
