"""The seed's custom SQL template: ``... WHERE updated_at >= {lastmdfdtmst}``, bound safely.

The seed pasted the stored timestamp into the SQL with ``str.format``. Here the only placeholder allowed is
``{lastmdfdtmst}``; it is replaced by a typed literal from the dialect (quotes around the placeholder, as in
``'{lastmdfdtmst}'``, are absorbed), so stored state can never change the statement.
"""

from __future__ import annotations

import re
import string

from glueforge.errors import InputError
from transforms.incremental_jdbc_ingest.dialects import Dialect
from transforms.incremental_jdbc_ingest.window import CursorValue

PLACEHOLDER = "lastmdfdtmst"
_QUOTED_OR_BARE = re.compile(r"'\{" + PLACEHOLDER + r"\}'|\{" + PLACEHOLDER + r"\}")
# Read-only: one SELECT (or WITH ... SELECT); no statement separators, no comments hiding extra statements.
_FORBIDDEN = re.compile(r";|--|/\*|\*/")


def check_template(template: str) -> None:
    """Only ``{lastmdfdtmst}`` placeholders, balanced braces, a single SELECT statement."""
    where = "query"
    if not template or not template.strip():
        raise InputError("the custom SQL is empty", where=where)
    if not re.match(r"^\s*(select|with)\b", template, re.IGNORECASE):
        raise InputError("the custom SQL must be one SELECT (or WITH ... SELECT) statement", where=where)
    if _FORBIDDEN.search(template):
        raise InputError("the custom SQL must not contain ';' or comments (one statement only)", where=where)
    try:
        fields = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise InputError(f"malformed template: {exc} (write literal braces as {{{{ and }}}})", where=where) from None
    for _, field, spec, conversion in fields:
        if field is None:
            continue
        if field != PLACEHOLDER or spec or conversion:
            raise InputError(
                f"unknown placeholder {{{field}{'!' + conversion if conversion else ''}{':' + spec if spec else ''}}}; "
                f"only {{{PLACEHOLDER}}} is allowed",
                where=where,
            )


def uses_placeholder(template: str) -> bool:
    return _QUOTED_OR_BARE.search(template) is not None


def bind_template(template: str, lower: CursorValue | None, dialect: Dialect, floor: CursorValue) -> str:
    """The SQL with ``{lastmdfdtmst}`` as a typed literal of ``lower`` (``floor`` when there is no state yet)."""
    check_template(template)
    literal = dialect.literal(lower if lower is not None else floor)
    bound = _QUOTED_OR_BARE.sub(lambda _: literal, template)
    return bound.replace("{{", "{").replace("}}", "}")
