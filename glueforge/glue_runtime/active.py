"""The settings the local ``awsglue`` runtime uses when a script builds ``GlueContext(sc)`` with no arguments.

On Glue the context needs nothing but the SparkContext; locally it also needs the data root and the
warehouse. The runner (or a test) activates settings for the duration of a run; otherwise the settings come
from ``load_settings()`` (config file and ``GLUEFORGE_*`` variables).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from glueforge.settings import Settings, load_settings

_active: Settings | None = None


def active_settings() -> Settings:
    """The activated settings, else settings loaded from config/environment (then kept)."""
    global _active
    if _active is None:
        _active = load_settings()
    return _active


def is_activated() -> bool:
    return _active is not None


@contextmanager
def activated(settings: Settings) -> Iterator[Settings]:
    """Make ``settings`` the runtime's settings inside the block, restoring the previous ones after."""
    global _active
    previous = _active
    _active = settings
    try:
        yield settings
    finally:
        _active = previous
