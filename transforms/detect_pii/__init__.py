"""``detect_pii``: find PII with regex + validators + column-name context, then report or mask it.

``apply(df, **params)`` takes exactly the parameters of ``detect_pii.json`` (camelCase, as Glue names them).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pyspark.sql import DataFrame


def apply(df: DataFrame, **params: Any) -> DataFrame:
    """Detect (and mask, per ``action``) PII in ``df``; see ``options.PiiOptions`` for the parameters."""
    from transforms.detect_pii.pipeline import masked_frame

    return masked_frame(df, **params)
