"""Local Glue ``Job``: ``init``/``commit`` bracket a run. Job bookmarks are not kept locally."""

from __future__ import annotations

from typing import Any

__all__ = ["Job"]


class Job:
    def __init__(self, glue_context: Any) -> None:
        self._glue_context = glue_context
        self._name: str | None = None
        self._args: dict[str, Any] = {}
        self.committed = False

    @classmethod
    def continuation_options(cls) -> list[str]:
        return ["--continuation-option", "continuation-enabled", "continuation-readonly", "continuation-ignore"]

    @classmethod
    def job_bookmark_options(cls) -> list[str]:
        return ["--job-bookmark-option", "job-bookmark-enable", "job-bookmark-disable", "job-bookmark-pause"]

    @classmethod
    def job_bookmark_range_options(cls) -> list[str]:
        return ["--job-bookmark-from", "--job-bookmark-to"]

    @classmethod
    def id_params(cls) -> list[str]:
        return ["--JOB_NAME", "--JOB_ID", "--JOB_RUN_ID", "--SECURITY_CONFIGURATION"]

    @classmethod
    def encryption_type_options(cls) -> list[str]:
        return ["--encryption-type", "sse-s3"]

    def init(self, job_name: str, args: dict[str, Any] | None = None) -> None:
        self._name = job_name
        self._args = dict(args or {})
        self._glue_context.get_logger().info(f"job {job_name} started (local run; bookmarks are not kept)")

    def isInitialized(self) -> bool:
        return self._name is not None

    @property
    def name(self) -> str | None:
        return self._name

    def commit(self) -> None:
        self.committed = True
        self._glue_context.get_logger().info(f"job {self._name} committed")
