"""Glue's transform classes (``from awsglue.transforms import *``), each with ``apply(frame=..., ...)``."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Any

from pyspark.sql import functions as F

from awsglue.dynamicframe import DynamicFrame, DynamicFrameCollection, DynamicRecord

__all__ = [
    "ApplyMapping",
    "DropFields",
    "DropNullFields",
    "Filter",
    "GlueTransform",
    "Join",
    "Map",
    "RenameField",
    "ResolveChoice",
    "SelectFields",
    "SelectFromCollection",
    "Spigot",
    "SplitFields",
    "Unnest",
]


class GlueTransform(ABC):
    """Base: ``Cls.apply(...)`` is ``Cls()(...)``, like Glue."""

    @classmethod
    def apply(cls, *args: Any, **kwargs: Any) -> Any:
        return cls()(*args, **kwargs)

    @classmethod
    def name(cls) -> str:
        return cls.__name__

    @abstractmethod
    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """The transform itself; every subclass defines it with Glue's keyword arguments."""


class ApplyMapping(GlueTransform):
    def __call__(
        self,
        frame: DynamicFrame,
        mappings: list[tuple[Any, ...]],
        case_sensitive: bool = False,
        transformation_ctx: str = "",
        **_: Any,
    ) -> DynamicFrame:
        return frame.apply_mapping(mappings, case_sensitive, transformation_ctx)


class Filter(GlueTransform):
    def __call__(
        self, frame: DynamicFrame, f: Callable[[DynamicRecord], Any], transformation_ctx: str = "", **_: Any
    ) -> DynamicFrame:
        return frame.filter(f, transformation_ctx)


class Map(GlueTransform):
    def __call__(
        self, frame: DynamicFrame, f: Callable[[DynamicRecord], Any], transformation_ctx: str = "", **_: Any
    ) -> DynamicFrame:
        return frame.map(f, transformation_ctx=transformation_ctx)


class DropFields(GlueTransform):
    def __call__(self, frame: DynamicFrame, paths: list[str], transformation_ctx: str = "", **_: Any) -> DynamicFrame:
        return frame.drop_fields(paths, transformation_ctx)


class SelectFields(GlueTransform):
    def __call__(self, frame: DynamicFrame, paths: list[str], transformation_ctx: str = "", **_: Any) -> DynamicFrame:
        return frame.select_fields(paths, transformation_ctx)


class RenameField(GlueTransform):
    def __call__(
        self, frame: DynamicFrame, old_name: str, new_name: str, transformation_ctx: str = "", **_: Any
    ) -> DynamicFrame:
        return frame.rename_field(old_name, new_name, transformation_ctx)


class ResolveChoice(GlueTransform):
    def __call__(
        self,
        frame: DynamicFrame,
        specs: list[tuple[str, str]] | None = None,
        choice: str = "",
        database: str | None = None,
        table_name: str | None = None,
        transformation_ctx: str = "",
        **_: Any,
    ) -> DynamicFrame:
        return frame.resolveChoice(specs, choice, database, table_name, transformation_ctx)


class Join(GlueTransform):
    def __call__(
        self,
        frame1: DynamicFrame,
        frame2: DynamicFrame,
        keys1: list[str],
        keys2: list[str],
        transformation_ctx: str = "",
        **_: Any,
    ) -> DynamicFrame:
        return frame1.join(keys1, keys2, frame2, transformation_ctx)


class DropNullFields(GlueTransform):
    """Drop the top-level fields that are null in every record."""

    def __call__(self, frame: DynamicFrame, transformation_ctx: str = "", **_: Any) -> DynamicFrame:
        df = frame.toDF()
        if not df.columns:
            return frame
        counts = df.select([F.count(F.col(f"`{c}`")).alias(str(i)) for i, c in enumerate(df.columns)]).first()
        empty = [c for i, c in enumerate(df.columns) if counts is None or counts[str(i)] == 0]
        return DynamicFrame(df.drop(*empty), frame.glue_ctx, transformation_ctx or frame.name)


class SelectFromCollection(GlueTransform):
    def __call__(self, dfc: DynamicFrameCollection, key: str, transformation_ctx: str = "", **_: Any) -> DynamicFrame:
        return dfc.select(key, transformation_ctx)


class SplitFields(GlueTransform):
    def __call__(
        self,
        frame: DynamicFrame,
        paths: list[str],
        name1: str | None = None,
        name2: str | None = None,
        transformation_ctx: str = "",
        **_: Any,
    ) -> DynamicFrameCollection:
        first = name1 or f"{frame.name}0"
        second = name2 or f"{frame.name}1"
        return frame.split_fields(paths, first, second, transformation_ctx)


class Spigot(GlueTransform):
    def __call__(
        self,
        frame: DynamicFrame,
        path: str,
        options: dict[str, Any] | None = None,
        transformation_ctx: str = "",
        **_: Any,
    ) -> DynamicFrame:
        return frame.spigot(path, options, transformation_ctx)


class Unnest(GlueTransform):
    def __call__(self, frame: DynamicFrame, transformation_ctx: str = "", **_: Any) -> DynamicFrame:
        return frame.unnest(transformation_ctx)
