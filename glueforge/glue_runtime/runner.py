"""Run an unmodified Glue job script locally: local awsglue, glueforge's Spark session, Glue-style ``sys.argv``."""

from __future__ import annotations

import contextlib
import re
import runpy
import sys
import traceback
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import Any

from glueforge.errors import GlueforgeError, InputError, NotFoundError
from glueforge.glue_runtime import install_local_awsglue
from glueforge.glue_runtime.active import activated
from glueforge.glue_runtime.paths import is_s3_uri, to_local_path
from glueforge.settings import Settings


class ScriptFailed(GlueforgeError):
    """The job script raised: one line with the script location; the traceback is kept for ``--verbose``."""

    exit_code = 1

    def __init__(self, message: str, *, where: str | None = None, details: str = "") -> None:
        super().__init__(message, where=where)
        self.details = details


def job_argv(script: Path, args: list[str]) -> list[str]:
    """``[script, *args]`` plus ``--JOB_NAME <stem>`` when absent (Glue always passes it)."""
    argv = [str(script), *args]
    if "--JOB_NAME" not in args and not any(a.startswith("--JOB_NAME=") for a in args):
        argv += ["--JOB_NAME", script.stem]
    return argv


def _extra_py_files(args: list[str], data_root: Path) -> list[str]:
    """Local paths for Glue's ``--extra-py-files a.py,s3://b/lib.zip`` (added to ``sys.path`` like on Glue)."""
    if "--extra-py-files" not in args:
        return []
    index = args.index("--extra-py-files")
    if index + 1 >= len(args):
        return []
    entries = [e.strip() for e in args[index + 1].split(",") if e.strip()]
    resolved = []
    for entry in entries:
        path = to_local_path(entry, data_root) if is_s3_uri(entry) else Path(entry)
        resolved.append(str(path.parent if path.suffix == ".py" else path))
    return resolved


@contextlib.contextmanager
def _shared_spark_context() -> Iterator[None]:
    """Make ``SparkContext()`` in the script return the running context (Glue scripts often call it directly)."""
    import pyspark
    import pyspark.context

    original = pyspark.context.SparkContext

    class SharedSparkContext(original):  # type: ignore[misc, valid-type]
        def __new__(cls, *args: object, **kwargs: object) -> Any:
            return original.getOrCreate()

    pyspark.context.SparkContext = SharedSparkContext  # type: ignore[misc]
    pyspark.SparkContext = SharedSparkContext  # type: ignore[misc]
    try:
        yield
    finally:
        pyspark.context.SparkContext = original  # type: ignore[misc]
        pyspark.SparkContext = original  # type: ignore[misc]
        if "_active_spark_context" in SharedSparkContext.__dict__:  # the script stopped the context
            original._active_spark_context = SharedSparkContext.__dict__["_active_spark_context"]


def _script_frame(tb: TracebackType | None, script: Path) -> str:
    """``script.py:LINE`` of the deepest frame inside the script (where the user should look)."""
    line = None
    for frame in traceback.extract_tb(tb):
        if Path(frame.filename).resolve() == script:
            line = frame.lineno
    return f"{script}:{line}" if line else str(script)


_PYTHON_ERROR_LINE = re.compile(r"^\s*([A-Za-z_][\w.]*(Error|Exception)): (.*)$")


def _summary(exc: BaseException) -> str:
    """``Type: message`` in one line; for errors raised in Spark's Python workers, the worker's own error line."""
    text = str(exc).strip()
    worker_lines = [m for m in (_PYTHON_ERROR_LINE.match(line) for line in text.splitlines()) if m]
    if worker_lines and type(exc).__name__ == "PythonException":
        return f"{worker_lines[-1].group(1)}: {worker_lines[-1].group(3)} (in a Spark Python worker)"
    first = text.splitlines()[0] if text else ""
    return f"{type(exc).__name__}: {first}" if first else type(exc).__name__


def _missing_argument(exc: BaseException) -> bool:
    return type(exc).__name__ == "GlueArgumentError"


def run_script(script: Path, args: list[str], *, settings: Settings) -> None:
    """Run ``script`` as ``__main__`` with Glue-style arguments; raises ``ScriptFailed`` or a ``UserError``."""
    script = Path(script).expanduser().resolve()
    if not script.is_file():
        raise NotFoundError(f"script {script} does not exist", where="run-script")
    install_local_awsglue()
    from glueforge.session import get_spark

    get_spark(settings)  # before the script: SparkContext.getOrCreate() in it returns this configured context
    saved_argv, saved_path = sys.argv[:], sys.path[:]
    sys.argv = job_argv(script, list(args))
    sys.path[:0] = [str(script.parent), *_extra_py_files(list(args), settings.resolved_data_root())]
    try:
        with activated(settings), _shared_spark_context():
            runpy.run_path(str(script), run_name="__main__")
    except SystemExit as exc:
        if exc.code not in (None, 0):
            raise ScriptFailed(f"script exited with status {exc.code}", where=str(script)) from None
    except GlueforgeError as exc:  # the runtime's own user errors: add where in the script it happened
        where = _script_frame(exc.__traceback__, script)
        raise type(exc)(str(exc), where=where) from None
    except Exception as exc:
        where = _script_frame(exc.__traceback__, script)
        if _missing_argument(exc):
            raise InputError(f"job argument problem: {exc} (pass them as --NAME value)", where=where) from None
        details = "".join(traceback.format_exception(exc))
        raise ScriptFailed(_summary(exc), where=where, details=details) from None
    finally:
        sys.argv = saved_argv
        sys.path[:] = saved_path
