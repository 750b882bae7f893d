"""The CreateJob request of a migrated job: visual DAG, capacity, connections, tags, DefaultArguments.

DefaultArguments follow the seed articles: observability metrics (05), continuous logs into an
Infrequent Access log group (04), Spark UI event logs (06), no job bookmarks (state lives in Iceberg,
01), Iceberg via ``--datalake-formats`` + the ``--conf`` chain (03), auto scaling, and every custom
transform's ``.py`` in ``--extra-py-files``. Nothing secret goes in: JDBC credentials stay in the Glue
connections, named in ``Connections``.
"""

from __future__ import annotations

from typing import Any

from glueforge import __version__
from glueforge.visual_transforms.packaging import glue_job_arguments
from migration.dag import Nodes
from migration.legacy_model import WORKER_PROFILES, LegacyJob
from migration.options import MigrationOptions

DESCRIPTION_MAX = 2048


def iceberg_conf(options: MigrationOptions) -> str:
    catalog = f"spark.sql.catalog.{options.iceberg_catalog}"
    settings = [
        "spark.sql.extensions=org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions",
        f"{catalog}=org.apache.iceberg.spark.SparkCatalog",
        f"{catalog}.warehouse={options.warehouse}",
        f"{catalog}.catalog-impl=org.apache.iceberg.aws.glue.GlueCatalog",
        f"{catalog}.io-impl=org.apache.iceberg.aws.s3.S3FileIO",
    ]
    return " --conf ".join(settings)


def default_arguments(options: MigrationOptions, custom_transforms: list[str]) -> dict[str, str]:
    assets = f"s3://{options.script_bucket}"
    arguments = {
        "--job-language": "python",
        "--enable-observability-metrics": "true",
        "--enable-metrics": "true",
        "--enable-continuous-cloudwatch-log": "true",
        "--continuous-log-logGroup": options.log_group,
        "--enable-spark-ui": "true",
        "--spark-event-logs-path": f"{assets}/sparkHistoryLogs/",
        "--TempDir": f"{assets}/temporary/",
        "--job-bookmark-option": "job-bookmark-disable",
        "--enable-glue-datacatalog": "true",
        "--datalake-formats": "iceberg",
        "--conf": iceberg_conf(options),
        "--enable-auto-scaling": "true",
    }
    if custom_transforms:
        wheel = f"s3://{options.transforms_bucket}/transforms/wheels/glueforge-{__version__}-py3-none-any.whl"
        arguments.update(glue_job_arguments(wheel, [options.transform_path(t) for t in sorted(custom_transforms)]))
    return arguments


OUR_TAG_PREFIX = "edls:"
MIGRATED_BY_TAG = "migrated-by"


def is_our_tag(key: str) -> bool:
    """Whether the migrator owns a job tag (it may change or remove it; others' tags are left alone)."""
    return key.startswith(OUR_TAG_PREFIX) or key == MIGRATED_BY_TAG


def tags(job: LegacyJob) -> dict[str, str]:
    return {
        "edls:job_id": str(job.job_id),
        "edls:tenant": job.tenant,
        MIGRATED_BY_TAG: "glueforge",
    }


def description(job: LegacyJob) -> str:
    parts = [job.description or f"EDLS job {job.job_name}"]
    if job.schedule_cron:
        parts.append(f"legacy schedule: {job.schedule_cron}")
    parts.append(f"migrated from EDLS job id {job.job_id} by glueforge")
    text = " | ".join(parts)
    return text[:DESCRIPTION_MAX]


def create_job_request(
    job: LegacyJob, nodes: Nodes, connections: list[str], custom_transforms: list[str], options: MigrationOptions
) -> dict[str, Any]:
    worker_type, workers = WORKER_PROFILES[job.worker_profile]
    request: dict[str, Any] = {
        "Name": job.job_name,
        "Description": description(job),
        "Role": options.role,
        "JobMode": "VISUAL",
        "Command": {"Name": "glueetl", "ScriptLocation": options.script_location(job.job_name), "PythonVersion": "3"},
        "GlueVersion": options.glue_version,
        "WorkerType": worker_type,
        "NumberOfWorkers": workers,
        "ExecutionProperty": {"MaxConcurrentRuns": 1},
        "MaxRetries": 0,
        "DefaultArguments": default_arguments(options, custom_transforms),
        "Tags": tags(job),
        "CodeGenConfigurationNodes": nodes,
    }
    if connections:
        request["Connections"] = {"Connections": sorted(connections)}
    return request


def update_job_request(request: dict[str, Any]) -> dict[str, Any]:
    """UpdateJob payload for the same job: the whole DAG is resent (Glue does not patch it)."""
    update = {k: v for k, v in request.items() if k not in ("Name", "Tags")}
    return {"JobName": request["Name"], "JobUpdate": update}
