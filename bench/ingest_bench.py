"""Benchmark: incremental JDBC ingest vs a naive Spark JDBC read, on a PostgreSQL table (default 2M rows).

    .venv/bin/python -m bench.ingest_bench                 # 2,000,000 rows (the issue's size)
    .venv/bin/python -m bench.ingest_bench --rows 200000   # smaller, quicker

Every Spark case runs in its own subprocess with ``spark.driver.memory=512m`` (the naive read also once with
2g, so that it finishes and has a rate); wall time, work time (session start excluded) and the peak RSS of
the worker's process tree (Python + JVM, sampled from /proc) are recorded.
Cases: COPY TO STDOUT via psycopg (the database's raw export rate), naive read (1 partition, default fetch)
+ Iceberg write, our full load, our incremental run with 1% changed rows, our no-change run. Our three
cases run twice: **cold** (the case is the first work of a fresh JVM, as in a one-table Glue job) and
**warm** (the same process first ingests a separate 20,000-row table, full + incremental, untimed, as the
second and later tables of a many-table job do): in a fresh JVM the first use of each code path costs
seconds of class loading and JIT compilation, which would otherwise dominate the small runs. Each case also
reports the CPU seconds its work took by kind of thread (``cpu_seconds``: Python, the JIT compilers, GC, Spark
tasks, the rest of the JVM), which shows how much of a cold run the JIT compilers take from two cores.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from typing import Any

PG_DSN = "host=127.0.0.1 port=5432 dbname=test user=postgres"
PG_JDBC = "jdbc:postgresql://127.0.0.1:5432/test"
DRIVER_MEMORY = "512m"
NAIVE_FINISHING_MEMORY = "2g"  # glueforge's default driver memory: enough for the naive read to finish
WARMUP_TABLE = "gf_bench_ingest_warmup"


# --- source ---------------------------------------------------------------------------------------------------
def create_source(table: str, rows: int) -> None:
    import psycopg

    with psycopg.connect(PG_DSN, autocommit=True) as conn:
        conn.execute(f"DROP TABLE IF EXISTS {table}")
        conn.execute(
            f"""CREATE TABLE {table} (
                id bigint PRIMARY KEY, customer_id int, qty int, flag int,
                amount numeric(12,2), tax numeric(12,2),
                status text, note text, created_at timestamp, updated_at timestamptz)"""
        )
        conn.execute(
            f"""INSERT INTO {table}
                SELECT g, g % 5000, g % 7, g % 2, (g % 100000) / 100.0, (g % 1000) / 10.0,
                       (ARRAY['placed','shipped','delivered','cancelled'])[1 + g % 4],
                       md5(g::text), TIMESTAMP '2026-01-01' + g * interval '1 second',
                       TIMESTAMPTZ '2026-01-01 00:00:00+00' + g * interval '1 second'
                FROM generate_series(1, {rows}) g"""
        )
        conn.execute(f"CREATE INDEX ON {table} (updated_at)")
        conn.execute(f"ANALYZE {table}")


def create_warmup_source(table: str) -> None:
    """A small table with the same shape, for the warm cases' untimed warm-up ingest."""
    import psycopg

    with psycopg.connect(PG_DSN, autocommit=True) as conn:
        conn.execute(f"DROP TABLE IF EXISTS {WARMUP_TABLE}")
        conn.execute(f"CREATE TABLE {WARMUP_TABLE} (LIKE {table} INCLUDING ALL)")
        conn.execute(f"INSERT INTO {WARMUP_TABLE} SELECT * FROM {table} WHERE id <= 20000")


def ingest_table(spark: Any, table: str, target: str, upsert_strategy: str = "auto") -> Any:
    """One incremental batch of the bench's table shape (the run summary)."""
    from transforms.incremental_jdbc_ingest import ingest

    return ingest(
        spark,
        url=PG_JDBC,
        user="postgres",
        table=table,
        cursor_column="updated_at",
        primary_keys="id",
        target_table=target,
        upsert_strategy=upsert_strategy,
    ).summary


def warm_up(spark: Any, target: str) -> None:
    """Full load then a 1% incremental run of the warm-up table into its own target (untimed)."""
    import psycopg

    ingest_table(spark, WARMUP_TABLE, target)
    with psycopg.connect(PG_DSN, autocommit=True) as conn:
        conn.execute(
            f"UPDATE {WARMUP_TABLE} SET amount = amount + 1, updated_at = clock_timestamp() + interval '100 years' "
            "WHERE id % 100 = 0"
        )
    ingest_table(spark, WARMUP_TABLE, target)


def change_one_percent(table: str) -> int:
    import psycopg

    with psycopg.connect(PG_DSN, autocommit=True) as conn:
        cur = conn.execute(
            f"UPDATE {table} SET amount = amount + 1, updated_at = TIMESTAMPTZ '2027-01-01 00:00:00+00' + "
            f"id * interval '1 millisecond' WHERE id % 100 = 0"
        )
        return cur.rowcount


def copy_rate(table: str) -> dict[str, Any]:
    import psycopg

    started = time.perf_counter()
    size = 0
    with (
        psycopg.connect(PG_DSN) as conn,
        conn.cursor() as cur,
        cur.copy(f"COPY (SELECT * FROM {table}) TO STDOUT") as copy,
    ):
        for chunk in copy:
            size += len(chunk)
    return {"seconds": round(time.perf_counter() - started, 2), "bytes": size}


# --- workers (run in a subprocess each) -------------------------------------------------------------------------
def worker(
    case: str, table: str, warehouse: str, memory: str, target: str, warm: bool, upsert_strategy: str = "auto"
) -> dict[str, Any]:
    from glueforge.session import get_spark
    from glueforge.settings import load_settings

    started = time.perf_counter()
    spark = get_spark(load_settings(warehouse=warehouse, driver_memory=memory))
    session_seconds = time.perf_counter() - started
    result: dict[str, Any] = {}
    if warm:
        warm_started = time.perf_counter()
        warm_up(spark, f"bench.warmup_{os.getpid()}")
        result["warmup_seconds"] = round(time.perf_counter() - warm_started, 2)
    cpu_before = thread_cpu_seconds()
    work_started = time.perf_counter()
    if case == "naive":
        spark.sql("CREATE NAMESPACE IF NOT EXISTS bench")
        df = spark.read.jdbc(PG_JDBC, table, properties={"user": "postgres"})
        df.writeTo(target).using("iceberg").createOrReplace()
        result["rows"] = spark.table(target).count()
    else:
        summary = ingest_table(spark, table, target, upsert_strategy)
        result["rows"] = summary.rows_read
        result["summary"] = summary.as_dict()
    result["session_seconds"] = round(session_seconds, 2)
    result["work_seconds"] = round(time.perf_counter() - work_started, 2)
    cpu_after = thread_cpu_seconds()
    result["cpu_seconds"] = {k: round(v - cpu_before.get(k, 0.0), 2) for k, v in cpu_after.items()}
    return result


# What each kind of thread spent during the work, from /proc: in a fresh JVM the JIT compilers' share tells how
# much of a small run is first use (they compete with the run for this machine's two cores).
_THREAD_KINDS = (("C2 Compiler", "jit_c2"), ("C1 Compiler", "jit_c1"), ("GC ", "gc"), ("G1 ", "gc"))


def thread_cpu_seconds() -> dict[str, float]:
    """CPU seconds (user + system) so far of this process and of its JVM child's threads, by kind: ``python``,
    ``jit_c2``, ``jit_c1``, ``gc``, ``spark_tasks`` (executor task threads) and ``jvm_other`` (the driver's py4j
    threads and the rest of the JVM)."""
    tick = os.sysconf("SC_CLK_TCK")
    totals: dict[str, float] = {"python": _cpu_ticks(f"/proc/{os.getpid()}/stat") / tick}
    for jvm in _children_by_parent().get(os.getpid(), []):
        for task in os.listdir(f"/proc/{jvm}/task"):
            try:
                with open(f"/proc/{jvm}/task/{task}/comm") as handle:
                    name = handle.read().strip()
                ticks = _cpu_ticks(f"/proc/{jvm}/task/{task}/stat")
            except OSError:
                continue
            kind = next((k for prefix, k in _THREAD_KINDS if name.startswith(prefix)), None)
            kind = kind or ("spark_tasks" if name.startswith("Executor task") else "jvm_other")
            totals[kind] = totals.get(kind, 0.0) + ticks / tick
    return totals


def _cpu_ticks(stat_path: str) -> int:
    with open(stat_path) as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def _children_by_parent() -> dict[int, list[int]]:
    """Every process's children, from /proc (psutil is not installed)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                ppid = int(handle.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    return children


def _tree_rss_kib(root: int) -> int:
    """RSS of ``root`` and all its descendants (KiB), from /proc."""
    children = _children_by_parent()
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        stack.extend(children.get(pid, []))
        try:
            with open(f"/proc/{pid}/status") as handle:
                for line in handle:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except OSError:
            continue
    return total


def run_case(
    case: str,
    table: str,
    warehouse: str,
    timeout: int,
    *,
    target: str,
    memory: str = DRIVER_MEMORY,
    warm: bool = False,
    upsert_strategy: str = "auto",
) -> dict[str, Any]:
    started = time.perf_counter()
    command = [sys.executable, "-m", "bench.ingest_bench", "--worker", case, "--table", table]
    command += ["--warehouse", warehouse, "--memory", memory, "--target", target]
    command += ["--upsert-strategy", upsert_strategy]
    process = subprocess.Popen(
        [*command, "--warm"] if warm else command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss_kib(process.pid))
            done.wait(0.25)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        stdout, stderr = process.communicate()
        stderr += "\nTIMEOUT"
    done.set()
    sampler.join()
    outcome: dict[str, Any] = {
        "case": case,
        "driver_memory": memory,
        "warm": warm,
        "wall_seconds": round(time.perf_counter() - started, 2),
        "peak_rss_mib": round(peak / 1024),
        "exit_code": process.returncode,
    }
    lines = [line for line in stdout.strip().splitlines() if line.startswith("{")]
    if process.returncode == 0 and lines:
        outcome.update(json.loads(lines[-1]))
        outcome["ok"] = True
    else:
        outcome["ok"] = False
        oom = "OutOfMemoryError" in stderr or "Java heap space" in stderr or "GC overhead" in stderr
        outcome["failure"] = (
            "OutOfMemoryError (Java heap space)" if oom else (stderr.strip().splitlines() or ["?"])[-1][:300]
        )
    return outcome


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--table", default="gf_bench_ingest")
    parser.add_argument("--warehouse", default=None)
    parser.add_argument("--timeout", type=int, default=1800)
    parser.add_argument("--skip-naive", action="store_true")
    parser.add_argument("--worker", choices=["naive", "ours"], help=argparse.SUPPRESS)
    parser.add_argument("--memory", default=DRIVER_MEMORY, help=argparse.SUPPRESS)
    parser.add_argument("--target", default="bench.ours", help=argparse.SUPPRESS)
    parser.add_argument("--warm", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--upsert-strategy", default="auto", help=argparse.SUPPRESS)
    parser.add_argument("--skip-merge", action="store_true", help="skip the 1%% runs' MERGE baseline")
    args = parser.parse_args()
    if args.worker:
        outcome = worker(
            args.worker, args.table, args.warehouse, args.memory, args.target, args.warm, args.upsert_strategy
        )
        print(json.dumps(outcome))
        return 0

    warehouse = args.warehouse or tempfile.mkdtemp(prefix="gf-ingest-bench-")
    print(f"creating {args.rows:,} rows in PostgreSQL table {args.table} ...", flush=True)
    create_source(args.table, args.rows)
    create_warmup_source(args.table)
    results: dict[str, Any] = {"rows": args.rows, "driver_memory": DRIVER_MEMORY, "cpus": os.cpu_count()}
    results["load_average_start"] = os.getloadavg()
    results["copy"] = copy_rate(args.table)
    print("copy:", results["copy"], flush=True)

    def case(name: str, kind: str, **options: Any) -> None:
        results[name] = run_case(kind, args.table, warehouse, args.timeout, **options)
        print(f"{name}:", {k: v for k, v in results[name].items() if k != "summary"}, flush=True)

    if not args.skip_naive:
        case("naive", "naive", target="bench.naive")
        case("naive_2g", "naive", target="bench.naive_2g", memory=NAIVE_FINISHING_MEMORY)
    case("full", "ours", target="bench.ours")
    case("full_warm", "ours", target="bench.ours_warm", warm=True)
    if not args.skip_merge:  # the same full loads again, for the 1% runs' MERGE baseline (untimed here)
        case("full_for_merge", "ours", target="bench.ours_merge")
        case("full_for_merge_warm", "ours", target="bench.ours_merge_warm", warm=True)
    results["changed_rows"] = change_one_percent(args.table)
    case("incremental", "ours", target="bench.ours")
    case("incremental_warm", "ours", target="bench.ours_warm", warm=True)
    if not args.skip_merge:  # baseline: the same 1% batch through a SQL MERGE (session 2's write path)
        case("incremental_merge", "ours", target="bench.ours_merge", upsert_strategy="merge")
        case("incremental_merge_warm", "ours", target="bench.ours_merge_warm", warm=True, upsert_strategy="merge")
    case("no_change", "ours", target="bench.ours")
    case("no_change_warm", "ours", target="bench.ours_warm", warm=True)
    results["load_average_end"] = os.getloadavg()

    def rate(result: dict[str, Any]) -> float | None:
        return float(args.rows / result["work_seconds"]) if result.get("ok") else None

    copy_rows_per_s = args.rows / results["copy"]["seconds"]
    ratios: dict[str, Any] = {"copy_rows_per_s": round(copy_rows_per_s)}
    naive_rate = rate(results.get("naive_2g", {}))
    if naive_rate:
        ratios["naive_2g_rows_per_s"] = round(naive_rate)
    for suffix in ("", "_warm"):
        full = results[f"full{suffix}"]
        full_rate = rate(full)
        if not full_rate:
            continue
        ratios[f"full{suffix}_rows_per_s"] = round(full_rate)
        ratios[f"full{suffix}_vs_copy"] = round(full_rate / copy_rows_per_s, 3)
        if naive_rate:
            ratios[f"full{suffix}_vs_naive_2g"] = round(full_rate / naive_rate, 2)
        for name in ("incremental", "no_change"):
            if results[f"{name}{suffix}"].get("ok"):
                ratios[f"{name}{suffix}_vs_full_time"] = round(
                    results[f"{name}{suffix}"]["work_seconds"] / full["work_seconds"], 3
                )
    for suffix in ("", "_warm"):
        merged, upserted = results.get(f"incremental_merge{suffix}", {}), results[f"incremental{suffix}"]
        if merged.get("ok") and upserted.get("ok"):
            ratios[f"incremental{suffix}_vs_merge_time"] = round(upserted["work_seconds"] / merged["work_seconds"], 3)
    for name in ("naive", "naive_2g", "full", "incremental", "no_change", "full_warm", "incremental_warm"):
        if name in results:
            ratios[f"{name}_peak_rss_mib"] = results[name]["peak_rss_mib"]
    results["ratios"] = ratios
    drop_sources(args.table)
    print(json.dumps(results, indent=2, default=str))
    return 0


def drop_sources(table: str) -> None:
    import psycopg

    with psycopg.connect(PG_DSN, autocommit=True) as conn:
        conn.execute(f"DROP TABLE IF EXISTS {table}")
        conn.execute(f"DROP TABLE IF EXISTS {WARMUP_TABLE}")


if __name__ == "__main__":
    sys.exit(main())
