"""Deploy migrated jobs to AWS Glue: idempotent create-or-update, dry-run by default, bounded concurrency.

Per job: upload its script, then ``GetJob`` -> ``UpdateJob`` (whole DAG resent) or ``CreateJob``; a
``CreateJob`` that meets ``AlreadyExistsException`` (a retried create that had succeeded) becomes an
update, so retries never duplicate a job. ``UpdateJob`` cannot change tags: an updated job's tags are
compared with ours (``GetTags``): ours are added or corrected (``TagResource``), ours the job no longer
gets are removed (``UntagResource``); others' tags stay.
The script is uploaded before the job exists, and a job is created in one API call, so a failure never
leaves a half-created job. Throttling is absorbed by botocore's adaptive retry mode (client-side rate
limiting + exponential backoff).
"""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from glueforge import visual_transforms
from migration.job_request import is_our_tag, update_job_request
from migration.migrator import JobResult


@dataclass(frozen=True)
class DeployTarget:
    region: str
    script_bucket: str
    transforms_bucket: str
    dry_run: bool = False
    account: str | None = None  # for the job ARNs that tags need; default: the role ARN's account, else STS


@dataclass
class DeployOutcome:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    tags_updated: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    uploaded: list[str] = field(default_factory=list)
    planned: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def record(self, bucket: str, job: str, detail: str = "") -> None:
        with self._lock:
            if bucket == "failed":
                self.failed[job] = detail
            else:
                getattr(self, bucket).append(job)

    def summary(self) -> dict[str, Any]:
        return {
            "created": len(self.created),
            "updated": len(self.updated),
            "tags_updated": len(self.tags_updated),
            "failed": dict(sorted(self.failed.items())),
            "uploaded": len(self.uploaded),
            "planned": len(self.planned),
        }


def retry_config(concurrency: int, max_attempts: int = 10, mode: str = "adaptive") -> Config:
    """botocore retries: ``adaptive`` = standard retries + a client-side token bucket that slows on throttling."""
    retries: Any = {"mode": mode, "max_attempts": max_attempts}
    return Config(retries=retries, max_pool_connections=max(10, concurrency))


def make_clients(region: str, concurrency: int) -> tuple[Any, Any]:
    import boto3

    config = retry_config(concurrency)
    return (
        boto3.client("glue", region_name=region, config=config),
        boto3.client("s3", region_name=region, config=config),
    )


def _error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def account_of_role(role: str) -> str | None:
    """The account id in an IAM role ARN (``arn:aws:iam::123456789012:role/name``); ``None`` for a bare name."""
    parts = role.split(":")
    return parts[4] if len(parts) >= 6 and parts[0] == "arn" and parts[4].isdigit() else None


def job_arn(glue: Any, account: str, name: str) -> str:
    return f"arn:{glue.meta.partition}:glue:{glue.meta.region_name}:{account}:job/{name}"


def sync_tags(glue: Any, arn: str, wanted: dict[str, str]) -> bool:
    """Bring our tags on an existing job in line with ``wanted``: add or correct them, remove ours that it no
    longer has (a tag a previous migration set); others' tags stay. True when something changed."""
    current = glue.get_tags(ResourceArn=arn).get("Tags", {})
    changed = {key: value for key, value in wanted.items() if current.get(key) != value}
    stale = sorted(key for key in current if is_our_tag(key) and key not in wanted)
    if changed:
        glue.tag_resource(ResourceArn=arn, TagsToAdd=changed)
    if stale:
        glue.untag_resource(ResourceArn=arn, TagsToRemove=stale)
    return bool(changed or stale)


def upsert_job(glue: Any, request: dict[str, Any], arn: str | None = None) -> str:
    """``created``, ``updated`` or ``updated+tags``; idempotent under retries and re-runs. ``arn``: the job's
    ARN, to bring an updated job's tags in line with the request's (no ARN: tags are left as they are)."""
    outcome = _create_or_update(glue, request)
    if outcome == "updated" and arn is not None and sync_tags(glue, arn, request.get("Tags") or {}):
        return "updated+tags"
    return outcome


def _create_or_update(glue: Any, request: dict[str, Any]) -> str:
    name = request["Name"]
    try:
        glue.get_job(JobName=name)
        exists = True
    except ClientError as exc:
        if _error_code(exc) != "EntityNotFoundException":
            raise
        exists = False
    if exists:
        glue.update_job(**update_job_request(request))
        return "updated"
    try:
        glue.create_job(**request)
    except ClientError as exc:
        if _error_code(exc) not in ("AlreadyExistsException", "IdempotentParameterMismatchException"):
            raise
        glue.update_job(**update_job_request(request))  # someone (or our own retried call) created it meanwhile
        return "updated"
    return "created"


def upload_transforms(s3: Any, bucket: str, names: set[str], outcome: DeployOutcome) -> None:
    """Each used transform's ``.py`` then ``.json`` (Studio never lists a transform whose code is missing)."""
    packages = visual_transforms.discover()
    for name in sorted(names):
        package = packages[name]
        for path in (package.entry_path, package.config_path):
            key = f"transforms/{path.name}"
            s3.put_object(Bucket=bucket, Key=key, Body=path.read_bytes())
            outcome.uploaded.append(f"s3://{bucket}/{key}")


def deploy_requests(
    requests: list[dict[str, Any]],
    scripts: dict[str, str],
    target: DeployTarget,
    *,
    glue: Any,
    s3: Any,
    concurrency: int = 8,
    transforms: set[str] | None = None,
) -> DeployOutcome:
    outcome = DeployOutcome()
    if target.dry_run:
        outcome.planned = sorted(r["Name"] for r in requests)
        return outcome
    try:
        upload_transforms(s3, target.transforms_bucket, transforms or set(), outcome)
    except (ClientError, BotoCoreError) as exc:
        for request in requests:  # no job is touched when its transforms are not in place
            outcome.record("failed", request["Name"], f"transform upload failed: {exc}")
        return outcome

    def deploy_one(request: dict[str, Any]) -> None:
        name = request["Name"]
        try:
            script_uri = request["Command"]["ScriptLocation"]
            bucket, key = script_uri.removeprefix("s3://").split("/", 1)
            s3.put_object(Bucket=bucket, Key=key, Body=scripts[name].encode("utf-8"))
            account = target.account or account_of_role(str(request.get("Role", "")))
            result = upsert_job(glue, request, job_arn(glue, account, name) if account else None)
            outcome.record(result.removesuffix("+tags"), name)
            if result.endswith("+tags"):
                outcome.record("tags_updated", name)
        except (ClientError, BotoCoreError, KeyError) as exc:
            outcome.record("failed", name, str(exc))

    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        list(pool.map(deploy_one, requests))
    return outcome


def deploy_results(
    results: list[JobResult],
    out: Path,
    target: DeployTarget,
    *,
    concurrency: int = 8,
    clients: tuple[Any, Any] | None = None,
) -> DeployOutcome:
    """Deploy every migrated job of a run from its written files (exactly what was reviewed)."""
    migrated = [r for r in results if r.request is not None]
    requests = [json.loads((out / "jobs" / f"{r.job_name}.json").read_text(encoding="utf-8")) for r in migrated]
    scripts = {r.job_name: (out / "scripts" / f"{r.job_name}.py").read_text(encoding="utf-8") for r in migrated}
    transforms = {t for r in migrated for t in r.custom_transforms}
    glue, s3 = clients or make_clients(target.region, concurrency)
    if clients is None and target.account is None and requests and account_of_role(requests[0].get("Role", "")) is None:
        from dataclasses import replace

        import boto3

        # a bare role name: the caller's own account is the one the jobs are created in
        account = boto3.client("sts", region_name=target.region).get_caller_identity()["Account"]
        target = replace(target, account=str(account))
    return deploy_requests(requests, scripts, target, glue=glue, s3=s3, concurrency=concurrency, transforms=transforms)
