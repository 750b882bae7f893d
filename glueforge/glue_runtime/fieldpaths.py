"""Glue field paths (``a.b.c``, with backticks around names that contain dots) over Spark columns.

DynamicFrame methods address nested fields by path; these helpers read, set, drop and select such paths
on a DataFrame while keeping the nested struct layout, the way Glue does.
"""

from __future__ import annotations

from typing import Any

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql import types as T

from glueforge.errors import InputError, NotFoundError


def split_path(path: str) -> list[str]:
    """``a.`b.c`.d`` -> ``["a", "b.c", "d"]``."""
    parts: list[str] = []
    current: list[str] = []
    in_ticks = False
    i = 0
    while i < len(path):
        char = path[i]
        if char == "`":
            if in_ticks and path[i + 1 : i + 2] == "`":  # doubled backtick inside a quoted name
                current.append("`")
                i += 2
                continue
            in_ticks = not in_ticks
        elif char == "." and not in_ticks:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
        i += 1
    if in_ticks:
        raise InputError(f"unbalanced backticks in field path {path!r}", where="field path")
    parts.append("".join(current))
    if any(part == "" for part in parts):
        raise InputError(f"empty name in field path {path!r}", where="field path")
    return parts


def quote(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def sql_path(parts: list[str]) -> str:
    return ".".join(quote(p) for p in parts)


def column(parts: list[str]) -> Column:
    return F.col(sql_path(parts))


def field_type(schema: T.StructType, parts: list[str]) -> T.DataType | None:
    """The type at ``parts`` (names compared case-insensitively, as Spark resolves them), or None."""
    current: T.DataType = schema
    for part in parts:
        if not isinstance(current, T.StructType):
            return None
        match = next((f for f in current.fields if f.name.lower() == part.lower()), None)
        if match is None:
            return None
        current = match.dataType
    return current


def exists(df: DataFrame, parts: list[str]) -> bool:
    return field_type(df.schema, parts) is not None


def require(df: DataFrame, path: str) -> list[str]:
    parts = split_path(path)
    if not exists(df, parts):
        raise NotFoundError(f"field {path!r} not found (fields: {', '.join(df.columns)})", where="DynamicFrame")
    return parts


def set_path(df: DataFrame, parts: list[str], value: Column) -> DataFrame:
    """Set (add or replace) the field at ``parts``; parents must already exist for nested paths."""
    if len(parts) == 1:
        return df.withColumn(parts[0], value)
    return df.withColumn(parts[0], column(parts[:1]).withField(sql_path(parts[1:]), value))


def drop_path(df: DataFrame, parts: list[str]) -> DataFrame:
    if len(parts) == 1:
        return df.drop(parts[0])
    return df.withColumn(parts[0], column(parts[:1]).dropFields(sql_path(parts[1:])))


def build_tree(entries: list[tuple[list[str], Any]]) -> dict[str, Any]:
    """Nest ``(path parts, leaf)`` pairs into an ordered dict tree; leaves are stored under their last part."""
    tree: dict[str, Any] = {}
    for parts, leaf in entries:
        node = tree
        for part in parts[:-1]:
            child = node.setdefault(part, {})
            if not isinstance(child, dict):
                raise InputError(f"{'.'.join(parts)!r} nests under a field that is also a leaf", where="field path")
            node = child
        node[parts[-1]] = leaf
    return tree


def tree_columns(tree: dict[str, Any], leaf_column: Any) -> list[Column]:
    """Columns for a tree: ``leaf_column(leaf)`` at leaves, ``struct(...)`` for inner nodes."""
    columns = []
    for name, node in tree.items():
        if isinstance(node, dict):
            columns.append(F.struct(*tree_columns(node, leaf_column)).alias(name))
        else:
            columns.append(leaf_column(node).alias(name))
    return columns


def select_paths(df: DataFrame, paths: list[str]) -> DataFrame:
    """Keep only ``paths`` (nested paths keep their parent structs, null parents stay null)."""
    entries = [(parts, parts) for parts in (split_path(p) for p in paths) if exists(df, parts)]
    tree = build_tree(entries)

    def node_columns(node: dict[str, Any], prefix: list[str]) -> list[Column]:
        columns = []
        for name, child in node.items():
            here = [*prefix, name]
            if isinstance(child, dict):
                struct = F.struct(*node_columns(child, here))
                columns.append(F.when(column(here).isNull(), F.lit(None)).otherwise(struct).alias(name))
            else:
                columns.append(column(here).alias(name))
        return columns

    return df.select(*node_columns(tree, []))
