"""User-defined entities: name + regex + optional context words (Glue ``CreateCustomEntityType``)."""

from __future__ import annotations

import re

from glueforge.errors import ConfigError
from transforms.detect_pii import validators as v
from transforms.detect_pii.entities.base import HARD_VETO_WORDS, EntityDef, Pattern

_NAME = re.compile(r"^[A-Z][A-Z0-9_]{0,254}$")
_FORBIDDEN = re.compile(r"\\[1-9]|\(\?P?<[A-Za-z]|\(\?P=")  # backreferences, named groups: not portable Java<->Python


def custom_entity(name: str, regex: str, context_words: list[str] | None = None) -> EntityDef:
    """A custom entity; like Glue, context words (when given) are a hard gate: column name or text nearby."""
    where = f"customEntities[{name}]"
    if not _NAME.match(name):
        raise ConfigError("name must be upper-case letters, digits and _ (max 255)", where=where)
    if not 1 <= len(regex) <= 255:
        raise ConfigError("regex must be 1..255 characters (Glue's limit)", where=where)
    if _FORBIDDEN.search(regex):
        raise ConfigError("regex must not use backreferences or named groups (it also runs in the JVM)", where=where)
    try:
        re.compile(regex)
    except re.error as exc:
        raise ConfigError(f"regex does not compile: {exc}", where=where) from None
    words = [w.strip().lower() for w in (context_words or []) if w.strip()]
    if len(words) > 20:
        raise ConfigError("at most 20 context words (Glue's limit)", where=where)
    return EntityDef(
        name=name,
        categories=frozenset({"custom"}),
        patterns=(Pattern(regex, context="required" if words else "none"),),
        validator=v.always_valid,
        context_words=frozenset(words),
        hard_veto_words=HARD_VETO_WORDS,
        priority=35,
        description=f"custom entity /{regex}/",
        glue_managed=False,
    )
