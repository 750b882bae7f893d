"""Options shared by several commands."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])


def warehouse_option(func: F) -> F:
    """``--warehouse DIR`` (default: settings, i.e. ``GLUEFORGE_WAREHOUSE`` or ``./warehouse``)."""
    return click.option(
        "--warehouse",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="Local Iceberg warehouse directory [default: $GLUEFORGE_WAREHOUSE or ./warehouse].",
    )(func)
