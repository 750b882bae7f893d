"""NYC-taxi-style trip records with the dbt-glue seed article's columns, generated in Spark (no download).

``trips(spark, n)`` builds ``n`` deterministic rows from ``spark.range`` (a million rows take seconds);
``write_trips`` lands them as the Iceberg table ``nyctaxi.records``, the source of the seed's three models.
Most trips are in 2016 (the models' filter), some in 2015; about 1 % have no drop-off time.

Run ``python -m pipelines.taxi_data [ROWS]`` to (re)create the table in the default warehouse.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from glueforge.lakehouse import TableName, write_table

if TYPE_CHECKING:
    from pyspark.sql import Column, DataFrame, SparkSession

TAXI_TABLE = TableName("nyctaxi", "records")
TAXI_TYPES = ("yellow", "green")


def trips(spark: SparkSession, count: int, *, first_id: int = 0, seed: int = 2016) -> DataFrame:
    """``count`` trips with ids ``first_id .. first_id + count - 1``; the same ids always give the same rows."""
    from pyspark.sql import functions as F

    def unit(salt: int) -> Column:  # a deterministic value in [0, 1) per (trip, salt)
        return (F.abs(F.xxhash64(F.col("trip_id"), F.lit(seed), F.lit(salt))) % 1_000_000) / 1_000_000.0

    year = F.when(unit(1) < 0.9, F.lit(2016)).otherwise(F.lit(2015))
    start = F.make_timestamp(year, F.lit(1), F.lit(1), F.lit(0), F.lit(0), F.lit(0))
    pickup = F.timestamp_seconds(F.unix_timestamp(start) + (unit(2) * 364 * 86400).cast("long"))
    minutes = F.lit(3) + unit(3) * 57
    distance = F.round(F.lit(0.3) + unit(4) * 19.7, 2)
    fare = F.round(F.lit(2.5) + distance * 2.5 + minutes * 0.5, 2)
    rows = spark.range(first_id, first_id + count).withColumnRenamed("id", "trip_id")
    return (
        rows.select(
            "trip_id",
            F.when(unit(5) < 0.5, "CMT").otherwise("VTS").alias("vendor_id"),
            pickup.alias("pickup_datetime"),
            F.when(unit(6) < 0.01, F.lit(None).cast("timestamp"))
            .otherwise(F.timestamp_seconds(F.unix_timestamp(pickup) + (minutes * 60).cast("long")))
            .alias("dropoff_datetime"),
            (F.lit(1) + (unit(7) * 5).cast("int")).alias("passenger_count"),
            distance.alias("trip_distance"),
            fare.alias("fare_amount"),
            F.round(fare * unit(8) * 0.25, 2).alias("tip_amount"),
            F.round(fare * (F.lit(1.0) + unit(8) * 0.25) + 0.5, 2).alias("total_amount"),
            F.when(unit(9) < 0.8, TAXI_TYPES[0]).otherwise(TAXI_TYPES[1]).alias("type"),
        )
        .withColumn("year", F.year("pickup_datetime").cast("string"))
        .withColumn("month", F.month("pickup_datetime"))
    )


def write_trips(spark: SparkSession, count: int, *, first_id: int = 0, mode: str = "append") -> DataFrame:
    """Generate trips and write them to ``nyctaxi.records`` (``mode``: append or overwrite)."""
    frame = trips(spark, count, first_id=first_id)
    write_table(frame, TAXI_TABLE, mode)
    return frame


def main(argv: list[str]) -> None:
    from glueforge.session import get_spark
    from glueforge.settings import load_settings

    count = int(argv[0]) if argv else 10_000
    spark = get_spark(load_settings())
    write_trips(spark, count, mode="overwrite")
    print(f"wrote {count} trips to {TAXI_TABLE}")


if __name__ == "__main__":
    main(sys.argv[1:])
