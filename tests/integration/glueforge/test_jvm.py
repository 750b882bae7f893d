"""``java_class``: a Java class by its full name, without asking the JVM about every dotted part."""

from __future__ import annotations

from typing import Any

import pytest
from py4j.protocol import Py4JError

from glueforge.jvm import java_class


def test_java_class_constructs_and_reads_static_members_like_the_jvm_view(lakehouse: Any) -> None:
    spark = lakehouse.spark
    built = java_class(spark, "java.util.HashMap")()
    built.put("k", "v")
    assert built.get("k") == "v"
    assert java_class(spark, "java.lang.Long").MAX_VALUE == spark._jvm.java.lang.Long.MAX_VALUE
    parquet = java_class(spark, "org.apache.iceberg.FileFormat").PARQUET
    assert parquet.equals(spark._jvm.org.apache.iceberg.FileFormat.PARQUET)


def test_a_wrong_class_name_fails_on_first_use(lakehouse: Any) -> None:
    missing = java_class(lakehouse.spark, "org.example.NoSuchClass")  # nothing asked yet
    with pytest.raises(Py4JError):
        missing.anything()
