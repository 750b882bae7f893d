"""A local, ``awsglue``-compatible runtime so unmodified Glue scripts and custom visual transforms run on PySpark.

The local ``awsglue`` package lives in ``_local/`` and is *not* a top-level package of the wheel, so it can
never shadow the real module on Glue. ``install_local_awsglue()`` puts it on ``sys.path`` only when no real
``awsglue`` is importable; ``run-script``, the transforms' local entry points and the test fixtures call it.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

LOCAL_ROOT = Path(__file__).resolve().parent / "_local"


def install_local_awsglue() -> bool:
    """Make ``import awsglue`` work; returns True if the local runtime is (now) the one in use."""
    spec = importlib.util.find_spec("awsglue")
    if spec is not None:
        return str(LOCAL_ROOT) in str(spec.origin or "") or any(
            str(LOCAL_ROOT) in str(p) for p in (spec.submodule_search_locations or [])
        )
    sys.path.insert(0, str(LOCAL_ROOT))
    importlib.invalidate_caches()
    return True
