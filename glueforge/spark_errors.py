"""The one place where Spark/JVM errors caused by user input are recognised and turned into user errors."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from glueforge.errors import InputError, NotFoundError

_NOT_FOUND_MARKERS = ("TABLE_OR_VIEW_NOT_FOUND", "SCHEMA_NOT_FOUND", "NoSuchTableException", "NoSuchNamespace")


def first_line(message: str) -> str:
    return message.strip().splitlines()[0] if message.strip() else message


@contextmanager
def user_errors(where: str) -> Iterator[None]:
    """Re-raise analysis/parse errors (bad SQL, unknown tables or columns) as one-line user errors."""
    from pyspark.errors import AnalysisException, ParseException

    try:
        yield
    except ParseException as exc:
        raise InputError(f"SQL does not parse: {first_line(str(exc))}", where=where) from None
    except AnalysisException as exc:
        message = first_line(str(exc))
        error = NotFoundError if any(m in str(exc) for m in _NOT_FOUND_MARKERS) else InputError
        raise error(message, where=where) from None
