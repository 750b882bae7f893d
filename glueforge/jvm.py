"""Java classes by their full names, in one py4j step.

``spark._jvm.org.apache.iceberg.Metrics`` asks the JVM about every dotted part in turn (is ``org`` a class or a
package? ``org.apache``? ...): one round trip each, 0.2-0.5 ms apiece, which adds up to a tenth of a second in a
small ingest run that names a few dozen classes. ``java_class`` builds the class reference locally; only using a
member costs a round trip.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from pyspark.sql import SparkSession


def java_class(spark: SparkSession, name: str) -> Any:
    """The Java class ``name`` (fully qualified, e.g. ``org.apache.iceberg.Metrics``), as py4j's ``JavaClass``:
    call it to construct, read its static members as attributes. A wrong name fails on first use."""
    from py4j.java_gateway import JavaClass

    return JavaClass(name, cast(Any, spark)._jvm._gateway_client)
