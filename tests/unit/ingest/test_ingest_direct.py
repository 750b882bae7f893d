"""The direct read's decisions that need no database: URL translation and lossless type widening."""

from __future__ import annotations

import pyarrow as pa
import pytest

from transforms.incremental_jdbc_ingest.direct import (
    DirectReadUnavailable,
    _lossless,
    client_for,
    postgres_connect_args,
)


def test_postgres_url_becomes_psycopg_arguments() -> None:
    args = postgres_connect_args(
        "jdbc:postgresql://db.example.com:6543/sales%20db?sslmode=require&currentSchema=raw&prepareThreshold=-1",
        "etl",
        "s3cret",
    )
    assert args == {
        "host": "db.example.com",
        "port": 6543,
        "dbname": "sales db",
        "sslmode": "require",
        "options": "-c search_path=raw",
        "user": "etl",
        "password": "s3cret",
    }
    assert postgres_connect_args("jdbc:postgresql://h/d?ssl=true", None, None) == {
        "host": "h",
        "port": 5432,
        "dbname": "d",
        "sslmode": "verify-full",  # what pgjdbc makes of ssl=true
    }
    # the URL's own user and password count; the source's (from env/secret) win
    assert postgres_connect_args("jdbc:postgresql://h/d?user=u&password=p", None, None)["user"] == "u"
    assert postgres_connect_args("jdbc:postgresql://h/d?user=u", "v", None)["user"] == "v"


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("jdbc:postgresql://h1:5432,h2:5432/d", "not of the form"),
        ("jdbc:postgresql:d", "not of the form"),
        ("jdbc:postgresql://h/d?sslfactory=org.x.Factory", "sslfactory has no psycopg equivalent"),
    ],
)
def test_postgres_urls_psycopg_cannot_follow_take_the_spark_read(url: str, reason: str) -> None:
    with pytest.raises(DirectReadUnavailable, match=reason):
        postgres_connect_args(url, None, None)


def test_only_lossless_widenings_are_written_directly() -> None:
    assert _lossless(pa.int16(), pa.int32()) and _lossless(pa.int32(), pa.int64())
    assert not _lossless(pa.int64(), pa.int32())
    assert _lossless(pa.float32(), pa.float64()) and not _lossless(pa.float64(), pa.float32())
    assert _lossless(pa.decimal128(10, 2), pa.decimal128(12, 2))
    assert not _lossless(pa.decimal128(10, 2), pa.decimal128(12, 3))  # a rescale is Spark's business
    assert not _lossless(pa.decimal128(12, 2), pa.decimal128(10, 2))
    assert _lossless(pa.timestamp("us"), pa.timestamp("us", tz="UTC"))  # the read prints UTC
    assert not _lossless(pa.timestamp("us", tz="UTC"), pa.timestamp("us"))
    assert not _lossless(pa.string(), pa.int64())


def test_only_registered_dialects_have_a_direct_reader() -> None:
    assert client_for("postgresql").module == "psycopg"
    for dialect in ("sqlite", "oracle", "sqlserver"):
        with pytest.raises(DirectReadUnavailable, match=f"no direct reader for {dialect}"):
            client_for(dialect)


def test_window_sql_can_leave_out_the_rows_at_its_lower_bound() -> None:
    from datetime import UTC, datetime

    from pyspark.sql.types import StructType

    from transforms.incremental_jdbc_ingest.connection import JdbcSource
    from transforms.incremental_jdbc_ingest.dialects import dialect_for
    from transforms.incremental_jdbc_ingest.options import parse_options
    from transforms.incremental_jdbc_ingest.reader import JdbcReader, SourceShape
    from transforms.incremental_jdbc_ingest.window import CursorKind, ReadWindow

    url = "jdbc:postgresql://h/d"
    options = parse_options(
        {"url": url, "table": "orders", "cursor_column": "ts", "target_table": "b.o", "primary_keys": "id"}
    )
    reader = JdbcReader(None, JdbcSource(url, None, None, dialect_for(url)), options)  # type: ignore[arg-type]
    shape = SourceShape(StructType([]), "ts", CursorKind.TIMESTAMP, ("id",))
    low, high = datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 2, 1, tzinfo=UTC)
    window = ReadWindow(low, high, False)
    inclusive = reader.window_sql(shape, window)
    assert inclusive.endswith(
        """(w."ts" >= TIMESTAMP '2026-01-01 00:00:00.000000' AND w."ts" <= TIMESTAMP '2026-02-01 00:00:00.000000')"""
    )
    assert (
        reader.window_sql(shape, window, above_lower=True)
        == inclusive + """ AND w."ts" > TIMESTAMP '2026-01-01 00:00:00.000000'"""
    )


def test_mysql_url_becomes_pymysql_arguments() -> None:
    from transforms.incremental_jdbc_ingest.direct import mysql_connect_args

    assert mysql_connect_args("jdbc:mysql://db:3307/shop?useUnicode=true&characterEncoding=utf8", "etl", "pw") == {
        "host": "db",
        "port": 3307,
        "database": "shop",
        "user": "etl",
        "password": "pw",
    }
    assert mysql_connect_args("jdbc:mariadb://db/shop", None, None) == {"host": "db", "port": 3306, "database": "shop"}
    # a parameter that changes what the JDBC read returns (time zone, zero dates) keeps the Spark read
    for url in (
        "jdbc:mysql://db/shop?serverTimezone=Europe/Paris",
        "jdbc:mysql://db/shop?zeroDateTimeBehavior=convertToNull",
    ):
        with pytest.raises(DirectReadUnavailable, match="has no pymysql equivalent"):
            mysql_connect_args(url, None, None)
    assert client_for("mariadb").module == client_for("mysql").module == "pymysql"


def test_parquet_codec_names_follow_iceberg_and_lzo_keeps_the_spark_path() -> None:
    from transforms.incremental_jdbc_ingest.direct import parquet_codec

    class Properties(dict[str, str]):  # the Java map's one method the codec lookup uses
        def getOrDefault(self, key: str, default: str) -> str:
            return self.get(key, default)

    class Table:
        def __init__(self, codec: str | None) -> None:
            self.codec = codec

        def properties(self) -> Properties:
            return Properties({} if self.codec is None else {"write.parquet.compression-codec": self.codec})

    assert parquet_codec(Table(None)) == "zstd"  # Iceberg's default
    assert parquet_codec(Table("UNCOMPRESSED")) == "none"
    assert parquet_codec(Table("snappy")) == "snappy"
    with pytest.raises(DirectReadUnavailable, match="codec lzo is not one pyarrow writes"):
        parquet_codec(Table("lzo"))
