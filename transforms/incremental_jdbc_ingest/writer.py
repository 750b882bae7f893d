"""Writing a batch into the Iceberg target: dedupe, schema drift, MERGE/append, watermark in the commit.

The watermark goes into the summary of the snapshot that commits the data. Appends use Iceberg's
``snapshot-property.*`` write options; MERGE (SQL) uses Iceberg's ``CommitMetadata`` thread-local, set from
Python through py4j on the JVM thread that runs the statement (PySpark pins one JVM thread per Python thread).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, cast

from glueforge.errors import ConcurrentRunError, InputError
from glueforge.lakehouse import TableName, create_table, quote, table_exists

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession
    from pyspark.sql.types import DataType, StructType

BROADCAST_KEYS_LIMIT = 1_000_000  # batch rows up to which the batch keys are broadcast to the target scan
COMMIT_METADATA_CLASS = "org.apache.iceberg.spark.CommitMetadata"
_CONFLICT_MARKERS = (
    "ValidationException",
    "CommitFailedException",
    "AlreadyExistsException",
    "Found conflicting files",
    "Cannot commit",
    "already exists",
)


# Merge-on-read: a MERGE that touches 1% of the rows spread over every file writes delete files and the new
# rows instead of rewriting every file (copy-on-write); compaction (rewrite_data_files) folds them later.
TABLE_PROPERTIES = {
    "format-version": "2",
    "write.merge.mode": "merge-on-read",
    "write.update.mode": "merge-on-read",
    "write.delete.mode": "merge-on-read",
}


@contextmanager
def commit_properties(spark: SparkSession, properties: dict[str, str]) -> Iterator[None]:
    """Attach ``properties`` to the snapshot summary of SQL writes (MERGE) run inside the block."""
    jvm: Any = cast(Any, spark)._jvm
    loader = jvm.java.lang.Thread.currentThread().getContextClassLoader()
    field = jvm.java.lang.Class.forName(COMMIT_METADATA_CLASS, True, loader).getDeclaredField("COMMIT_PROPERTIES")
    field.setAccessible(True)
    thread_local = field.get(None)
    props = jvm.java.util.HashMap()
    for key, value in properties.items():
        props.put(key, value)
    thread_local.set(props)
    try:
        yield
    finally:
        thread_local.remove()


PREFER_SORT_MERGE_JOIN = "spark.sql.join.preferSortMergeJoin"


@contextmanager
def session_conf(spark: SparkSession, values: dict[str, str]) -> Iterator[None]:
    """Set SQL confs for the statements run inside the block, then restore them."""
    previous: dict[str, str | None] = {key: spark.conf.get(key, None) for key in values}
    for key, value in values.items():
        spark.conf.set(key, value)
    try:
        yield
    finally:
        for key, old in previous.items():
            if old is None:
                spark.conf.unset(key)
            else:
                spark.conf.set(key, old)


def dedupe(batch: DataFrame, keys: tuple[str, ...], cursor: str) -> DataFrame:
    """One row per key: the highest cursor wins (NULL cursors last); other columns break ties deterministically."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    others = [F.col(quote(c)).desc_nulls_last() for c in batch.columns if c not in keys and c != cursor]
    order = Window.partitionBy(*[F.col(quote(k)) for k in keys]).orderBy(
        F.col(quote(cursor)).desc_nulls_last(), *others
    )
    return batch.withColumn("_gf_rank", F.row_number().over(order)).where("_gf_rank = 1").drop("_gf_rank")


# Iceberg's allowed type promotions (target type -> source types it absorbs by ALTER COLUMN).
_PROMOTABLE = {("int", "bigint"), ("float", "double")}


def _absorbs(target: DataType, source: DataType) -> str:
    """'same', 'cast' (target is wider), 'promote' (ALTER COLUMN), or 'no'."""
    t, s = target.simpleString(), source.simpleString()
    if t == s:
        return "same"
    wider = {
        ("bigint", "int"),
        ("bigint", "smallint"),
        ("bigint", "tinyint"),
        ("int", "smallint"),
        ("int", "tinyint"),
        ("double", "float"),
    }
    if (t, s) in wider:
        return "cast"
    if (t, s) in _PROMOTABLE or (t, s) in {("int", "bigint")}:
        return "promote"
    if t.startswith("decimal") and s.startswith("decimal"):
        tp, ts = (int(x) for x in t[8:-1].split(","))
        sp, ss = (int(x) for x in s[8:-1].split(","))
        if ts == ss:
            return "cast" if tp >= sp else "promote"
    return "no"


def evolve_schema(spark: SparkSession, table: TableName, source: StructType) -> tuple[str, ...]:
    """Add new source columns to the target, widen promotable types; refuse changes it cannot absorb."""
    target = {f.name.lower(): f for f in spark.table(table.sql).schema.fields}
    problems, alters, added = [], [], []
    for field in source.fields:
        existing = target.get(field.name.lower())
        if existing is None:
            alters.append(f"ALTER TABLE {table.sql} ADD COLUMN {quote(field.name)} {field.dataType.simpleString()}")
            added.append(field.name)
            continue
        verdict = _absorbs(existing.dataType, field.dataType)
        if verdict == "promote":
            alters.append(
                f"ALTER TABLE {table.sql} ALTER COLUMN {quote(existing.name)} TYPE {field.dataType.simpleString()}"
            )
        elif verdict == "no":
            problems.append(
                f"{field.name}: source type {field.dataType.simpleString()} vs target "
                f"{existing.dataType.simpleString()}"
            )
    if problems:  # checked before any ALTER runs: nothing half-changed
        raise InputError(
            "incompatible type change the target cannot absorb (" + "; ".join(problems) + "); cast it in a custom "
            "query or rebuild the target",
            where=str(table),
        )
    for statement in alters:
        spark.sql(statement)
    return tuple(added)


def create_target(spark: SparkSession, table: TableName, schema: StructType) -> None:
    """Empty Iceberg v2 merge-on-read table, every column nullable (JDBC NOT NULL must not block schema drift),
    with plain types: CHAR/VARCHAR become strings and the JDBC reader's column metadata is not kept, as in a
    ``CREATE TABLE`` with the columns' type names."""
    from pyspark.sql.types import CharType, StringType, StructField, VarcharType
    from pyspark.sql.types import StructType as Struct

    def plain(data_type: Any) -> Any:
        return StringType() if isinstance(data_type, (CharType, VarcharType)) else data_type

    columns = Struct([StructField(f.name, plain(f.dataType), True) for f in schema.fields])
    if not create_table(spark, table, columns, TABLE_PROPERTIES):
        raise ConcurrentRunError(f"{table} was created by another run meanwhile", where=str(table))


def is_conflict(exc: BaseException) -> bool:
    text = str(exc)
    return any(marker in text for marker in _CONFLICT_MARKERS)


def conflict_error(table: TableName) -> ConcurrentRunError:
    return ConcurrentRunError(
        "another writer committed to the target during this run; nothing was committed by this run, re-run it",
        where=str(table),
    )


class IcebergWriter:
    def __init__(self, spark: SparkSession, table: TableName) -> None:
        self.spark = spark
        self.table = table

    def exists(self) -> bool:
        return table_exists(self.spark, self.table)

    def key_upper_bound(self, column: str) -> int | None:
        """Largest value of an integer column over the target's data files, from Iceberg's column bounds
        (manifests only, no data read); ``None`` when unknown (no files, no bounds, not an integer)."""
        from transforms.incremental_jdbc_ingest.state import iceberg_table

        jvm: Any = cast(Any, self.spark)._jvm
        table = iceberg_table(self.spark, self.table)
        field = table.schema().caseInsensitiveFindField(column)
        if field is None or str(field.type().typeId().name()) not in ("INTEGER", "LONG"):
            return None
        field_id = field.fieldId()
        largest: int | None = None
        files = table.newScan().includeColumnStats().planFiles()  # stats are dropped otherwise
        try:
            tasks = files.iterator()
            while tasks.hasNext():
                bounds = tasks.next().file().upperBounds()
                if bounds is None or not bounds.containsKey(field_id):
                    return None
                value = int(jvm.org.apache.iceberg.types.Conversions.fromByteBuffer(field.type(), bounds.get(field_id)))
                largest = value if largest is None else max(largest, value)
        finally:
            files.close()
        return largest

    def append(self, batch: DataFrame, properties: dict[str, str], *, largest_of: str | None = None) -> int | None:
        """Append ``batch`` with ``properties`` in the snapshot summary. ``largest_of``: an integer column whose
        largest appended value is returned, observed by the write job itself (no second pass; ``None`` when
        unknown)."""
        from pyspark.sql import Observation
        from pyspark.sql import functions as F

        columns = [quote(f.name) for f in self.spark.table(self.table.sql).schema.fields if f.name in batch.columns]
        # a name of its own: concurrent runs' observations must not answer for each other
        observation = Observation(f"gf_largest_{uuid.uuid4().hex}") if largest_of else None
        if observation is not None:
            batch = batch.observe(observation, F.max(F.col(quote(cast(str, largest_of)))).alias("largest"))
        aligned = self.aligned(batch)
        writer = aligned.select(*columns).writeTo(self.table.sql) if columns else aligned.writeTo(self.table.sql)
        for key, value in properties.items():
            writer = writer.option(f"snapshot-property.{key}", value)
        self._guarded(writer.append)
        return None if observation is None else _observed(observation, "largest")

    def aligned(self, batch: DataFrame) -> DataFrame:
        """Cast source columns to the target types (after drift handling they are equal or wider)."""
        target = {f.name: f.dataType for f in self.spark.table(self.table.sql).schema.fields}
        source = {f.name: f.dataType for f in batch.schema.fields}
        differ = {c for c in batch.columns if c in target and target[c] != source[c]}
        if not differ:
            return batch
        # one selectExpr: a py4j call per column expression costs more than the cast itself on small batches
        return batch.selectExpr(
            *[
                f"CAST({quote(c)} AS {target[c].simpleString()}) AS {quote(c)}" if c in differ else quote(c)
                for c in batch.columns
            ]
        )

    def rows_with_keys_of(
        self,
        batch: DataFrame,
        keys: tuple[str, ...],
        batch_rows: int,
        cursor: str,
        since: Any = None,
        include_nulls: bool = False,
    ) -> DataFrame:
        """The target rows whose key occurs in ``batch`` and whose cursor is at least ``since`` (the window's
        lower bound): only those can be identical to or newer than a batch row, and the cursor filter is pushed
        into the Iceberg scan, so files holding only older cursors (the bulk of the target) are never opened.
        The (small) batch keys are broadcast, so comparing and counting never shuffle the target."""
        from pyspark.sql import functions as F

        target = self.spark.table(self.table.sql)
        if since is not None and cursor in target.columns:
            recent = F.col(quote(cursor)) >= F.lit(since)
            target = target.where(recent | F.col(quote(cursor)).isNull() if include_nulls else recent)
        batch_keys = batch.select(*[F.col(quote(k)) for k in keys])  # a semi join needs no distinct keys
        if batch_rows <= BROADCAST_KEYS_LIMIT:
            batch_keys = F.broadcast(batch_keys)
        return target.join(batch_keys, on=list(keys), how="left_semi")

    def count_existing_keys(
        self, batch: DataFrame, keys: tuple[str, ...], batch_rows: int, key_range: tuple[int, int] | None
    ) -> int:
        """How many of the (unique) batch keys the target holds: a key-only scan of the target (limited to the
        batch's key range when known) joined with the broadcast batch keys."""
        from pyspark.sql import functions as F

        target = self.spark.table(self.table.sql).select(*[F.col(quote(k)) for k in keys])
        if key_range is not None and len(keys) == 1:
            target = target.where(F.col(quote(keys[0])).between(*key_range))
        batch_keys = batch.select(*[F.col(quote(k)) for k in keys])
        if batch_rows <= BROADCAST_KEYS_LIMIT:
            batch_keys = F.broadcast(batch_keys)
        # distinct: a key held twice by the target (a table written elsewhere) must still count once
        return int(target.join(batch_keys, on=list(keys), how="inner").distinct().count())

    def changed_rows(
        self, batch: DataFrame, keys: tuple[str, ...], cursor: str, target: DataFrame | None = None
    ) -> DataFrame:
        """Drop re-read rows the target already has: unchanged, or (with keys) held in a newer version.

        Without keys (append mode) a row counts as already there when an identical row is in the target.
        With keys, ``target`` is the (small) output of ``rows_with_keys_of`` and is broadcast: the null-safe
        key comparison would otherwise plan a sort-merge join that shuffles and sorts the batch.
        """
        from pyspark.sql import functions as F

        if target is None:
            target = self.spark.table(self.table.sql)
        elif keys:
            target = F.broadcast(target)
        identical = None
        for column in batch.columns:
            equal = batch[quote(column)].eqNullSafe(target[quote(column)])
            identical = equal if identical is None else identical & equal
        assert identical is not None
        if not keys:
            return batch.join(target, on=identical, how="left_anti")
        same_key = batch[quote(keys[0])].eqNullSafe(target[quote(keys[0])])
        for key in keys[1:]:
            same_key = same_key & batch[quote(key)].eqNullSafe(target[quote(key)])
        newer = target[quote(cursor)] > batch[quote(cursor)]
        return batch.join(target, on=same_key & (newer | identical), how="left_anti")

    def merge(
        self,
        batch: DataFrame,
        keys: tuple[str, ...],
        cursor: str,
        properties: dict[str, str],
        soft_delete_column: str | None,
        *,
        inserts: bool = True,
        key_range: tuple[int, int] | None = None,
    ) -> None:
        """MERGE the (deduped, filtered) batch; an older source row never overwrites a newer target row.

        ``inserts=False`` (the caller knows every batch key is in the target) leaves out ``WHEN NOT MATCHED``:
        the MERGE is then an inner join and the small batch is broadcast to the target scan. With inserts it
        is a right outer join, which cannot broadcast the batch; a shuffled hash join (built on the batch)
        then replaces the sort-merge join that would sort the whole target. ``key_range`` (smallest and
        largest batch key of a single integer key) limits the target scan to files that can hold them."""
        view = f"gf_ingest_batch_{uuid.uuid4().hex[:12]}"
        self.aligned(batch).createOrReplaceTempView(view)
        sql = self.merge_statement(view, batch.columns, keys, cursor, soft_delete_column, inserts, key_range)
        try:
            with commit_properties(self.spark, properties), session_conf(self.spark, {PREFER_SORT_MERGE_JOIN: "false"}):
                self._guarded(lambda: self.spark.sql(sql))
        finally:
            self.spark.catalog.dropTempView(view)

    def merge_statement(
        self,
        view: str,
        batch_columns: list[str],
        keys: tuple[str, ...],
        cursor: str,
        soft_delete_column: str | None,
        inserts: bool,
        key_range: tuple[int, int] | None,
    ) -> str:
        """The ``MERGE INTO`` text for a batch registered as ``view`` (quoted identifiers, integer literals)."""
        on = " AND ".join(f"t.{quote(k)} = s.{quote(k)}" for k in keys)
        if key_range is not None and len(keys) == 1:
            # The batch's own key range, on the target side only: Spark pushes it into the Iceberg scan, so
            # files whose key bounds lie outside it are skipped (updates to recent keys read recent files only).
            low, high = key_range
            on += f" AND t.{quote(keys[0])} BETWEEN {int(low)} AND {int(high)}"
        guard = f"(s.{quote(cursor)} >= t.{quote(cursor)} OR s.{quote(cursor)} IS NULL OR t.{quote(cursor)} IS NULL)"
        columns = [quote(c) for c in batch_columns]
        updates = ", ".join(f"t.{c} = s.{c}" for c in columns)
        insert_cols = ", ".join(columns)
        insert_vals = ", ".join(f"s.{c}" for c in columns)
        clauses = []
        if soft_delete_column:
            flag = f"COALESCE(CAST(s.{quote(soft_delete_column)} AS BOOLEAN), false)"
            clauses.append(f"WHEN MATCHED AND {guard} AND {flag} THEN DELETE")
            clauses.append(f"WHEN MATCHED AND {guard} THEN UPDATE SET {updates}")
            if inserts:
                clauses.append(f"WHEN NOT MATCHED AND NOT {flag} THEN INSERT ({insert_cols}) VALUES ({insert_vals})")
        else:
            clauses.append(f"WHEN MATCHED AND {guard} THEN UPDATE SET {updates}")
            if inserts:
                clauses.append(f"WHEN NOT MATCHED THEN INSERT ({insert_cols}) VALUES ({insert_vals})")
        return f"MERGE INTO {self.table.sql} t USING {view} s ON {on} " + " ".join(clauses)

    def _guarded(self, action: object) -> None:
        try:
            action()  # type: ignore[operator]
        except Exception as exc:
            if is_conflict(exc):
                raise conflict_error(self.table) from None
            raise


def _observed(observation: Any, name: str, timeout: float = 10.0) -> int | None:
    """A metric the finished write observed, or ``None``: Spark delivers it through a listener, and a metric
    that never arrives must not hang the run (``Observation.get`` has no timeout)."""
    from glueforge.background import Background

    try:
        value = Background(lambda: observation.get.get(name), "gf-observation").result(timeout)
    except TimeoutError:
        return None
    return None if value is None else int(value)
