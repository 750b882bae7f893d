"""Spark session start-up: glueforge's factory (Iceberg + JDBC drivers + quiet logs) vs a bare local SparkSession.

Each variant starts in a fresh Python process (a cold JVM), alternating, ``--runs`` times each; the ratio of
medians is what we track. glueforge runs with and without its JVM class archive (``class_data_sharing``; the
archive must have been built, e.g. by ``make setup``) and with and without lazy C2 compilation
(``lazy_c2_compilation``: the JIT's optimising tier at ten times its default thresholds). Also times a second
``get_spark`` call in the same process (should be ~0).

    .venv/bin/python -m bench.session_bench [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

BARE = """
import time; t = time.perf_counter()
from pyspark.sql import SparkSession
s = SparkSession.builder.master("local[2]").config("spark.ui.enabled", "false").getOrCreate()
s.range(1).count()
print(time.perf_counter() - t)
"""

GLUEFORGE = """
import time; t = time.perf_counter()
from glueforge.session import get_spark
from glueforge.settings import load_settings
settings = load_settings(warehouse={warehouse!r}, class_data_sharing={sharing!r}, lazy_c2_compilation={lazy!r})
s = get_spark(settings)
s.range(1).count()
first = time.perf_counter() - t
t = time.perf_counter(); get_spark(settings); second = time.perf_counter() - t
print(first, second)
"""


def timed(code: str) -> list[float]:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return [float(x) for x in out.split()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    bare, ours, unshared, eager, second = [], [], [], [], []
    with tempfile.TemporaryDirectory() as scratch:
        for run in range(args.runs):
            bare += timed(BARE)
            first, again = timed(GLUEFORGE.format(warehouse=str(Path(scratch) / f"wh{run}"), sharing=True, lazy=True))
            ours.append(first)
            second.append(again)
            unshared.append(
                timed(GLUEFORGE.format(warehouse=str(Path(scratch) / f"wh{run}-u"), sharing=False, lazy=True))[0]
            )
            eager.append(
                timed(GLUEFORGE.format(warehouse=str(Path(scratch) / f"wh{run}-e"), sharing=True, lazy=False))[0]
            )
    result = {
        "machine": f"{platform.machine()}, {__import__('os').cpu_count()} cores, Python {platform.python_version()}",
        "runs": args.runs,
        "bare_spark_start_s_median": round(statistics.median(bare), 2),
        "glueforge_start_s_median": round(statistics.median(ours), 2),
        "ratio_glueforge_vs_bare": round(statistics.median(ours) / statistics.median(bare), 2),
        "glueforge_without_class_archive_s_median": round(statistics.median(unshared), 2),
        "ratio_class_archive": round(statistics.median(ours) / statistics.median(unshared), 2),
        "glueforge_without_lazy_c2_s_median": round(statistics.median(eager), 2),
        "ratio_lazy_c2": round(statistics.median(ours) / statistics.median(eager), 2),
        "second_call_s_max": round(max(second), 4),
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
