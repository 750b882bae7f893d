"""``make demo``: the main glueforge job on embedded defaults (local warehouse, SQLite / local databases, no AWS).

Each capability adds a stage module under ``pipelines/demo_stages/`` exposing ``TITLE`` and
``run(ctx: DemoContext) -> None``; ``STAGES`` lists them in order. A stage prints what it did and leaves
its tables in the warehouse so a user can query them afterwards with ``glueforge sql``.
"""

from __future__ import annotations

import importlib
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.panel import Panel

from glueforge.errors import UserError
from glueforge.settings import Settings, load_settings

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

STAGES: list[str] = [
    "pipelines.demo_stages.foundation",
    "pipelines.demo_stages.ingest",
    "pipelines.demo_stages.pii",
    "pipelines.demo_stages.dbt",
    "pipelines.demo_stages.quality",
    "pipelines.demo_stages.gdpr",
    "pipelines.demo_stages.migrate",
]


@dataclass
class DemoContext:
    settings: Settings
    spark: SparkSession
    workdir: Path
    console: Console
    results: dict[str, Any] = field(default_factory=dict)


def main(argv: list[str] | None = None) -> int:
    console = Console()
    settings = load_settings()
    workdir = Path("out/demo").resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    console.print(
        Panel.fit(
            f"glueforge demo\nwarehouse: {settings.resolved_warehouse()}\noutput:    {workdir}", style="bold cyan"
        )
    )
    from glueforge.session import get_spark

    started = time.perf_counter()
    with console.status("starting Spark + Iceberg"):
        spark = get_spark(settings)
    console.print(f"[green]Spark {spark.version} + Iceberg ready[/] in {time.perf_counter() - started:.1f}s")
    ctx = DemoContext(settings, spark, workdir, console)
    try:
        for module_name in STAGES:
            stage = importlib.import_module(module_name)
            console.rule(f"[bold]{stage.TITLE}")
            stage_started = time.perf_counter()
            stage.run(ctx)
            console.print(f"[dim]{stage.TITLE}: {time.perf_counter() - stage_started:.1f}s[/]")
    except UserError as exc:
        console.print(f"[red]error:[/] {exc}")
        return 2
    console.rule("[bold green]demo finished")
    console.print(f"total {time.perf_counter() - started:.1f}s. Query the results, e.g.:")
    console.print('  .venv/bin/glueforge sql "SHOW TABLES IN demo"')
    return 0


if __name__ == "__main__":
    sys.exit(main())
