"""One incremental batch, end to end: state -> bounds -> read -> dedupe/drift -> commit (data + watermark).

``Hooks`` let tests crash the run between stages (``before_read``, ``after_read``, ``before_commit``,
``after_commit``) to prove that a re-run gives exactly the source rows.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from glueforge.errors import ConcurrentRunError, InputError
from glueforge.lakehouse import table_exists
from transforms.incremental_jdbc_ingest.connection import resolve_source
from transforms.incremental_jdbc_ingest.options import IngestOptions
from transforms.incremental_jdbc_ingest.reader import Bounds, JdbcReader, translate
from transforms.incremental_jdbc_ingest.state import (
    StoredState,
    current_snapshot_id,
    external_store,
    iceberg_state,
    snapshot_summary,
    summary_properties,
    target_lock,
)
from transforms.incremental_jdbc_ingest.summary import RunSummary
from transforms.incremental_jdbc_ingest.window import (
    ReadWindow,
    format_watermark,
    lower_bound,
    next_watermark,
    parse_watermark,
)
from transforms.incremental_jdbc_ingest.writer import IcebergWriter, create_target, dedupe, evolve_schema

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

Hook = Callable[[str], None]
STAGES = ("before_read", "after_read", "before_commit", "after_commit")
log = logging.getLogger("glueforge.ingest")


@dataclass
class IngestResult:
    summary: RunSummary
    batch: DataFrame


class _Clock:
    def __init__(self) -> None:
        self.start = self.mark = time.perf_counter()
        self.stages: dict[str, float] = {}

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.stages[stage] = round(now - self.mark, 3)
        self.mark = now

    def total(self) -> float:
        return round(time.perf_counter() - self.start, 3)


def load_state(spark: SparkSession, options: IngestOptions, cursor: str | None) -> StoredState:
    store = external_store(options.state_store, options.state_location)
    state = store.load(options.key) if store else iceberg_state(spark, options.target, cursor)
    if state is None:
        state = StoredState(None, f"none ({options.state_store} store has no entry)")
    if state.watermark is None and options.initial_watermark and "reset" not in state.origin:
        return StoredState(options.initial_watermark, "initial_watermark")
    return state


def run_ingest(
    spark: SparkSession, options: IngestOptions, *, glue_context: Any = None, hook: Hook | None = None
) -> IngestResult:
    from pyspark import StorageLevel

    clock = _Clock()
    fire = hook or (lambda stage: None)
    source = resolve_source(options, glue_context)
    reader = JdbcReader(spark, source, options)
    target = options.target
    writer = IcebergWriter(spark, target)
    run_id = uuid.uuid4().hex
    summary = RunSummary(str(target), options.table or "query", source.dialect.name, run_id)

    with target_lock(spark, target):
        shape = reader.probe()
        state = load_state(spark, options, shape.cursor)
        start_snapshot = current_snapshot_id(spark, target)
        kind = shape.cursor_kind
        before = parse_watermark(state.watermark, kind) if state.watermark else None
        lower = lower_bound(before, kind, options.lookback_seconds)
        summary.watermark_before = format_watermark(before) if before is not None else None
        summary.watermark_origin = state.origin
        summary.window_lower = format_watermark(lower) if lower is not None else None
        clock.lap("state")

        fire("before_read")
        bounds = reader.bounds(shape, lower)
        if options.null_cursor == "raise" and bounds.null_rows:
            raise InputError(
                f"{bounds.null_rows} source rows have a NULL {shape.cursor}; set null_cursor to exclude or include",
                where="null_cursor",
            )
        after = next_watermark(before, bounds.upper)
        summary.window_upper = format_watermark(bounds.upper) if bounds.upper is not None else None
        summary.watermark_after = format_watermark(after) if after is not None else None
        clock.lap("bounds")
        if bounds.rows == 0 or _boundary_unchanged(spark, options, shape.cursor, before, bounds, state):
            summary.status = "no_change"
            summary.seconds = clock.total()
            summary.stage_seconds = clock.stages
            log.info("ingest summary %s", summary.to_json())
            return IngestResult(summary, spark.createDataFrame([], shape.schema))

        window = ReadWindow(lower, bounds.upper, options.null_cursor == "include")
        raw, summary.partitions = reader.read_window(shape, window, bounds)
        first_load = not writer.exists()
        tied = bounds.rows_at_upper if after is not None and after == bounds.upper else None
        properties = summary_properties(summary.watermark_after or "", run_id, shape.cursor, options.key, tied)
        keys = shape.primary_keys

        if first_load:
            # One pass: read -> dedupe -> append into a fresh table; nothing to compare with.
            fire("after_read")
            create_target(spark, target, raw.schema)
            batch = raw
            if options.write_mode == "merge" and not _keys_unique_at_source(reader, keys):
                batch = dedupe(raw, keys, shape.cursor)
            fire("before_commit")
            try:
                writer.append(batch, properties)
            except Exception as exc:
                if isinstance(exc, ConcurrentRunError):
                    raise
                if current_snapshot_id(spark, target) is None:  # leave no empty target behind
                    spark.sql(f"DROP TABLE IF EXISTS {target.sql}")
                raise translate(exc, source, "window read") from None
            snapshot = snapshot_summary(spark, target)
            summary.rows_read = summary.inserted = int(snapshot.get("added-records", 0))
            summary.snapshot_id = current_snapshot_id(spark, target)
            clock.lap("read_write")
            fire("after_commit")
            result_df = spark.table(target.sql)
        else:
            batch = raw.persist(StorageLevel.MEMORY_AND_DISK)
            try:
                summary.rows_read = batch.count()  # the one read of the source; later steps use this copy
            except Exception as exc:
                batch.unpersist()
                raise translate(exc, source, "window read") from None
            existing: DataFrame | None = None
            applied: DataFrame | None = None
            try:
                clock.lap("read")
                fire("after_read")
                summary.added_columns = list(evolve_schema(spark, target, batch.schema))
                if options.write_mode == "merge":
                    deduped = batch if _keys_unique_at_source(reader, keys) else dedupe(batch, keys, shape.cursor)
                    existing = writer.rows_with_keys_of(
                        deduped, keys, summary.rows_read, shape.cursor, window.lower, window.include_nulls
                    ).persist(StorageLevel.MEMORY_AND_DISK)
                    applied = writer.changed_rows(deduped, keys, shape.cursor, existing)
                    applied = applied.persist(StorageLevel.MEMORY_AND_DISK)
                    _count_merge(summary, applied, spark.table(target.sql), keys, options.soft_delete_column)
                else:
                    applied = writer.changed_rows(batch, (), shape.cursor).persist(StorageLevel.MEMORY_AND_DISK)
                    summary.inserted = applied.count()
                    summary.unchanged = summary.rows_read - summary.inserted
                if current_snapshot_id(spark, target) != start_snapshot:
                    raise ConcurrentRunError(
                        "another run committed to the target while this one was reading", where=str(target)
                    )
                clock.lap("compare")
                fire("before_commit")
                changes = summary.inserted + summary.updated + summary.deleted
                if changes == 0 and after == before:
                    summary.status = "no_change"
                elif changes == 0:
                    summary.status = "watermark_only"
                    writer.append(applied.limit(0), properties)
                elif options.write_mode == "append" or (
                    not options.soft_delete_column and summary.updated + summary.deleted == 0
                ):
                    writer.append(applied, properties)  # only new keys: nothing to match, one append commit
                else:
                    writer.merge(
                        applied,
                        keys,
                        shape.cursor,
                        properties,
                        options.soft_delete_column,
                        inserts=summary.inserted > 0,
                    )
                if summary.status != "no_change":
                    summary.snapshot_id = current_snapshot_id(spark, target)
                clock.lap("write")
                fire("after_commit")
                for cached in (applied, existing):
                    if cached is not None and cached is not batch:
                        cached.unpersist()
            except BaseException:
                for cached in (batch, applied, existing):  # a failed run leaves no cached rows behind
                    if cached is not None:
                        cached.unpersist()
                raise
            result_df = batch

        store = external_store(options.state_store, options.state_location)
        if store is not None and summary.watermark_after and summary.status != "no_change":
            store.save(options.key, summary.watermark_after, run_id, state.watermark)

    if options.output == "target":
        result_df = spark.table(target.sql)
    summary.seconds = clock.total()
    summary.stage_seconds = clock.stages
    log.info("ingest summary %s", summary.to_json())
    return IngestResult(summary, result_df)


def _keys_unique_at_source(reader: JdbcReader, keys: tuple[str, ...]) -> bool:
    """True when the database declares a primary key / unique index covered by ``keys``."""
    wanted = {k.lower() for k in keys}
    return any(unique <= wanted for unique in reader.declared_unique_keys())


def _boundary_unchanged(
    spark: SparkSession, options: IngestOptions, cursor: str, before: Any, bounds: Bounds, state: StoredState
) -> bool:
    """Without lookback and nothing above the watermark, the window is ``cursor = watermark``: if the source
    holds as many rows at that value as when the watermark was committed (counted by that run's bound query,
    before its read), nothing changed (a change must move the cursor). Without that count (older commits,
    external stores), the target's rows at the watermark are counted instead."""
    if options.lookback_seconds or before is None or bounds.upper != before or options.null_cursor == "include":
        return False
    if state.rows_at_watermark is not None and options.state_store == "iceberg":
        return bounds.rows == state.rows_at_watermark
    if not table_exists(spark, options.target):
        return False
    from pyspark.sql import functions as F

    from glueforge.lakehouse import quote

    target = spark.table(options.target.sql)
    if cursor not in target.columns:
        return False
    return bool(target.where(F.col(quote(cursor)) == F.lit(before)).count() == bounds.rows)


def _count_merge(
    summary: RunSummary,
    applied: DataFrame,
    target: DataFrame,
    keys: tuple[str, ...],
    soft_delete_column: str | None,
) -> None:
    """Inserted / updated / deleted / unchanged counts of the rows about to be merged.

    A key hit needs the whole target, but only its key columns: the (small) applied rows are broadcast
    into a key-only scan, so the count never reads or shuffles the target's other columns."""
    from pyspark.sql import functions as F

    from glueforge.lakehouse import quote

    flag = (
        F.coalesce(F.col(quote(soft_delete_column)).cast("boolean"), F.lit(False))
        if soft_delete_column
        else F.lit(False)
    )
    flagged = applied.select(*[F.col(quote(k)) for k in keys], flag.alias("_gf_flag"))
    totals = {bool(r[0]): int(r[1]) for r in flagged.groupBy("_gf_flag").count().collect()}
    target_keys = target.select(*[F.col(quote(k)) for k in keys])
    hit_rows = target_keys.join(F.broadcast(flagged), on=list(keys), how="inner").groupBy("_gf_flag").count()
    hits = {bool(r[0]): int(r[1]) for r in hit_rows.collect()}
    summary.updated = hits.get(False, 0)
    summary.deleted = hits.get(True, 0)
    summary.inserted = totals.get(False, 0) - summary.updated
    summary.unchanged = summary.rows_read - sum(totals.values())
