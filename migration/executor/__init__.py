"""Run a migrated Glue Studio visual job (``CodeGenConfigurationNodes``) locally on PySpark.

One executor per node type (a registry filled by ``@node_executor("Type")`` in the modules of this
package); nodes run in topological order, each turning its input DataFrames into one output DataFrame.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from migration.executor.context import ExecutionContext, JobRunError

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

NodeExecutor = Callable[[ExecutionContext, str, dict[str, Any], list["DataFrame"]], "DataFrame | None"]
NODE_EXECUTORS: dict[str, NodeExecutor] = {}
_loaded = False


def node_executor(*kinds: str) -> Callable[[NodeExecutor], NodeExecutor]:
    def register(func: NodeExecutor) -> NodeExecutor:
        for kind in kinds:
            NODE_EXECUTORS[kind] = func
        return func

    return register


def load_executors() -> dict[str, NodeExecutor]:
    global _loaded
    if not _loaded:
        for module in pkgutil.iter_modules(__path__):
            if module.name not in ("context", "run"):
                importlib.import_module(f"{__name__}.{module.name}")
        _loaded = True
    return NODE_EXECUTORS


__all__ = ["NODE_EXECUTORS", "ExecutionContext", "JobRunError", "load_executors", "node_executor"]
