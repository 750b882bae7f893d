"""One exception hierarchy for glueforge.

User errors (bad config, bad metadata, bad input data, unreachable services) carry *what* is wrong and
*where*; the CLI prints them as one line and exits with code 2. Anything else is a bug and keeps its
traceback.
"""

from __future__ import annotations


class GlueforgeError(Exception):
    """Root of every error glueforge raises on purpose."""

    def __init__(self, message: str, *, where: str | None = None) -> None:
        self.message = message
        self.where = where
        super().__init__(f"{where}: {message}" if where else message)


class UserError(GlueforgeError):
    """Something the user can fix: config, input, environment. Printed without a traceback."""

    exit_code = 2


class ConfigError(UserError):
    """A setting or config file is missing or invalid."""


class InputError(UserError):
    """Input data, arguments or metadata are malformed."""


class NotFoundError(UserError):
    """A table, column, file or object the user named does not exist."""


class EnvironmentProblem(UserError):
    """The machine lacks something glueforge needs (Java, a jar, a driver, a reachable database)."""


class SourceError(UserError):
    """A source system (database, file store) refused or failed a request."""


class ConcurrentRunError(UserError):
    """Another run holds the target; retry after it has finished."""


class TransformSpecError(UserError):
    """A custom visual transform's JSON config or Python entry breaks the Glue rules."""
