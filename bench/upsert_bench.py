"""Benchmark: ``jdbc_upsert`` against a plain Spark JDBC append (what Glue's JDBC targets do), on PostgreSQL.

    .venv/bin/python -m bench.upsert_bench                  # 200,000 rows
    .venv/bin/python -m bench.upsert_bench --rows 1000000

In one Spark session (warmed up first on a small table, untimed), the same batch of ``--rows`` rows (an int key,
ints, a decimal, text, a timestamp) is written three ways, each into a fresh table with a primary key:
**append** (``df.write.jdbc(mode="append")`` into an empty table: insert only, the baseline), **upsert, all new**
(``jdbc_upsert`` into an empty table) and **upsert, half existing** (the table holds every other key already, so
half the rows update). Each case runs ``--repeat`` times, alternating; the medians and their ratios to the
append are printed as JSON. The append cannot do the third case at all: its keys would collide.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
import uuid
from typing import Any

PG_DSN = "host=127.0.0.1 port=5432 dbname=test user=postgres"
PG_JDBC = "jdbc:postgresql://127.0.0.1:5432/test"
SCHEMA = "id INT PRIMARY KEY, customer_id INT, qty INT, amount NUMERIC(12,2), note TEXT, updated_at TIMESTAMP"


def fresh_table(half_filled_up_to: int = 0) -> str:
    """A new table with the batch's shape; every even key below ``half_filled_up_to`` already there."""
    import psycopg

    name = f"gf_bench_upsert_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_DSN, autocommit=True) as conn:
        conn.execute(f"CREATE TABLE {name} ({SCHEMA})")
        if half_filled_up_to:
            conn.execute(
                f"INSERT INTO {name} SELECT g, 0, 0, 0, 'old', TIMESTAMP '2020-01-01' "
                f"FROM generate_series(2, {half_filled_up_to}, 2) g"
            )
    return name


def drop(table: str) -> None:
    import psycopg

    with psycopg.connect(PG_DSN, autocommit=True) as conn:
        conn.execute(f"DROP TABLE IF EXISTS {table}")


def batch(spark: Any, rows: int) -> Any:
    frame = spark.range(1, rows + 1).selectExpr(
        "CAST(id AS INT) AS id",
        "CAST(id % 5000 AS INT) AS customer_id",
        "CAST(id % 7 AS INT) AS qty",
        "CAST((id % 100000) / 100 AS DECIMAL(12,2)) AS amount",
        "md5(CAST(id AS STRING)) AS note",
        "TIMESTAMP '2026-01-01 00:00:00' + make_interval(0, 0, 0, 0, 0, 0, id) AS updated_at",
    )
    return frame.repartition(4).cache()


def append(frame: Any, table: str) -> dict[str, Any]:
    frame.write.jdbc(PG_JDBC, table, mode="append", properties={"user": "postgres", "numPartitions": "4"})
    return {}


def upsert(frame: Any, table: str) -> dict[str, Any]:
    from transforms.jdbc_upsert import upsert as run

    summary = run(frame, table=table, primary_keys="id", url=PG_JDBC, user="postgres")
    return {"inserted": summary.inserted, "updated": summary.updated}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    from glueforge.session import get_spark
    from glueforge.settings import load_settings

    spark = get_spark(load_settings(warehouse=tempfile.mkdtemp(prefix="gf-upsert-bench-")))
    frame = batch(spark, args.rows)
    frame.count()  # the batch is computed once; every case writes the same cached rows
    warm = batch(spark, 2_000)
    for write in (append, upsert):  # first use of both paths, untimed
        table = fresh_table()
        write(warm, table)
        drop(table)

    cases = {
        "append": (append, 0),
        "upsert_all_new": (upsert, 0),
        "upsert_half_existing": (upsert, args.rows),
    }
    seconds: dict[str, list[float]] = {name: [] for name in cases}
    details: dict[str, Any] = {}
    for _ in range(args.repeat):
        for name, (write, filled) in cases.items():
            table = fresh_table(filled)
            try:
                started = time.perf_counter()
                details[name] = write(frame, table)
                seconds[name].append(round(time.perf_counter() - started, 2))
            finally:
                drop(table)
    medians = {name: statistics.median(values) for name, values in seconds.items()}
    result = {
        "rows": args.rows,
        "cpus": os.cpu_count(),
        "load_average": os.getloadavg(),
        "seconds": seconds,
        "median_seconds": medians,
        "rows_per_s": {name: round(args.rows / value) for name, value in medians.items()},
        "vs_append": {name: round(value / medians["append"], 2) for name, value in medians.items()},
        "last_summary": details,
    }
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
