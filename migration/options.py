"""Typed migration options: where scripts and transforms live on S3, Glue version, role, log group."""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field, field_validator

_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")


class MigrationOptions(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    glue_version: str = Field(default="5.0", pattern=r"^\d+\.\d+$")
    role: str = "GlueforgeMigratedJobRole"
    """IAM role name or ARN the jobs run as (the real one is given at deploy time)."""
    script_bucket: str = "glueforge-glue-assets"
    transforms_bucket: str = "glueforge-glue-assets"
    iceberg_warehouse: str | None = None
    """``s3://bucket/prefix/`` of the Iceberg ``glue_catalog``; default ``s3://<script_bucket>/warehouse/``."""
    log_group: str = "/aws-glue/jobs/logs-v2-infrequent-access"
    """A log group created with the Infrequent Access class (seed 04); Glue writes continuous logs there."""
    iceberg_catalog: str = "glue_catalog"

    @field_validator("script_bucket", "transforms_bucket")
    @classmethod
    def _bucket(cls, value: str) -> str:
        if not _BUCKET.match(value):
            raise ValueError(f"{value!r} is not a valid S3 bucket name")
        return value

    @property
    def warehouse(self) -> str:
        return self.iceberg_warehouse or f"s3://{self.script_bucket}/warehouse/"

    def script_location(self, job_name: str) -> str:
        return f"s3://{self.script_bucket}/scripts/{job_name}.py"

    def transform_path(self, transform: str) -> str:
        return f"s3://{self.transforms_bucket}/transforms/{transform}.py"
