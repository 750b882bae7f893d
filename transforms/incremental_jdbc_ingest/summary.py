"""The run summary: one flat JSON-able record per run (CLI last line, API return value, Glue log line)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class RunSummary:
    target: str
    source: str
    database: str
    run_id: str
    status: str = "committed"  # committed | no_change | watermark_only
    rows_read: int = 0
    # None when the write plan does not tell inserts from updates (an equality-delete upsert never looks
    # at the target's keys); ``upserted`` = inserted + updated always holds the rows written by key.
    inserted: int | None = 0
    updated: int | None = 0
    upserted: int = 0
    deleted: int = 0
    unchanged: int = 0  # re-read rows the target already had (boundary/lookback)
    watermark_before: str | None = None
    watermark_after: str | None = None
    watermark_origin: str = ""
    window_lower: str | None = None
    window_upper: str | None = None
    partitions: int = 0
    reader: str = "spark_jdbc"  # spark_jdbc | postgresql_copy | mysql_text (the direct read) | none (no change)
    direct_read_skipped: str | None = None  # why a window small enough for the direct read took Spark's
    jvm_used: bool = True  # False: the whole run went without the JVM (``native``: a small PostgreSQL window)
    jvm_reason: str | None = None  # why the run needed the JVM (None when it ran without)
    write_plan: str = ""  # append | merge | merge_matched | equality_delete | soft_delete_merge | none
    added_columns: list[str] = field(default_factory=list)
    snapshot_id: int | None = None
    compaction: dict[str, Any] | None = None  # what the compaction at the end of the run did (when it ran)
    seconds: float = 0.0
    stage_seconds: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.as_dict(), sort_keys=True, default=str)
