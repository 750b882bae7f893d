"""Local DynamicFrame: Glue's DynamicFrame API over a Spark DataFrame (glueforge's awsglue-compatible runtime).

Differences from Glue: there is no ChoiceType (every field has one Spark type), ``schema()`` returns a Spark
``StructType``, and functions given to ``filter``/``map`` raise instead of producing error records.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql import types as T

from glueforge.errors import InputError
from glueforge.glue_runtime import fieldpaths as fp
from glueforge.glue_runtime.gluetypes import spark_type
from glueforge.glue_runtime.records import DynamicRecord, filter_frame, map_frame

__all__ = ["DynamicFrame", "DynamicFrameCollection", "DynamicRecord"]


def _log_warning(message: str) -> None:
    import logging

    logging.getLogger("awsglue").warning(message)


class DynamicFrame:
    """A named DataFrame plus the GlueContext that made it."""

    def __init__(self, df: DataFrame, glue_ctx: Any, name: str = "") -> None:
        self._df = df
        self.glue_ctx = glue_ctx
        self.name = name

    # --- conversion -------------------------------------------------------------------------------------
    @classmethod
    def fromDF(cls, dataframe: DataFrame, glue_ctx: Any, name: str = "") -> DynamicFrame:
        return cls(dataframe, glue_ctx, name)

    def toDF(self, options: Any = None) -> DataFrame:
        return self._df

    def _derive(self, df: DataFrame, transformation_ctx: str = "") -> DynamicFrame:
        return DynamicFrame(df, self.glue_ctx, transformation_ctx or self.name)

    # --- inspection ---------------------------------------------------------------------------------------
    def count(self) -> int:
        return int(self._df.count())

    def schema(self) -> T.StructType:
        return self._df.schema

    def printSchema(self) -> None:
        self._df.printSchema()

    def show(self, num_rows: int = 20) -> None:
        """Like Glue: the first records as JSON, one per line."""
        for row in self._df.limit(num_rows).collect():
            print(json.dumps(row.asDict(recursive=True), default=str))

    def getNumPartitions(self) -> int:
        return int(self._df.rdd.getNumPartitions())

    def errorsCount(self) -> int:
        return 0

    def stageErrorsCount(self) -> int:
        return 0

    def errorsAsDynamicFrame(self) -> DynamicFrame:
        spark = self._df.sparkSession
        return self._derive(spark.createDataFrame([], T.StructType([])))

    def assertErrorThreshold(self) -> None:
        return None

    # --- row-level ---------------------------------------------------------------------------------------
    def filter(self, f: Callable[[DynamicRecord], Any], transformation_ctx: str = "", **_: Any) -> DynamicFrame:
        return self._derive(filter_frame(self._df, f), transformation_ctx)

    def map(
        self,
        f: Callable[[DynamicRecord], Any],
        preservesPartitioning: bool = False,
        transformation_ctx: str = "",
        **_: Any,
    ) -> DynamicFrame:
        return self._derive(map_frame(self._df, f), transformation_ctx)

    # --- fields ------------------------------------------------------------------------------------------
    def select_fields(self, paths: list[str], transformation_ctx: str = "", **_: Any) -> DynamicFrame:
        return self._derive(fp.select_paths(self._df, list(paths)), transformation_ctx)

    def drop_fields(self, paths: list[str], transformation_ctx: str = "", **_: Any) -> DynamicFrame:
        df = self._df
        for path in paths:
            parts = fp.split_path(path)
            if fp.exists(df, parts):  # Glue ignores paths that are not there
                df = fp.drop_path(df, parts)
        return self._derive(df, transformation_ctx)

    def rename_field(self, oldName: str, newName: str, transformation_ctx: str = "", **_: Any) -> DynamicFrame:
        """Rename (or move) a field; both are full paths, backticks protect names containing dots."""
        old = fp.require(self._df, oldName)
        new = fp.split_path(newName)
        df = self._df
        if len(old) == 1 and len(new) == 1:
            return self._derive(df.withColumnRenamed(old[0], new[0]), transformation_ctx)
        if len(new) > 1 and not fp.exists(df, new[:-1]):
            raise InputError(
                f"cannot rename to {newName!r}: parent {'.'.join(new[:-1])!r} does not exist", where="rename_field"
            )
        df = fp.set_path(df, new, fp.column(old))  # set first: the value still refers to the old field
        return self._derive(fp.drop_path(df, old), transformation_ctx)

    def apply_mapping(
        self, mappings: list[tuple[Any, ...]], case_sensitive: bool = False, transformation_ctx: str = "", **_: Any
    ) -> DynamicFrame:
        """Glue mappings ``(source, source_type, target, target_type)``: only mapped fields are kept.

        Sources and targets are paths (``a.b``); targets with dots build nested structs. A source that is not in
        the frame is skipped (Glue's behaviour), with a warning.
        """
        entries: list[tuple[list[str], Any]] = []
        for mapping in mappings:
            if len(mapping) == 4:
                source, _source_type, target, target_type = mapping
            elif len(mapping) == 3:
                source, target, target_type = mapping
            else:
                raise InputError(
                    f"mapping {mapping!r} is not (source, source_type, target, target_type)", where="apply_mapping"
                )
            source_parts = fp.split_path(str(source))
            if not fp.exists(self._df, source_parts):
                _log_warning(f"apply_mapping: source field {source!r} is not in the frame; skipped")
                continue
            entries.append((fp.split_path(str(target)), (source_parts, spark_type(str(target_type)))))

        def leaf(node: tuple[list[str], T.DataType | None]) -> Any:
            parts, data_type = node
            value = fp.column(parts)
            return value.cast(data_type) if data_type is not None else value

        tree = fp.build_tree(entries)
        return self._derive(self._df.select(*fp.tree_columns(tree, leaf)), transformation_ctx)

    def resolveChoice(
        self,
        specs: list[tuple[str, str]] | None = None,
        choice: str = "",
        database: str | None = None,
        table_name: str | None = None,
        transformation_ctx: str = "",
        **_: Any,
    ) -> DynamicFrame:
        """``cast:<type>`` / ``project:<type>`` cast the field; ``match_catalog`` casts to the catalog table's types.

        Locally no field is a ChoiceType, so ``make_cols``/``make_struct`` and a bare ``choice=`` change nothing.
        """
        df = self._df
        if specs is None and choice == "match_catalog":
            return self._derive(self._match_catalog(database, table_name), transformation_ctx)
        for path, action in specs or []:
            parts = fp.require(df, path)
            kind, _sep, argument = action.partition(":")
            if kind in ("cast", "project"):
                data_type = spark_type(argument)
                if data_type is not None:
                    df = fp.set_path(df, parts, fp.column(parts).cast(data_type))
            elif kind not in ("make_cols", "make_struct"):
                raise InputError(f"unsupported resolveChoice action {action!r}", where="resolveChoice")
        return self._derive(df, transformation_ctx)

    def _match_catalog(self, database: str | None, table_name: str | None) -> DataFrame:
        from glueforge.glue_runtime.io_catalog import read_catalog

        target = read_catalog(self._df.sparkSession, database or "", table_name or "").schema
        df = self._df
        for field in target.fields:
            if field.name in df.columns:
                df = df.withColumn(field.name, F.col(fp.quote(field.name)).cast(field.dataType))
        return df

    def unnest(self, transformation_ctx: str = "", **_: Any) -> DynamicFrame:
        """Flatten nested structs into top-level fields named ``parent.child``."""

        def flat(schema: T.StructType, prefix: list[str]) -> list[Any]:
            columns = []
            for field in schema.fields:
                here = [*prefix, field.name]
                if isinstance(field.dataType, T.StructType):
                    columns += flat(field.dataType, here)
                else:
                    columns.append(fp.column(here).alias(".".join(here)))
            return columns

        return self._derive(self._df.select(*flat(self._df.schema, [])), transformation_ctx)

    # --- frames ------------------------------------------------------------------------------------------
    def join(
        self, paths1: list[str], paths2: list[str], frame2: DynamicFrame, transformation_ctx: str = "", **_: Any
    ) -> DynamicFrame:
        from glueforge.glue_runtime.joins import equi_join

        return self._derive(equi_join(self._df, frame2.toDF(), list(paths1), list(paths2)), transformation_ctx)

    def split_fields(
        self, paths: list[str], name1: str, name2: str, transformation_ctx: str = "", **_: Any
    ) -> DynamicFrameCollection:
        chosen = self.select_fields(paths)
        rest = self.drop_fields(paths)
        return DynamicFrameCollection({name1: chosen, name2: rest}, self.glue_ctx)

    def repartition(self, num_partitions: int, transformation_ctx: str = "", **_: Any) -> DynamicFrame:
        return self._derive(self._df.repartition(num_partitions), transformation_ctx)

    def coalesce(
        self, num_partitions: int, shuffle: bool = False, transformation_ctx: str = "", **_: Any
    ) -> DynamicFrame:
        df = self._df.repartition(num_partitions) if shuffle else self._df.coalesce(num_partitions)
        return self._derive(df, transformation_ctx)

    def spigot(
        self, path: str, options: dict[str, Any] | None = None, transformation_ctx: str = "", **_: Any
    ) -> DynamicFrame:
        """Write a sample (``topk``, default 100) as JSON to ``path``; returns the frame unchanged."""
        top = int((options or {}).get("topk", 100))
        sample = DynamicFrame(self._df.limit(top), self.glue_ctx, self.name)
        self.glue_ctx.write_dynamic_frame.from_options(
            frame=sample, connection_type="s3", connection_options={"path": path}, format="json"
        )
        return self

    def __getattr__(self, name: str) -> Any:
        # Only reached for attributes that exist neither on the instance nor the class, so methods that custom
        # transforms assign to DynamicFrame later are found before this.
        if name.startswith("_"):
            raise AttributeError(name)
        raise AttributeError(
            f"DynamicFrame has no attribute {name!r} in glueforge's local Glue runtime "
            "(not supported locally, or a custom transform that was not imported)"
        )

    def __repr__(self) -> str:
        return f"DynamicFrame(name={self.name!r}, columns={self._df.columns})"


class DynamicFrameCollection:
    """Named DynamicFrames (Glue's ``DynamicFrameCollection``)."""

    def __init__(self, dynamic_frames: dict[str, DynamicFrame], glue_ctx: Any) -> None:
        self._frames = dict(dynamic_frames)
        self.glue_ctx = glue_ctx

    def __getitem__(self, key: str) -> DynamicFrame:
        return self._frames[key]

    def __len__(self) -> int:
        return len(self._frames)

    def __iter__(self) -> Iterator[str]:
        return iter(self._frames)

    def keys(self) -> list[str]:
        return list(self._frames)

    def values(self) -> list[DynamicFrame]:
        return list(self._frames.values())

    def select(self, key: str, transformation_ctx: str = "") -> DynamicFrame:
        if key not in self._frames:
            raise KeyError(f"no frame {key!r} in collection (keys: {', '.join(self._frames)})")
        return self._frames[key]

    def map(
        self, callable: Callable[[DynamicFrame, str], DynamicFrame], transformation_ctx: str = ""
    ) -> DynamicFrameCollection:
        return DynamicFrameCollection(
            {k: callable(v, transformation_ctx) for k, v in self._frames.items()}, self.glue_ctx
        )

    def __repr__(self) -> str:
        return f"DynamicFrameCollection(keys={self.keys()})"
