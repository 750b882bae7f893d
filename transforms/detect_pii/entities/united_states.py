"""United States entities: USA_SSN, USA_ITIN, USA_PASSPORT_NUMBER, USA_DRIVING_LICENSE, ABA routing."""

from __future__ import annotations

from transforms.detect_pii import validators as v
from transforms.detect_pii.entities.base import (
    DIGITS_LEFT,
    DIGITS_RIGHT,
    NUMERIC_DECOY_WORDS,
    WORD_LEFT,
    WORD_RIGHT,
    EntityDef,
    Pattern,
)

US = frozenset({"united_states"})

USA_SSN = EntityDef(
    name="USA_SSN",
    categories=US,
    patterns=(
        Pattern(DIGITS_LEFT + r"[0-8][0-9]{2}-[0-9]{2}-[0-9]{4}" + DIGITS_RIGHT),
        Pattern(DIGITS_LEFT + r"[0-8][0-9]{2} [0-9]{2} [0-9]{4}" + DIGITS_RIGHT, context="required"),
        Pattern(DIGITS_LEFT + r"[0-8][0-9]{8}" + DIGITS_RIGHT, context="required"),
    ),
    validator=v.ssn_valid,
    context_words=frozenset(
        {"ssn", "social", "socialsecurity", "social_security", "ssnumber", "ss_number", "sin", "taxid", "tax_id"}
    ),
    veto_words=NUMERIC_DECOY_WORDS,
    column_rule=v.ssn_column_support,
    priority=75,
    description="US Social Security Number: area not 000/666/9xx, group not 00, serial not 0000",
)

USA_ITIN = EntityDef(
    name="USA_ITIN",
    categories=US,
    patterns=(
        Pattern(DIGITS_LEFT + r"9[0-9]{2}-[5-9][0-9]-[0-9]{4}" + DIGITS_RIGHT),
        Pattern(DIGITS_LEFT + r"9[0-9]{2}[5-9][0-9]{5}" + DIGITS_RIGHT, context="required"),
    ),
    validator=v.itin_valid,
    context_words=frozenset({"itin", "taxpayer", "tin", "tax", "taxid", "tax_id"}),
    veto_words=NUMERIC_DECOY_WORDS,
    priority=76,
    description="US Individual Taxpayer Identification Number: 9xx, group 50-65/70-88/90-92/94-99",
)

USA_PASSPORT_NUMBER = EntityDef(
    name="USA_PASSPORT_NUMBER",
    categories=US,
    patterns=(Pattern(WORD_LEFT + r"(?:[A-Za-z][0-9]{8}|[0-9]{9})" + DIGITS_RIGHT, context="required"),),
    validator=v.passport_us_valid,
    context_words=frozenset({"passport", "passportnumber", "passport_no", "ppn", "passport_number"}),
    veto_words=NUMERIC_DECOY_WORDS,
    column_rule=v.passport_column_support,
    priority=40,
    description="US passport number (9 digits or letter + 8 digits); no check digit: needs context, or a column "
    "of passport-shaped values in which the letter form appears",
)

USA_DRIVING_LICENSE = EntityDef(
    name="USA_DRIVING_LICENSE",
    categories=frozenset({"united_states", "hipaa"}),
    patterns=(Pattern(WORD_LEFT + r"[A-Za-z0-9]{1,3}[-*]?[0-9][0-9A-Za-z*-]{3,15}" + WORD_RIGHT, context="required"),),
    validator=v.driving_license_valid,
    context_words=frozenset(
        {
            "license",
            "licence",
            "dl",
            "dln",
            "driver",
            "driving",
            "driverlicense",
            "driverslicense",
            "drivers",
            "driver_license",
            "licensenumber",
        }
    ),
    veto_words=NUMERIC_DECOY_WORDS | {"plate", "business", "software", "product"},
    priority=30,
    description="US driver's license (state formats vary: 5-16 alphanumerics, >= 4 digits); needs context",
)

USA_ABA_ROUTING_NUMBER = EntityDef(
    name="USA_ABA_ROUTING_NUMBER",
    categories=US,
    patterns=(Pattern(DIGITS_LEFT + r"[0-37-8][0-9]{8}" + DIGITS_RIGHT, context="majority"),),
    validator=v.aba_routing_valid,
    context_words=frozenset({"routing", "aba", "rtn", "transit", "routingnumber", "routing_number", "bank"}),
    veto_words=NUMERIC_DECOY_WORDS,
    priority=45,
    description="ABA routing transit number: Fed district prefix + 3-7-1 checksum (glueforge extension)",
    glue_managed=False,
)

ENTITIES = (USA_SSN, USA_ITIN, USA_PASSPORT_NUMBER, USA_DRIVING_LICENSE, USA_ABA_ROUTING_NUMBER)
