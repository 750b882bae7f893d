"""Bronze source tables for the dbt project, built from the demo domain (``pipelines.demo_data``).

The real pipeline lands ``bronze.orders`` with ``glueforge ingest`` and ``bronze.customers_masked`` with the
PII stage. Tests, the benchmark and the dbt demo stage use these helpers to create the same tables directly:
customers are masked here with the same shape of output (hashes / redaction), orders are written as is.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING

from glueforge.lakehouse import TableName, write_table
from pipelines import demo_data

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

ORDERS = TableName("bronze", "orders")
CUSTOMERS = TableName("bronze", "customers_masked")
ORDERS_SCHEMA = (
    "order_id bigint, customer_id bigint, order_ts timestamp, status string, amount decimal(10,2), updated_at timestamp"
)
CUSTOMERS_SCHEMA = (
    "customer_id bigint, first_name string, last_name string, email string, phone string, ssn string, "
    "credit_card string, city string, updated_at timestamp"
)


def orders_frame(spark: SparkSession, orders: list[demo_data.Order]) -> DataFrame:
    return spark.createDataFrame([tuple(asdict(o).values()) for o in orders], ORDERS_SCHEMA)


def masked_customers_frame(spark: SparkSession, customers: list[demo_data.Customer]) -> DataFrame:
    return mask_customers(spark.createDataFrame([tuple(asdict(c).values()) for c in customers], CUSTOMERS_SCHEMA))


def mask_customers(raw: DataFrame) -> DataFrame:
    """A stand-in for the PII stage: names initialled, email hashed, phone redacted, SSN/card last four kept."""
    from pyspark.sql import functions as F

    return raw.select(
        "customer_id",
        F.concat(F.substring("first_name", 1, 1), F.lit("***")).alias("first_name"),
        F.concat(F.substring("last_name", 1, 1), F.lit("***")).alias("last_name"),
        F.sha2("email", 256).alias("email"),
        F.lit("***-***-****").alias("phone"),
        F.concat(F.lit("***-**-"), F.substring("ssn", -4, 4)).alias("ssn"),
        F.concat(F.lit("************"), F.substring("credit_card", -4, 4)).alias("credit_card"),
        "city",
        F.col("updated_at").cast("timestamp").alias("updated_at"),
    )


def ensure_demo_sources(spark: SparkSession, customer_count: int = 50, order_count: int = 500) -> list[str]:
    """Keep bronze tables earlier stages wrote (ingest, PII); create only what is missing. Returns what was made."""
    from glueforge.lakehouse import table_exists

    made = []
    raw_customers = TableName("bronze", "customers")
    if not table_exists(spark, CUSTOMERS):
        if table_exists(spark, raw_customers):
            frame = mask_customers(spark.table(raw_customers.sql))
        else:
            frame = masked_customers_frame(spark, demo_data.customers(customer_count))
        write_table(frame, CUSTOMERS, "overwrite")
        made.append(str(CUSTOMERS))
    if not table_exists(spark, ORDERS):
        customers = spark.table(CUSTOMERS.sql).count()
        write_table(orders_frame(spark, demo_data.orders(order_count, customers)), ORDERS, "overwrite")
        made.append(str(ORDERS))
    return made


def write_demo_sources(spark: SparkSession, customer_count: int = 50, order_count: int = 500) -> None:
    """(Re)create ``bronze.customers_masked`` and ``bronze.orders`` in the current catalog."""
    write_table(masked_customers_frame(spark, demo_data.customers(customer_count)), CUSTOMERS, "overwrite")
    write_table(orders_frame(spark, demo_data.orders(order_count, customer_count)), ORDERS, "overwrite")
