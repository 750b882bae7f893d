"""Benchmark: `glueforge dbt build` (in-process, cold and warm) vs plain `dbt build` with the same profile, and an
incremental rebuild with 1 % new rows vs a full refresh on a 1,000,000-row `bronze.orders`.

    .venv/bin/python -m bench.dbt_bench                       # 1,000,000 orders (the issue's size)
    .venv/bin/python -m bench.dbt_bench --rows 100000         # quicker

Every case runs in its own subprocess (one Spark JVM at a time; the parent starts none):

1. prepare: sources in two fresh warehouses (demo customers + taxi trips; orders generated in Spark);
2. glueforge cold: `glueforge dbt build` in a new process on warehouse A (JVM start + first build);
3. glueforge warm: one process, `run_dbt("build")` twice on warehouse A; the second build is the warm one
   (session, catalog and dbt already loaded: the loop a developer or a test suite gets);
4. plain dbt cold and warm: `dbt build --profiles-dir dbt_project` twice on warehouse B (env from
   `glueforge dbt env`); each is a new process with its own JVM;
5. incremental vs full refresh (warehouse A, one process): append 1 % new orders, then
   `dbt run --select silver_orders_enriched+` (silver table rebuilt, gold merged) and, for gold alone,
   `dbt run --select gold_daily_revenue gold_customer_lifetime_value`; then the same with `--full-refresh`.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
GOLD = ["gold_daily_revenue", "gold_customer_lifetime_value"]


# --- workers (run in subprocesses) ----------------------------------------------------------------------------
def _orders_frame(spark: Any, first: int, count: int, customers: int, updated_base: str) -> Any:
    from pyspark.sql import functions as F

    ids = spark.range(first, first + count).withColumnRenamed("id", "order_id")
    ts = F.timestamp_seconds(F.lit(1767225600) + F.col("order_id") * 20)  # 2026-01-01 + 20 s per order
    return ids.select(
        "order_id",
        (F.col("order_id") % customers + 1).alias("customer_id"),
        ts.alias("order_ts"),
        F.element_at(
            F.array(*[F.lit(s) for s in ("placed", "shipped", "delivered", "cancelled")]),
            (F.col("order_id") % 4 + 1).cast("int"),
        ).alias("status"),
        ((F.col("order_id") % 50000) / 100).cast("decimal(10,2)").alias("amount"),
        F.greatest(ts, F.lit(updated_base).cast("timestamp")).alias("updated_at"),
    )


def worker_prepare(warehouse: str, rows: int) -> dict[str, Any]:
    from glueforge.lakehouse import write_table
    from glueforge.session import get_spark
    from glueforge.settings import load_settings
    from pipelines import demo_data
    from pipelines.dbt_sources import CUSTOMERS, ORDERS, masked_customers_frame
    from pipelines.taxi_data import write_trips

    spark = get_spark(load_settings(warehouse=Path(warehouse)))
    customers = 1000
    write_table(masked_customers_frame(spark, demo_data.customers(customers)), CUSTOMERS, "overwrite")
    write_table(_orders_frame(spark, 1, rows, customers, "2026-01-01"), ORDERS, "overwrite")
    write_trips(spark, 20_000, mode="overwrite")
    return {"orders": spark.table(ORDERS.sql).count()}


def _timed_dbt(command: str, args: list[str], warehouse: str, spark: Any) -> float:
    from glueforge.dbt_runner import run_dbt
    from glueforge.settings import load_settings

    started = time.perf_counter()
    run = run_dbt(command, ["--quiet", *args], settings=load_settings(warehouse=Path(warehouse)), spark=spark)
    elapsed = time.perf_counter() - started
    if not run.success:
        raise SystemExit(f"dbt {command} {args} failed: {run.error or [r.name for r in run.failed]}")
    return elapsed


def worker_warm(warehouse: str) -> dict[str, Any]:
    from glueforge.session import get_spark
    from glueforge.settings import load_settings

    started = time.perf_counter()
    spark = get_spark(load_settings(warehouse=Path(warehouse)))
    session = time.perf_counter() - started
    first = _timed_dbt("build", [], warehouse, spark)
    second = _timed_dbt("build", [], warehouse, spark)
    return {"session_start": session, "build_1_in_process": first, "build_2_warm": second}


def worker_incremental(warehouse: str, rows: int) -> dict[str, Any]:
    """Gold built before; one untimed warm-up run, then incremental and full-refresh runs alternate."""
    from glueforge.session import get_spark
    from glueforge.settings import load_settings
    from pipelines.dbt_sources import ORDERS

    spark = get_spark(load_settings(warehouse=Path(warehouse)))
    new_rows = max(1, rows // 100)
    chain = ["--select", "silver_orders_enriched+"]
    gold = ["--select", *GOLD]
    batch = iter(range(1, 100))

    def append_new_rows() -> None:  # 1 % new orders, on new days, updated after everything in gold
        index = next(batch)
        first = rows + (index - 1) * new_rows + 1
        _orders_frame(spark, first, new_rows, 1000, f"2027-01-{index:02d}").writeTo(ORDERS.sql).append()

    _timed_dbt("run", chain, warehouse, spark)  # warm-up: dbt parse, adapter, JIT (not timed)
    result: dict[str, Any] = {"new_rows": new_rows}
    append_new_rows()
    result["chain_incremental"] = _timed_dbt("run", chain, warehouse, spark)
    result["chain_full_refresh"] = _timed_dbt("run", ["--full-refresh", *chain], warehouse, spark)
    append_new_rows()
    _timed_dbt("run", ["--select", "silver_orders_enriched"], warehouse, spark)  # silver up to date, gold behind
    result["gold_incremental"] = _timed_dbt("run", gold, warehouse, spark)
    incremental = spark.sql("select * from gold.gold_daily_revenue").collect()
    result["gold_full_refresh"] = _timed_dbt("run", ["--full-refresh", *gold], warehouse, spark)
    full = spark.sql("select * from gold.gold_daily_revenue").collect()
    result["incremental_equals_full_refresh"] = sorted(map(tuple, incremental)) == sorted(map(tuple, full))
    return result


def worker_build(warehouse: str) -> dict[str, Any]:
    from glueforge.session import get_spark
    from glueforge.settings import load_settings

    spark = get_spark(load_settings(warehouse=Path(warehouse)))
    return {"build": _timed_dbt("build", [], warehouse, spark)}


WORKERS = {
    "prepare": worker_prepare,
    "warm": worker_warm,
    "incremental": worker_incremental,
    "build": worker_build,
}


# --- driver ---------------------------------------------------------------------------------------------------
def _subprocess(argv: list[str], env: dict[str, str] | None = None) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(
        argv, cwd=REPO, env={**os.environ, **(env or {})}, capture_output=True, text=True, check=False
    )
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({done.returncode}):\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return elapsed, done.stdout


def _worker(name: str, *args: str) -> dict[str, Any]:
    _, out = _subprocess([PYTHON, "-m", "bench.dbt_bench", "--worker", name, *args])
    return json.loads(out.strip().splitlines()[-1])


def run_incremental_only(rows: int) -> dict[str, Any]:
    root = Path(tempfile.mkdtemp(prefix="dbt-bench-"))
    try:
        warehouse = root / "warehouse"
        _worker("prepare", str(warehouse), str(rows))
        results: dict[str, Any] = {"rows": rows, **_worker("build", str(warehouse))}
        results |= {f"incremental_{k}": v for k, v in _worker("incremental", str(warehouse), str(rows)).items()}
        return results
    finally:
        shutil.rmtree(root, ignore_errors=True)


def run(rows: int) -> dict[str, Any]:
    root = Path(tempfile.mkdtemp(prefix="dbt-bench-"))
    try:
        return _run_all(root, rows)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _run_all(root: Path, rows: int) -> dict[str, Any]:
    wh_a, wh_b = root / "a" / "warehouse", root / "b" / "warehouse"
    results: dict[str, Any] = {"rows": rows}
    for warehouse in (wh_a, wh_b):
        _worker("prepare", str(warehouse), str(rows))
    glueforge = [str(REPO / ".venv" / "bin" / "glueforge"), "dbt", "build", "--warehouse", str(wh_a), "--quiet"]
    results["glueforge_cold"] = _subprocess(glueforge)[0]
    results |= {f"glueforge_{k}": v for k, v in _worker("warm", str(wh_a)).items()}

    env = {
        "GLUEFORGE_WAREHOUSE": str(wh_b.resolve()),
        "GLUEFORGE_ICEBERG_JAR": json.loads(_subprocess([PYTHON, "-c", _JAR])[1]),
    }
    plain = [
        str(REPO / ".venv" / "bin" / "dbt"),
        "build",
        "--quiet",
        "--project-dir",
        "dbt_project",
        "--profiles-dir",
        "dbt_project",
        "--target-path",
        str(root / "b" / "target"),
        "--log-path",
        str(root / "b" / "logs"),
    ]
    results["plain_dbt_cold"] = _subprocess(plain, env)[0]
    results["plain_dbt_warm"] = _subprocess(plain, env)[0]
    results |= {f"incremental_{k}": v for k, v in _worker("incremental", str(wh_a), str(rows)).items()}
    return results


_JAR = "import json; from glueforge.jars import bundled_iceberg_jar; print(json.dumps(str(bundled_iceberg_jar())))"


def render(results: dict[str, Any]) -> str:
    r = results
    lines = [
        f"rows in bronze.orders: {r['rows']:,}",
        f"glueforge dbt build, cold (new process, first build): {r['glueforge_cold']:.1f} s",
        f"plain dbt build, cold (new process, first build):     {r['plain_dbt_cold']:.1f} s "
        f"(ratio plain/glueforge {r['plain_dbt_cold'] / r['glueforge_cold']:.2f})",
        f"plain dbt build, tables exist (new process again):    {r['plain_dbt_warm']:.1f} s",
        f"glueforge in-process: session start {r['glueforge_session_start']:.1f} s, build #1 "
        f"{r['glueforge_build_1_in_process']:.1f} s, warm build #2 {r['glueforge_build_2_warm']:.1f} s "
        f"(plain dbt with tables / glueforge warm = {r['plain_dbt_warm'] / r['glueforge_build_2_warm']:.2f}x)",
        f"1 % new rows ({r['incremental_new_rows']:,}): silver+gold incremental "
        f"{r['incremental_chain_incremental']:.1f} s"
        f" vs full refresh {r['incremental_chain_full_refresh']:.1f} s "
        f"(speed-up {r['incremental_chain_full_refresh'] / r['incremental_chain_incremental']:.2f}x)",
        f"gold only: incremental merge {r['incremental_gold_incremental']:.1f} s vs full refresh "
        f"{r['incremental_gold_full_refresh']:.1f} s "
        f"(speed-up {r['incremental_gold_full_refresh'] / r['incremental_gold_incremental']:.2f}x)",
        f"incremental result equals full refresh: {r['incremental_incremental_equals_full_refresh']}",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--cases", choices=["all", "incremental"], default="all")
    parser.add_argument("--worker", choices=sorted(WORKERS))
    parser.add_argument("args", nargs="*")
    options = parser.parse_args()
    if options.worker:
        func = WORKERS[options.worker]
        values = [int(a) if a.isdigit() else a for a in options.args]
        print(json.dumps(func(*values)))  # type: ignore[operator]
        return
    if options.cases == "incremental":
        print(json.dumps(run_incremental_only(options.rows), indent=2))
        return
    results = run(options.rows)
    print(json.dumps(results, indent=2))
    print(render(results))


if __name__ == "__main__":
    main()
