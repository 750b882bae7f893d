"""One incremental batch, end to end: state -> bounds -> read -> dedupe/drift -> commit (data + watermark).

``Hooks`` let tests crash the run between stages (``before_read``, ``after_read``, ``before_commit``,
``after_commit``) to prove that a re-run gives exactly the source rows.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from glueforge.background import Background
from glueforge.delete_files import find_java_table
from glueforge.errors import ConcurrentRunError, EnvironmentProblem, InputError
from glueforge.lakehouse import refresh_spark_table, table_exists
from transforms.incremental_jdbc_ingest import direct, direct_load
from transforms.incremental_jdbc_ingest.batch import BatchStats, batch_stats
from transforms.incremental_jdbc_ingest.connection import JdbcSource, resolve_source
from transforms.incremental_jdbc_ingest.maintenance import compact_locked
from transforms.incremental_jdbc_ingest.options import IngestOptions
from transforms.incremental_jdbc_ingest.reader import Bounds, JdbcReader, SourceShape, translate
from transforms.incremental_jdbc_ingest.state import (
    MAX_KEY,
    RESET,
    StoredState,
    current_snapshot_id,
    ensure_unchanged_since,
    external_store,
    iceberg_state,
    iceberg_table,
    note_largest_key,
    noted_largest_key,
    snapshot_id,
    snapshot_summary,
    summary_properties,
    target_lock,
)
from transforms.incremental_jdbc_ingest.summary import RunSummary
from transforms.incremental_jdbc_ingest.upsert import commit_files, removed_unless_committed, unsuitable_reason, upsert
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

    from glueforge.lakehouse import TableName

Hook = Callable[[str], None]
STAGES = ("before_read", "after_read", "before_commit", "after_commit")
log = logging.getLogger("glueforge.ingest")


@dataclass
class IngestResult:
    """The run summary and the batch it applied (built on first use when the run wrote it without Spark or
    had nothing to apply)."""

    summary: RunSummary
    _batch: DataFrame | None = None
    _make_batch: Callable[[], DataFrame] | None = None

    @property
    def batch(self) -> DataFrame:
        if self._batch is None:
            assert self._make_batch is not None
            self._batch = self._make_batch()
        return self._batch

    def release(self) -> None:
        """Drop the batch's cached rows, if any were cached (never builds the batch just to drop it)."""
        if self._batch is not None:
            self._batch.unpersist()


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


@dataclass(frozen=True)
class _Run:
    """What both write paths of one run share: the Spark read and the direct read."""

    spark: SparkSession
    options: IngestOptions
    reader: JdbcReader
    writer: IcebergWriter
    shape: SourceShape
    window: ReadWindow
    summary: RunSummary
    clock: _Clock
    fire: Hook
    properties: dict[str, str]  # the commit's snapshot-summary properties (watermark, run id, ...)
    start_snapshot: int | None
    loaded: Any  # the target's Iceberg table as the run found it (None: no target yet)
    committed_watermark: Any  # exact and committed with the data; None: every read row is compared


def load_state(spark: SparkSession, options: IngestOptions, cursor: str | None, *, loaded: Any = None) -> StoredState:
    store = external_store(options.state_store, options.state_location)
    state = store.load(options.key) if store else iceberg_state(spark, options.target, cursor, loaded=loaded)
    if state is None:
        state = StoredState(None, f"none ({options.state_store} store has no entry)")
    if state.watermark is None and options.initial_watermark and "reset" not in state.origin:
        return StoredState(options.initial_watermark, "initial_watermark")
    return state


def _target_state(spark: SparkSession, options: IngestOptions) -> tuple[StoredState, int | None, Any]:
    """The stored watermark, the target's current snapshot id (``None``: no target or no snapshot yet) and the
    Iceberg table (``None``: no target), all from one load: the state is that of the snapshot the run starts at."""
    loaded = find_java_table(spark, options.target)
    if loaded is None:
        return load_state(spark, options, options.cursor_column), None, None
    return _state_of(spark, options, loaded)


def _state_of(spark: SparkSession, options: IngestOptions, loaded: Any) -> tuple[StoredState, int | None, Any]:
    """``_target_state`` of a target loaded already."""
    state = load_state(spark, options, options.cursor_column, loaded=loaded)  # max(cursor): name matched case-blind
    return state, snapshot_id(loaded), loaded


def _confirmed_state(
    spark: SparkSession, options: IngestOptions, found: tuple[StoredState, int | None, Any]
) -> tuple[StoredState, int | None, Any]:
    """The state read before the lock, as it stands under the lock: read again if a run committed (or created
    the target) in between. External stores are read again in any case: a run saves to them after its commit."""
    _, start_snapshot, loaded = found
    if loaded is None:
        return _target_state(spark, options)
    loaded.refresh()
    if snapshot_id(loaded) != start_snapshot or options.state_store != "iceberg":
        return _state_of(spark, options, loaded)
    return found


def run_ingest(
    spark: SparkSession, options: IngestOptions, *, glue_context: Any = None, hook: Hook | None = None
) -> IngestResult:

    clock = _Clock()
    fire = _once_per_stage(hook)
    source = resolve_source(options, glue_context)
    reader = JdbcReader(spark, source, options)
    target = options.target
    writer = IcebergWriter(spark, target)
    summary = _new_summary(options, source)
    run_id = summary.run_id
    # A small window of a PostgreSQL source into a local target, without the JVM; None: this run needs it.
    from transforms.incremental_jdbc_ingest import native  # it builds this module's results: imported here

    result = native.try_run(native.SessionConf(spark), options, source, glue_context, summary, fire, clock)
    if result is not None:
        return result

    with contextlib.ExitStack() as run_scope:
        run_scope.enter_context(reader.session())
        # The source's shape (a JDBC round trip) and the target's state (the catalog's and the metadata's first
        # use: tenths of a second each in a fresh JVM) do not depend on each other, so they are read side by
        # side, before the target's lock (which needs the catalog); the lock then confirms the state.
        pending = Background(lambda: _target_state(spark, options), "gf-ingest-state", spark)
        try:
            shape = reader.probe()
        except BaseException:
            with contextlib.suppress(BaseException):  # the probe's error is the one to report
                pending.result()  # but no thread may go on working for an abandoned run
            raise
        found = pending.result()
        run_scope.enter_context(target_lock(spark, target))
        state, start_snapshot, loaded = _confirmed_state(spark, options, found)
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
            summary.status, summary.reader = "no_change", "none"  # nothing to read
            summary.seconds = clock.total()
            summary.stage_seconds = clock.stages
            log.info("ingest summary %s", summary.to_json())
            # an empty frame costs a Python RDD (over half a second in a fresh JVM): built only if asked for
            return IngestResult(summary, None, lambda: spark.createDataFrame([], shape.schema))

        window = ReadWindow(lower, bounds.upper, options.null_cursor == "include")
        first_load = not writer.exists()
        tied = bounds.rows_at_upper if after is not None and after == bounds.upper else None
        properties = summary_properties(summary.watermark_after or "", run_id, shape.cursor, options.key, tied)
        keys = shape.primary_keys
        trusted = before is not None and _watermark_is_exact(state)
        run = _Run(
            spark=spark, options=options, reader=reader, writer=writer, shape=shape, window=window, summary=summary,
            clock=clock, fire=fire, properties=properties, start_snapshot=start_snapshot, loaded=loaded,
            committed_watermark=before if trusted else None,
        )  # fmt: skip
        direct_batch = None
        if not first_load and 0 < bounds.rows <= options.direct_read_max_rows:
            direct_batch = _apply_direct(
                run, committed_at_watermark=state.rows_at_watermark if options.state_store == "iceberg" else None
            )

        result_df: DataFrame | None = None
        if direct_batch is not None:
            pass  # committed without a Spark job; the batch frame is built only if someone asks for it
        elif first_load and _first_load_direct(run):
            direct_batch = functools.partial(spark.table, target.sql)  # the new target, built if asked for
        elif first_load:
            raw, summary.partitions = reader.read_window(shape, window, bounds)
            # One pass: read -> dedupe -> append into a fresh table; nothing to compare with.
            fire("after_read")
            create_target(spark, target, raw.schema)
            batch = raw
            if options.write_mode == "merge" and not _keys_unique_at_source(reader, keys):
                batch = dedupe(raw, keys, shape.cursor)
            fire("before_commit")
            try:
                largest = writer.append(batch, properties, largest_of=_integer_key(keys, batch.schema))
            except Exception as exc:
                if isinstance(exc, ConcurrentRunError):
                    raise
                _drop_if_empty(spark, target)
                raise translate(exc, source, "window read") from None
            snapshot = snapshot_summary(spark, target)
            summary.rows_read = summary.inserted = int(snapshot.get("added-records", 0))
            summary.write_plan = "append"
            summary.snapshot_id = current_snapshot_id(spark, target)
            if largest is not None and summary.snapshot_id is not None:
                # the next run's new-keys check then needs no scan planning over the files just written
                with contextlib.suppress(Exception):  # an optimisation only: the manifests still tell
                    note_largest_key(iceberg_table(spark, target), summary.snapshot_id, keys[0], largest)
            clock.lap("read_write")
            fire("after_commit")
            result_df = spark.table(target.sql)
        else:
            raw, summary.partitions = reader.read_window(shape, window, bounds)
            result_df = _apply_batch(run, raw, changed_watermark=after != before)

        store = external_store(options.state_store, options.state_location)
        if store is not None and summary.watermark_after and summary.status != "no_change":
            store.save(options.key, summary.watermark_after, run_id, state.watermark)
        if options.compact_after_delete_files and summary.status == "committed":
            deletes = int(snapshot_summary(spark, target).get("total-delete-files", 0))
            if deletes >= options.compact_after_delete_files:
                summary.compaction = compact_locked(spark, target)  # still under this run's lock
                clock.lap("compact")

    if options.output == "target":
        result_df = spark.table(target.sql)
    if summary.inserted is not None and summary.updated is not None:
        summary.upserted = summary.inserted + summary.updated
    summary.seconds = clock.total()
    summary.stage_seconds = clock.stages
    log.info("ingest summary %s", summary.to_json())
    return IngestResult(summary, result_df, direct_batch)


def run_ingest_without_session(spark_settings: Mapping[str, str], options: IngestOptions) -> IngestResult | None:
    """The run without the JVM, before any Spark session exists (the CLI): ``spark_settings`` are the settings a
    local session would be started with. ``None`` when the run needs the JVM (nothing was written): start the
    session and call ``run_ingest``."""
    from transforms.incremental_jdbc_ingest import native

    source = resolve_source(options)
    conf = native.SessionConf(None, spark_settings)
    return native.try_run(conf, options, source, None, _new_summary(options, source), _once_per_stage(None), _Clock())


def _new_summary(options: IngestOptions, source: JdbcSource) -> RunSummary:
    return RunSummary(str(options.target), options.table or "query", source.dialect.name, uuid.uuid4().hex)


def _once_per_stage(hook: Hook | None) -> Hook:
    """The hook, told each stage once: a run without the JVM that gave up hands over to the JVM run."""
    told: set[str] = set()

    def fire(stage: str) -> None:
        if hook is not None and stage not in told:
            told.add(stage)
            hook(stage)

    return fire


def _apply_direct(run: _Run, *, committed_at_watermark: int | None) -> Callable[[], DataFrame] | None:
    """A small window read and committed without a Spark job (``direct``); ``None`` when it does not apply
    (the reason goes to ``summary.direct_read_skipped``) and the Spark path runs instead.

    It applies where the Spark path would write every read row by equality delete without comparing: keys
    declared unique at the source (no dedupe), an exact committed watermark and no row below it (rows *at*
    it: the target holds nothing newer), no lookback, no NULL cursors, and a target taking equality deletes."""
    try:
        loaded = run.loaded
        client, columns = _direct_plan(
            run.spark, run.options, run.reader, run.shape, run.window, loaded, run.committed_watermark
        )
        # Rows at the committed watermark are the rows that run wrote when the source still holds as many as it
        # counted before its read (a change moves the cursor: the no-change rule): leave them out of the read.
        ties = run.reader.rows_at(run.shape, run.committed_watermark) if committed_at_watermark is not None else None
        skip_ties = bool(ties) and ties == committed_at_watermark
        window_sql = run.reader.window_sql(run.shape, run.window, above_lower=skip_ties)
        padding = direct.pads_chars(run.spark.conf.get)
        rows = direct.read_window(client, run.reader.source, window_sql, columns, run.shape.schema, pad_chars=padding)
        if rows.num_rows == 0:
            raise direct.DirectReadUnavailable("the window holds no new rows now")
    except direct.DirectReadUnavailable as why:
        run.summary.direct_read_skipped = str(why)
        log.info("ingest into %s reads with Spark: %s", run.options.target, why)
        return None
    keys = run.shape.primary_keys
    run.summary.reader, run.summary.partitions = client.reader, 1
    run.summary.unchanged = ties if skip_ties and ties else 0
    run.summary.upserted = rows.num_rows
    # the window's rows, as the Spark path counts them
    run.summary.rows_read = rows.num_rows + run.summary.unchanged
    run.clock.lap("read")
    run.fire("after_read")
    only_new, properties = new_keys_only(largest_key(run.writer, loaded), keys, key_range(rows, keys), run.properties)
    if only_new:
        run.summary.write_plan, run.summary.inserted, run.summary.updated = "append", rows.num_rows, 0
    else:
        run.summary.write_plan, run.summary.inserted, run.summary.updated = "equality_delete", None, None
    loaded.refresh()
    ensure_unchanged_since(snapshot_id(loaded), run.start_snapshot, run.options.target)
    run.fire("before_commit")
    run.summary.snapshot_id = direct.upsert_arrow(
        run.spark, loaded, run.options.target, rows, keys, properties, run.start_snapshot, with_deletes=not only_new
    )
    run.clock.lap("write")
    run.fire("after_commit")
    return lambda: run.spark.createDataFrame(rows.to_pandas(), run.spark.table(run.options.target.sql).schema)


def _first_load_direct(run: _Run) -> bool:
    """A first load streamed from the database's bulk export into the new target (``direct_load``); False when
    it does not apply (the reason goes to ``summary.direct_read_skipped``) and Spark's JDBC read runs instead."""
    spark, options, shape, summary, target = run.spark, run.options, run.shape, run.summary, run.options.target
    keys = shape.primary_keys
    try:
        if not options.direct_read_max_rows:
            raise direct.DirectReadUnavailable("direct_read_max_rows=0")
        if options.partitions or options.hashfield:
            raise direct.DirectReadUnavailable("partitions/hashfield ask for Spark's parallel read")
        client = direct_load.streaming_client(run.reader.source.dialect.name)
        if options.write_mode == "merge" and not _keys_unique_at_source(run.reader, keys):
            raise direct.DirectReadUnavailable("the source declares no unique key covered by primary_keys (dedupe)")
    except direct.DirectReadUnavailable as why:
        summary.direct_read_skipped = f"first load: {why}"
        return False
    create_target(spark, target, shape.schema)
    loaded = iceberg_table(spark, target)
    written: list[str] = []
    try:
        with removed_unless_committed(direct.deleter(loaded.io(), written)):
            files = _stream_into_files(run, client, loaded, written, largest_of=_integer_key(keys, shape.schema))
            run.fire("after_read")
            run.fire("before_commit")
            summary.snapshot_id = commit_files(
                spark, loaded, target, written, [], keys, run.properties, None, described=files.described
            )
    except direct.DirectReadUnavailable as why:  # nothing committed: the Spark path reads the window instead
        _drop_if_empty(spark, target)
        summary.direct_read_skipped = f"first load: {why}"
        log.info("first load of %s reads with Spark: %s", target, why)
        return False
    except BaseException:
        with contextlib.suppress(Exception):  # the failure is the one to report
            _drop_if_empty(spark, target)
        raise
    refresh_spark_table(spark, target)
    summary.reader, summary.partitions, summary.write_plan = client.reader, 1, "append"
    summary.rows_read = summary.inserted = files.rows
    if files.largest is not None and summary.snapshot_id is not None:
        with contextlib.suppress(Exception):  # an optimisation only: the manifests still tell
            note_largest_key(loaded, summary.snapshot_id, keys[0], files.largest)
    run.clock.lap("read_write")
    run.fire("after_commit")
    return True


def _stream_into_files(
    run: _Run, client: Any, loaded: Any, written: list[str], *, largest_of: str | None
) -> direct_load.LoadedFiles:
    padding = direct.pads_chars(run.spark.conf.get)
    source, shape, target = run.reader.source, run.shape, run.options.target
    try:
        columns = direct.target_columns(run.spark, loaded)
        blocks = direct_load.stream_window(
            client, source, run.reader.window_sql(shape, run.window), columns, shape.schema, pad_chars=padding
        )
        # closed here, whatever happens: the export and its threads stop now, not whenever the frame is collected
        with contextlib.closing(direct_load.read_ahead(blocks)) as rows:
            return direct_load.write_files(run.spark, loaded, rows, written, largest_of=largest_of)
    except OSError as exc:  # the warehouse's disk or file system (the source's failures fall back to Spark)
        raise EnvironmentProblem(f"writing its data files failed: {exc}", where=f"first load of {target}") from None


def _drop_if_empty(spark: SparkSession, target: TableName) -> None:
    """Leave no empty target behind a failed first load."""
    if current_snapshot_id(spark, target) is None:
        spark.sql(f"DROP TABLE IF EXISTS {target.sql}")


def _direct_plan(
    spark: SparkSession,
    options: IngestOptions,
    reader: JdbcReader,
    shape: SourceShape,
    window: ReadWindow,
    loaded: Any,
    committed_watermark: Any,
) -> tuple[direct.DirectClient, list[direct.TargetColumn]]:
    """What the direct write needs, or ``DirectReadUnavailable`` saying why the Spark path must run."""
    unavailable = direct.DirectReadUnavailable
    if options.write_mode != "merge" or options.soft_delete_column:
        raise unavailable("append mode and soft deletes compare rows with the target")
    if options.upsert_strategy == "merge":
        raise unavailable("upsert_strategy=merge")
    if committed_watermark is None:
        raise unavailable("no exact committed watermark: the rows must be compared with the target")
    if window.lower != committed_watermark:
        raise unavailable("lookback: rows below the committed watermark must be compared with the target")
    if window.include_nulls:
        raise unavailable("rows with a NULL cursor must be compared with the target")
    client = direct.client_for(reader.source.dialect.name)
    reason = unsuitable_reason(spark, options.target, shape.primary_keys, shape.schema.fieldNames(), loaded=loaded)
    if reason is not None:
        raise unavailable(f"the target takes no equality deletes ({reason})")
    direct.parquet_codec(loaded)  # the target's codec must be one pyarrow writes
    if not _keys_unique_at_source(reader, shape.primary_keys):
        raise unavailable("the source declares no unique key covered by primary_keys (the batch needs a dedupe)")
    return client, direct.target_columns(spark, loaded)


def key_range(rows: Any, keys: tuple[str, ...]) -> tuple[int | None, int | None]:
    """Smallest and largest key of a batch with a single integer key (else ``None, None``)."""
    import pyarrow.compute as pc
    import pyarrow.types as t

    if len(keys) != 1 or not t.is_integer(rows.schema.field(keys[0]).type):
        return None, None
    low, high = pc.min_max(rows.column(keys[0])).values()
    return (None, None) if low.as_py() is None else (int(low.as_py()), int(high.as_py()))


def new_keys_only(
    largest_of: Callable[[str], int | None],
    keys: tuple[str, ...],
    batch_keys: tuple[int | None, int | None],
    properties: dict[str, str],
) -> tuple[bool, dict[str, str]]:
    """Whether every batch key (single integer key, ``batch_keys`` = smallest, largest) is above the target's
    largest (``largest_of(key)``; then the batch is a plain append), and the commit properties with the target's
    largest key after this batch noted (``MAX_KEY``) when it is known."""
    smallest, batch_largest = batch_keys
    if len(keys) != 1 or smallest is None:
        return False, properties
    largest = largest_of(keys[0])
    if largest is None:
        return False, properties
    if batch_largest is not None:
        properties = {**properties, MAX_KEY: f"{keys[0]}={max(largest, batch_largest)}"}
    return smallest > largest, properties


def largest_key(writer: IcebergWriter, loaded: Any = None) -> Callable[[str], int | None]:
    """The target's largest key: as the current snapshot's commit noted it (``MAX_KEY``), else from the
    manifests' column bounds (a scan planning over every data file). ``loaded``: the Iceberg table, if the
    caller has it."""

    def of(key: str) -> int | None:
        table = loaded if loaded is not None else iceberg_table(writer.spark, writer.table)
        noted = noted_largest_key(table, key)
        return noted if noted is not None else writer.key_upper_bound(key)

    return of


def _is_integer(data_type: Any) -> bool:
    return data_type.typeName() in ("byte", "short", "integer", "long")


def _integer_key(keys: tuple[str, ...], schema: Any) -> str | None:
    """The single integer key whose largest value a first load notes for the next run, if there is one."""
    return keys[0] if len(keys) == 1 and _is_integer(schema[keys[0]].dataType) else None


def _watermark_is_exact(state: StoredState) -> bool:
    """True when the watermark comes from the target itself (the snapshot that committed the data, or
    ``max(cursor)`` of the target): then the target holds no row with a cursor above it. External stores
    are written after the commit and may lag; a reset or rewound watermark may sit below rows the target has."""
    from_target = state.origin.startswith(("iceberg snapshot", "target max(cursor)"))
    return from_target and "reset" not in state.origin and state.run_id != RESET


def _apply_batch(run: _Run, raw: DataFrame, *, changed_watermark: bool) -> DataFrame:
    """Read the window into a cached batch, keep the rows that change the target, and commit them.

    Rows whose cursor is above the committed watermark are new versions by definition, so only the
    rows at or below it (boundary ties, lookback, NULL cursors) are compared with the target. Without
    soft deletes the inserted/updated counts come from the commit's own summary: no target scan to count."""
    from pyspark import StorageLevel

    keys, cursor = run.shape.primary_keys, run.shape.cursor
    batch = raw.persist(StorageLevel.MEMORY_AND_DISK)
    try:
        stats = batch_stats(batch, cursor, run.committed_watermark, keys)  # the one read of the source
    except Exception as exc:
        batch.unpersist()
        raise translate(exc, run.reader.source, "window read") from None
    run.summary.rows_read = stats.rows
    cached: list[DataFrame] = [batch]
    try:
        run.clock.lap("read")
        run.fire("after_read")
        run.summary.added_columns = list(evolve_schema(run.spark, target := run.options.target, batch.schema))
        counted_by_commit = False
        applied_stats = stats
        deduped = batch
        if run.options.write_mode == "merge" and not _keys_unique_at_source(run.reader, keys):
            deduped = dedupe(batch, keys, cursor).persist(StorageLevel.MEMORY_AND_DISK)  # read again below
            cached.append(deduped)
        if run.options.write_mode == "merge" and not run.options.soft_delete_column:
            if run.committed_watermark is not None and stats.overlap_rows == 0:
                applied = deduped
            else:
                applied = _drop_known_rows(
                    run.writer, deduped, keys, cursor, run.window, run.committed_watermark, stats, cached
                )
            if applied is not batch:
                applied_stats = batch_stats(applied, cursor, None, keys)
            applied_rows = applied_stats.rows
            counted_by_commit = True
        elif run.options.write_mode == "merge":
            existing = run.writer.rows_with_keys_of(
                deduped, keys, run.summary.rows_read, cursor, run.window.lower, run.window.include_nulls
            ).persist(StorageLevel.MEMORY_AND_DISK)
            cached.append(existing)
            applied = run.writer.changed_rows(deduped, keys, cursor, existing).persist(StorageLevel.MEMORY_AND_DISK)
            cached.append(applied)
            _count_merge(run.summary, applied, run.spark.table(target.sql), keys, run.options.soft_delete_column)
            applied_rows = (run.summary.inserted or 0) + (run.summary.updated or 0) + run.summary.deleted
        else:
            applied = run.writer.changed_rows(batch, (), cursor).persist(StorageLevel.MEMORY_AND_DISK)
            cached.append(applied)
            applied_rows = run.summary.inserted = applied.count()
            run.summary.unchanged = run.summary.rows_read - applied_rows
        ensure_unchanged_since(current_snapshot_id(run.spark, target), run.start_snapshot, target)
        run.clock.lap("compare")
        run.fire("before_commit")
        if applied_rows == 0:
            run.summary.status = "watermark_only" if changed_watermark else "no_change"
            run.summary.write_plan = "none"
            if changed_watermark:
                run.writer.append(applied.limit(0), run.properties)
            run.summary.unchanged = run.summary.rows_read
        elif run.options.write_mode == "append" or (
            not counted_by_commit and not (run.summary.updated or run.summary.deleted)
        ):
            run.summary.write_plan = "append"
            run.writer.append(applied, run.properties)
        elif counted_by_commit:
            _upsert(
                run.spark,
                run.options,
                run.writer,
                applied,
                applied_rows,
                applied_stats,
                run.shape,
                run.summary,
                run.properties,
                run.start_snapshot,
            )
        else:
            run.summary.write_plan = "soft_delete_merge"
            run.writer.merge(
                applied,
                keys,
                cursor,
                run.properties,
                run.options.soft_delete_column,
                inserts=bool(run.summary.inserted),
            )
            _keep_watermark_if_nothing_committed(run.writer, applied, run.properties, run.start_snapshot)
        if run.summary.status != "no_change":
            run.summary.snapshot_id = current_snapshot_id(run.spark, target)
        run.clock.lap("write")
        run.fire("after_commit")
        for frame in cached[1:]:
            frame.unpersist()
    except BaseException:
        for frame in cached:  # a failed run leaves no cached rows behind
            frame.unpersist()
        raise
    return batch


def _upsert(
    spark: SparkSession,
    options: IngestOptions,
    writer: IcebergWriter,
    applied: DataFrame,
    applied_rows: int,
    applied_stats: BatchStats,
    shape: SourceShape,
    summary: RunSummary,
    properties: dict[str, str],
    start_snapshot: int | None,
) -> None:
    """Write rows that each win over the target's row of their key (the caller dropped the losers).

    Keys all above the target's largest (from file metadata) -> a plain append. Otherwise an equality-delete
    upsert when the target takes one (no target scan at all), else a key-only scan decides between append,
    a matched-only broadcast MERGE and the full MERGE."""
    keys, cursor = shape.primary_keys, shape.cursor
    summary.upserted = applied_rows
    summary.unchanged = summary.rows_read - applied_rows
    only_new, properties = new_keys_only(
        largest_key(writer), keys, (applied_stats.min_key, applied_stats.max_key), properties
    )
    if only_new:
        # every key is above the target's largest: an append-only source with increasing ids needs no upsert
        summary.write_plan, summary.inserted, summary.updated = "append", applied_rows, 0
        writer.append(applied, properties)
        return
    if _use_equality_delete(spark, options, keys, applied.columns):
        summary.write_plan, summary.inserted, summary.updated = "equality_delete", None, None
        upsert(spark, options.target, writer.aligned(applied), keys, properties, start_snapshot)
        return
    held = writer.count_existing_keys(applied, keys, applied_rows, applied_stats.key_range)
    if held == 0:
        summary.write_plan, summary.inserted, summary.updated = "append", applied_rows, 0
        writer.append(applied, properties)
        return
    summary.write_plan = "merge" if held < applied_rows else "merge_matched"
    writer.merge(
        applied, keys, cursor, properties, None, inserts=held < applied_rows, key_range=applied_stats.key_range
    )
    _keep_watermark_if_nothing_committed(writer, applied, properties, start_snapshot)
    _count_from_commit(summary, snapshot_summary(spark, options.target), applied_rows)


def _use_equality_delete(
    spark: SparkSession, options: IngestOptions, keys: tuple[str, ...], columns: list[str]
) -> bool:
    if options.upsert_strategy == "merge":
        return False
    reason = unsuitable_reason(spark, options.target, keys, columns)
    if reason is not None and options.upsert_strategy == "equality_delete":
        raise InputError(f"upsert_strategy=equality_delete cannot be used: {reason}", where=str(options.target))
    if reason is not None:
        log.info("ingest into %s uses MERGE: %s", options.target, reason)
    return reason is None


def _keep_watermark_if_nothing_committed(
    writer: IcebergWriter, applied: DataFrame, properties: dict[str, str], start: int | None
) -> None:
    """A MERGE whose every match lost to a newer target row commits nothing; the watermark still moves."""
    if current_snapshot_id(writer.spark, writer.table) == start:
        writer.append(applied.limit(0), properties)


def _drop_known_rows(
    writer: IcebergWriter,
    deduped: DataFrame,
    keys: tuple[str, ...],
    cursor: str,
    window: ReadWindow,
    committed_watermark: Any,
    stats: BatchStats,
    cached: list[DataFrame],
) -> DataFrame:
    """Compare only the rows the target may already hold with the target; keep the rest as they are."""
    from pyspark import StorageLevel
    from pyspark.sql import functions as F

    from glueforge.lakehouse import quote

    if committed_watermark is None:
        fresh, candidates, candidate_rows = None, deduped, stats.rows
    else:
        above = F.col(quote(cursor)) > F.lit(committed_watermark)
        fresh = deduped.where(above)
        candidates = deduped.where(~above | F.col(quote(cursor)).isNull())
        candidate_rows = stats.overlap_rows
    existing = writer.rows_with_keys_of(
        candidates, keys, candidate_rows, cursor, window.lower, window.include_nulls
    ).persist(StorageLevel.MEMORY_AND_DISK)
    cached.append(existing)
    kept = writer.changed_rows(candidates, keys, cursor, existing)
    applied = (kept if fresh is None else fresh.unionByName(kept)).persist(StorageLevel.MEMORY_AND_DISK)
    cached.append(applied)
    return applied


def _count_from_commit(summary: RunSummary, snapshot: dict[str, str], applied_rows: int) -> None:
    """Counts from the MERGE's snapshot summary. Merge-on-read (our tables): an updated row is one position
    delete plus one new record; Iceberg folds a data file's older deletes into the new delete file
    (``removed-position-deletes``), so only the net change counts. Copy-on-write (a table made elsewhere):
    the net added records are the inserts."""
    added = int(snapshot.get("added-records", 0))
    if "added-position-deletes" in snapshot or "deleted-records" not in snapshot:
        updated = int(snapshot.get("added-position-deletes", 0)) - int(snapshot.get("removed-position-deletes", 0))
        inserted = added - updated
    else:
        inserted = added - int(snapshot["deleted-records"])
        updated = applied_rows - inserted
    summary.updated, summary.inserted = updated, inserted
    summary.unchanged = summary.rows_read - inserted - updated


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
    # distinct: a key held twice by the target (a table written elsewhere) must still count once
    matched = target_keys.join(F.broadcast(flagged), on=list(keys), how="inner").distinct()
    hit_rows = matched.groupBy("_gf_flag").count()
    hits = {bool(r[0]): int(r[1]) for r in hit_rows.collect()}
    summary.updated = hits.get(False, 0)
    summary.deleted = hits.get(True, 0)
    summary.inserted = totals.get(False, 0) - summary.updated
    summary.unchanged = summary.rows_read - sum(totals.values())
