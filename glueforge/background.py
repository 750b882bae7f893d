"""Work on a second thread that calls into the JVM.

It runs on PySpark's ``InheritableThread``: in pinned-thread mode every Python thread gets its own py4j
connection and JVM thread, which a plain thread leaves open when it ends (one per run adds up in a process
that ingests many tables); this one closes them, and inherits the caller's Spark local properties. Given the
session, the thread also makes it the JVM thread's active session: code that reads ``SQLConf.get`` (Iceberg's
``Spark3Util`` resolving a table name through the current catalog, for one) would otherwise see default settings.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

T = TypeVar("T")


class Background(Generic[T]):
    """``fn()`` started on its own thread now; ``result()`` waits for its value or raises its exception."""

    def __init__(self, fn: Callable[[], T], name: str, spark: SparkSession | None = None) -> None:
        from pyspark import InheritableThread

        self._value: T | None = None
        self._error: BaseException | None = None
        self._thread = InheritableThread(self._run, args=(fn, spark), name=name, daemon=True)
        self._thread.start()

    def _run(self, fn: Callable[[], T], spark: SparkSession | None) -> None:
        try:
            if spark is not None:
                session: Any = cast(Any, spark)
                session._jvm.org.apache.spark.sql.SparkSession.setActiveSession(session._jsparkSession)
            self._value = fn()
        except BaseException as exc:  # handed to the caller of result()
            self._error = exc

    def result(self, timeout: float | None = None) -> T:
        """The value; ``TimeoutError`` if not done within ``timeout`` seconds (the thread keeps running)."""
        self._thread.join(timeout)
        if self._thread.is_alive():
            raise TimeoutError(f"{self._thread.name} did not finish within {timeout} s")
        if self._error is not None:
            raise self._error
        return self._value  # type: ignore[return-value]
