"""``getResolvedOptions`` with Glue's semantics: ``--NAME value`` pairs from ``sys.argv``.

As on Glue: every requested option is required, unknown arguments are ignored, values are strings, and
reserved Glue arguments (bookmark, run id, ``TempDir``) are recognised. Abbreviated options are rejected
(Glue 6 behaviour). A missing option raises ``GlueArgumentError`` naming it.
"""

from __future__ import annotations

import argparse
from typing import Any

from awsglue.job import Job

__all__ = ["GlueArgumentError", "GlueArgumentParser", "getResolvedOptions"]


class GlueArgumentError(Exception):
    """A job argument is missing or invalid."""


class GlueArgumentParser(argparse.ArgumentParser):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(allow_abbrev=False, add_help=False, **kwargs)

    def error(self, message: str) -> Any:  # argparse would print and exit; Glue raises
        raise GlueArgumentError(message)


def _reserved(option: str, options: list[str]) -> None:
    if option.lstrip("-") in options:
        raise RuntimeError(f"Using reserved arguments {option}")


def getResolvedOptions(args: list[str], options: list[str]) -> dict[str, Any]:
    parser = GlueArgumentParser()
    bookmark, *bookmark_choices = Job.job_bookmark_options()
    continuation, *continuation_choices = Job.continuation_options()
    _reserved(continuation, options)
    _reserved(bookmark, options)
    parser.add_argument(bookmark, choices=bookmark_choices, required=False)
    parser.add_argument(continuation, choices=continuation_choices, required=False)
    for option in Job.job_bookmark_range_options():
        _reserved(option, options)
        parser.add_argument(option, required=False)
    for option in Job.id_params()[1:]:
        _reserved(option, options)
        parser.add_argument(option, required=False)
    encryption, *encryption_choices = Job.encryption_type_options()
    _reserved(encryption, options)
    parser.add_argument(encryption, choices=encryption_choices)
    options = [opt for opt in options if opt not in {"RedshiftTempDir", "TempDir"}]
    parser.add_argument("--RedshiftTempDir", required=False)
    parser.add_argument("--TempDir", required=False)
    for option in options:
        parser.add_argument("--" + option, required=True)

    parsed, _extra = parser.parse_known_args(list(args[1:]))
    resolved = vars(parsed)
    if resolved.get("TempDir") is not None:
        resolved["RedshiftTempDir"] = resolved["TempDir"]
    elif resolved.get("RedshiftTempDir") is not None:
        resolved["TempDir"] = resolved["RedshiftTempDir"]
    continuation_value = resolved.pop("continuation_option", None)
    if resolved.get("job_bookmark_option") is None:
        if continuation_value is None:
            resolved["job_bookmark_option"] = "job-bookmark-disable"
        else:
            index = Job.continuation_options().index(continuation_value)
            resolved["job_bookmark_option"] = Job.job_bookmark_options()[index]
    return resolved
