"""Local GlueContext: reads and writes DynamicFrames against local files (s3 paths), JDBC and the Iceberg catalog.

``GlueContext(sc)`` needs nothing else, as on Glue: the session is glueforge's (Iceberg catalog, JDBC
drivers), and the data root/warehouse come from the settings activated by ``glueforge run-script`` (or from
``glueforge.toml``/``GLUEFORGE_*``).
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Any

from pyspark.sql import DataFrame, SparkSession

from awsglue.dynamicframe import DynamicFrame
from glueforge.errors import InputError
from glueforge.glue_runtime import io_catalog, io_s3, jdbc
from glueforge.glue_runtime.active import active_settings, is_activated
from glueforge.glue_runtime.paths import to_local_path
from glueforge.settings import Settings

__all__ = ["GlueContext"]


def _session(settings: Settings) -> SparkSession:
    """The glueforge session; reuse a running one untouched (tests/runners already chose its catalog)."""
    from glueforge import session as gf_session

    if gf_session._session is not None and not is_activated():
        return gf_session._session
    return gf_session.get_spark(settings)


class GlueLogger:
    """Glue's ``get_logger()`` result: ``info``/``warn``/``error`` over Python logging (stderr)."""

    def __init__(self, name: str = "awsglue") -> None:
        self._logger = logging.getLogger(name)
        if not self._logger.handlers:
            handler = logging.StreamHandler(sys.stderr)
            handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
            self._logger.addHandler(handler)
            self._logger.setLevel(logging.INFO)
            self._logger.propagate = False

    def info(self, message: Any) -> None:
        self._logger.info(str(message))

    def warn(self, message: Any) -> None:
        self._logger.warning(str(message))

    warning = warn

    def error(self, message: Any) -> None:
        self._logger.error(str(message))

    def debug(self, message: Any) -> None:
        self._logger.debug(str(message))


def _frame_name(transformation_ctx: str, default: str) -> str:
    return transformation_ctx or default


class _DynamicFrameReader:
    def __init__(self, glue_context: GlueContext) -> None:
        self._ctx = glue_context

    def from_options(
        self,
        connection_type: str,
        connection_options: dict[str, Any] | None = None,
        format: str | None = None,
        format_options: dict[str, Any] | None = None,
        transformation_ctx: str = "",
        push_down_predicate: str = "",
        **_: Any,
    ) -> DynamicFrame:
        df = self._ctx._read(connection_type, connection_options or {}, format, format_options or {})
        if push_down_predicate:
            df = df.filter(push_down_predicate)
        return DynamicFrame(df, self._ctx, _frame_name(transformation_ctx, connection_type))

    def from_catalog(
        self,
        database: str | None = None,
        table_name: str | None = None,
        redshift_tmp_dir: str = "",
        transformation_ctx: str = "",
        push_down_predicate: str = "",
        additional_options: dict[str, Any] | None = None,
        catalog_id: str | None = None,
        name_space: str | None = None,
        **_: Any,
    ) -> DynamicFrame:
        df = io_catalog.read_catalog(
            self._ctx.spark_session, database or name_space or "", table_name or "", push_down_predicate
        )
        return DynamicFrame(df, self._ctx, _frame_name(transformation_ctx, f"{database}.{table_name}"))

    def from_rdd(
        self, data: Any, name: str, schema: Any = None, sample_ratio: float | None = None, **_: Any
    ) -> DynamicFrame:
        df = self._ctx.spark_session.createDataFrame(data, schema, samplingRatio=sample_ratio)
        return DynamicFrame(df, self._ctx, name)


class _DataFrameReader:
    def __init__(self, glue_context: GlueContext) -> None:
        self._ctx = glue_context

    def from_catalog(
        self,
        database: str | None = None,
        table_name: str | None = None,
        transformation_ctx: str = "",
        push_down_predicate: str = "",
        **_: Any,
    ) -> DataFrame:
        return io_catalog.read_catalog(self._ctx.spark_session, database or "", table_name or "", push_down_predicate)

    def from_options(
        self,
        connection_type: str,
        connection_options: dict[str, Any] | None = None,
        format: str | None = None,
        format_options: dict[str, Any] | None = None,
        transformation_ctx: str = "",
        **_: Any,
    ) -> DataFrame:
        return self._ctx._read(connection_type, connection_options or {}, format, format_options or {})


class _DynamicFrameWriter:
    def __init__(self, glue_context: GlueContext) -> None:
        self._ctx = glue_context

    def from_options(
        self,
        frame: DynamicFrame,
        connection_type: str,
        connection_options: dict[str, Any] | None = None,
        format: str | None = None,
        format_options: dict[str, Any] | None = None,
        transformation_ctx: str = "",
        **_: Any,
    ) -> DynamicFrame:
        self._ctx._write(frame.toDF(), connection_type, connection_options or {}, format, format_options or {})
        return frame

    def from_catalog(
        self,
        frame: DynamicFrame,
        database: str | None = None,
        table_name: str | None = None,
        redshift_tmp_dir: str = "",
        transformation_ctx: str = "",
        additional_options: dict[str, Any] | None = None,
        catalog_id: str | None = None,
        **_: Any,
    ) -> DynamicFrame:
        table = io_catalog.write_catalog(frame.toDF(), database or "", table_name or "", additional_options or {})
        self._ctx.get_logger().info(f"appended to {table}")
        return frame

    def from_jdbc_conf(
        self, frame: DynamicFrame, catalog_connection: str, connection_options: dict[str, Any] | None = None, **_: Any
    ) -> DynamicFrame:
        options = {"connectionName": catalog_connection, **(connection_options or {})}
        jdbc.write_jdbc(frame.toDF(), "jdbc", options, self._ctx.settings)
        return frame


class _DataFrameWriter:
    def __init__(self, glue_context: GlueContext) -> None:
        self._ctx = glue_context

    def from_catalog(
        self,
        frame: DataFrame,
        database: str | None = None,
        table_name: str | None = None,
        additional_options: dict[str, Any] | None = None,
        **_: Any,
    ) -> None:
        io_catalog.write_catalog(frame, database or "", table_name or "", additional_options or {})


class DataSink:
    """What ``getSink`` returns in Glue Studio scripts: ``setFormat``, ``setCatalogInfo``, ``writeFrame``.

    Files go to the mapped path; with ``setCatalogInfo`` and ``enableUpdateCatalog`` the rows are also appended
    to the Iceberg table ``database.table`` (locally the catalog table is Iceberg, not a table over the files).
    """

    def __init__(self, glue_context: GlueContext, connection_type: str, options: dict[str, Any]) -> None:
        self._ctx = glue_context
        self._connection_type = connection_type
        self._options = options
        self._format: str | None = None
        self._format_options: dict[str, Any] = {}
        self._catalog: tuple[str, str] | None = None

    def setFormat(self, format: str, **options: Any) -> None:
        self._format = format
        self._format_options = options

    def setCatalogInfo(self, catalogDatabase: str, catalogTableName: str, catalogId: str | None = None) -> None:
        self._catalog = (catalogDatabase, catalogTableName)

    def writeFrame(self, dynamic_frame: DynamicFrame, info: str = "") -> DynamicFrame:
        df = dynamic_frame.toDF()
        self._ctx._write(df, self._connection_type, self._options, self._format, self._format_options)
        update_catalog = str(self._options.get("enableUpdateCatalog", False)).lower() == "true"
        if self._catalog and update_catalog:
            io_catalog.write_catalog(df, *self._catalog, {"partitionKeys": self._options.get("partitionKeys")})
        return dynamic_frame

    def writeDataFrame(self, data_frame: DataFrame, glue_context: Any = None, info: str = "") -> None:
        self.writeFrame(DynamicFrame(data_frame, self._ctx, "sink"))


class GlueContext:
    """Glue's entry object, locally: ``GlueContext(sc)``."""

    def __init__(self, sparkContext: Any = None, settings: Settings | None = None, **_options: Any) -> None:
        self.settings = settings or active_settings()
        self._spark = _session(self.settings)
        self._sc = sparkContext or self._spark.sparkContext
        self.create_dynamic_frame = _DynamicFrameReader(self)
        self.create_data_frame = _DataFrameReader(self)
        self.write_dynamic_frame = _DynamicFrameWriter(self)
        self.write_data_frame = _DataFrameWriter(self)
        self._logger: GlueLogger | None = None

    # --- session -----------------------------------------------------------------------------------------
    @property
    def spark_session(self) -> SparkSession:
        return self._spark

    @property
    def sparkSession(self) -> SparkSession:
        return self._spark

    @property
    def sc(self) -> Any:
        return self._sc

    def get_logger(self) -> GlueLogger:
        if self._logger is None:
            self._logger = GlueLogger()
        return self._logger

    def getSink(
        self,
        connection_type: str,
        format: str | None = None,
        transformation_ctx: str = "",
        **options: Any,
    ) -> DataSink:
        sink = DataSink(self, connection_type, options)
        if format:
            sink.setFormat(format)
        return sink

    def extract_jdbc_conf(self, connection_name: str, catalog_id: str | None = None) -> dict[str, Any]:
        target = jdbc.resolve_target("jdbc", {"connectionName": connection_name, "dbtable": "_"}, self.settings)
        conf = {"url": target.url, "fullUrl": target.url, "user": target.user}
        if target.password is not None:
            conf["password"] = target.password
        return conf

    # --- method-style aliases Glue also offers --------------------------------------------------------------
    def create_dynamic_frame_from_options(self, *args: Any, **kwargs: Any) -> DynamicFrame:
        return self.create_dynamic_frame.from_options(*args, **kwargs)

    def create_dynamic_frame_from_catalog(self, *args: Any, **kwargs: Any) -> DynamicFrame:
        return self.create_dynamic_frame.from_catalog(*args, **kwargs)

    def write_dynamic_frame_from_options(self, *args: Any, **kwargs: Any) -> DynamicFrame:
        return self.write_dynamic_frame.from_options(*args, **kwargs)

    def write_dynamic_frame_from_catalog(self, *args: Any, **kwargs: Any) -> DynamicFrame:
        return self.write_dynamic_frame.from_catalog(*args, **kwargs)

    def purge_s3_path(self, s3_path: str, options: dict[str, Any] | None = None, transformation_ctx: str = "") -> None:
        """Delete the files under the mapped path (``retentionPeriod`` is ignored locally)."""
        import shutil

        local = to_local_path(s3_path, self.settings.resolved_data_root())
        if local.is_dir():
            shutil.rmtree(local)
        elif local.exists():
            local.unlink()

    # --- plumbing ------------------------------------------------------------------------------------------
    def _data_root(self) -> Path:
        return self.settings.resolved_data_root()

    def _read(
        self, connection_type: str, connection_options: dict[str, Any], fmt: str | None, format_options: dict[str, Any]
    ) -> DataFrame:
        kind = (connection_type or "").lower()
        if kind == "s3":
            return io_s3.read_s3(self._spark, self._data_root(), connection_options, fmt, format_options)
        if kind in jdbc.JDBC_CONNECTION_TYPES:
            return jdbc.read_jdbc(self._spark, kind, connection_options, self.settings)
        raise InputError(
            f"connection_type {connection_type!r} is not supported locally "
            f"(supported: s3, {', '.join(sorted(jdbc.JDBC_CONNECTION_TYPES))})",
            where="from_options",
        )

    def _write(
        self,
        df: DataFrame,
        connection_type: str,
        connection_options: dict[str, Any],
        fmt: str | None,
        format_options: dict[str, Any],
    ) -> None:
        kind = (connection_type or "").lower()
        if kind == "s3":
            local = io_s3.write_s3(df, self._data_root(), connection_options, fmt, format_options)
            self.get_logger().info(f"wrote {connection_options.get('path')} -> {local}")
            return
        if kind in jdbc.JDBC_CONNECTION_TYPES:
            jdbc.write_jdbc(df, kind, connection_options, self.settings)
            return
        raise InputError(
            f"connection_type {connection_type!r} is not supported locally for writes",
            where="write_dynamic_frame.from_options",
        )
