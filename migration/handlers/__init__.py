"""Step-type handlers, one module each: adding a step type is adding a file with ``@handler("TYPE")``."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable

from migration.handlers.base import Handler, StepContext, StepError, Upstream

HANDLERS: dict[str, Handler] = {}
_loaded = False


def handler(step_type: str) -> Callable[[Handler], Handler]:
    def register(func: Handler) -> Handler:
        HANDLERS[step_type] = func
        return func

    return register


def load_handlers() -> dict[str, Handler]:
    """Import every module of this package once, so their ``@handler`` registrations run."""
    global _loaded
    if not _loaded:
        for module in pkgutil.iter_modules(__path__):
            if module.name != "base":
                importlib.import_module(f"{__name__}.{module.name}")
        _loaded = True
    return HANDLERS


__all__ = ["HANDLERS", "StepContext", "StepError", "Upstream", "handler", "load_handlers"]
