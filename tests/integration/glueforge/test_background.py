"""``Background``: a JVM-calling thread whose value or exception reaches the caller."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from glueforge.background import Background


def test_value_exception_and_timeout(spark: Any) -> None:
    assert Background(lambda: spark.range(3).count(), "gf-test-count").result() == 3
    failing = Background(lambda: spark.sql("SELECT * FROM no_such_namespace.no_such_table").collect(), "gf-fail")
    with pytest.raises(Exception, match="no_such_table"):
        failing.result()
    release = threading.Event()
    slow = Background(lambda: release.wait(30), "gf-slow")
    started = time.perf_counter()
    with pytest.raises(TimeoutError, match="gf-slow"):
        slow.result(timeout=0.2)
    assert time.perf_counter() - started < 5
    release.set()
    assert slow.result() is True


def test_the_thread_inherits_spark_local_properties(spark: Any) -> None:
    spark.sparkContext.setLocalProperty("glueforge.test", "inherited")
    try:
        seen = Background(lambda: spark.sparkContext.getLocalProperty("glueforge.test"), "gf-props").result()
    finally:
        spark.sparkContext.setLocalProperty("glueforge.test", None)
    assert seen == "inherited"


def test_the_thread_sees_the_sessions_settings_through_sqlconf(spark: Any) -> None:
    """Iceberg's Spark3Util resolves names through SQLConf.get: a bare JVM thread would see default settings."""
    spark.conf.set("glueforge.test.setting", "session value")
    read = lambda: spark._jvm.org.apache.spark.sql.internal.SQLConf.get().getConfString(  # noqa: E731
        "glueforge.test.setting", "default"
    )
    try:
        assert Background(read, "gf-conf", spark).result() == "session value"
        assert Background(read, "gf-conf-bare").result() == "default"  # why the session must be handed over
    finally:
        spark.conf.unset("glueforge.test.setting")
