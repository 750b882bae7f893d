"""Glue's equi-join of two frames on paired key lists."""

from __future__ import annotations

from pyspark.sql import DataFrame

from glueforge.errors import InputError
from glueforge.glue_runtime import fieldpaths as fp


def equi_join(left: DataFrame, right: DataFrame, keys1: list[str], keys2: list[str]) -> DataFrame:
    """Inner join on ``keys1[i] == keys2[i]``. Same-named keys appear once; any other name clash is an error."""
    if not keys1 or len(keys1) != len(keys2):
        raise InputError("join needs key lists of the same, non-zero length", where="Join")
    for key in keys1:
        fp.require(left, key)
    for key in keys2:
        fp.require(right, key)
    if keys1 == keys2 and all(len(fp.split_path(k)) == 1 for k in keys1):
        shared = [fp.split_path(k)[0] for k in keys1]
        clashes = (set(left.columns) & set(right.columns)) - set(shared)
        if clashes:
            raise InputError(f"both frames have fields {sorted(clashes)}; rename them first", where="Join")
        return left.join(right, on=shared, how="inner")
    clashes = set(left.columns) & set(right.columns)
    if clashes:
        raise InputError(f"both frames have fields {sorted(clashes)}; rename them first", where="Join")
    l_alias, r_alias = left.alias("l"), right.alias("r")
    condition = None
    for k1, k2 in zip(keys1, keys2, strict=True):
        term = fp.column(["l", *fp.split_path(k1)]) == fp.column(["r", *fp.split_path(k2)])
        condition = term if condition is None else condition & term
    return l_alias.join(r_alias, on=condition, how="inner")
