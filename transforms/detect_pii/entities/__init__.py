"""Registry of entity definitions by Glue entity type name, grouped in categories."""

from __future__ import annotations

from glueforge.errors import ConfigError
from transforms.detect_pii.entities import hipaa, networking, united_states, universal
from transforms.detect_pii.entities.base import CATEGORIES, EntityDef, Pattern, context_verdict, name_tokens
from transforms.detect_pii.entities.custom import custom_entity

REGISTRY: dict[str, EntityDef] = {
    entity.name: entity for module in (universal, networking, united_states, hipaa) for entity in module.ENTITIES
}
# Names people type that mean a registry entity (Presidio's names, the botocore doc typo).
ALIASES: dict[str, str] = {
    "EMAIL_ADDRESS": "EMAIL",
    "USA_SNN": "USA_SSN",
    "US_SSN": "USA_SSN",
    "US_ITIN": "USA_ITIN",
    "IBAN": "BANK_ACCOUNT",
    "IBAN_CODE": "BANK_ACCOUNT",
    "US_BANK_NUMBER": "BANK_ACCOUNT",
    "ABA_ROUTING_NUMBER": "USA_ABA_ROUTING_NUMBER",
    "US_PASSPORT": "USA_PASSPORT_NUMBER",
    "US_DRIVER_LICENSE": "USA_DRIVING_LICENSE",
    "US_NPI": "USA_NATIONAL_PROVIDER_IDENTIFIER",
    "US_MBI": "USA_MEDICARE_BENEFICIARY_IDENTIFIER",
    "PERSON": "PERSON_NAME",
    "DATE_OF_BIRTH": "DATE",
    "STREET_ADDRESS": "ADDRESS",
    "COORDINATES": "GPS_COORDINATES",
    "GPS": "GPS_COORDINATES",
    "ICD10": "ICD10_CODE",
    "USA_ICD10_CODE": "ICD10_CODE",
}


def by_category(category: str) -> list[EntityDef]:
    return [e for e in REGISTRY.values() if category in e.categories]


def resolve(names: list[str], custom: list[EntityDef] | None = None) -> list[EntityDef]:
    """Entity names and/or category names -> entity definitions (all built-ins when ``names`` is empty)."""
    custom = custom or []
    custom_by_name = {e.name: e for e in custom}
    if not names:
        return [*REGISTRY.values(), *custom]
    chosen: dict[str, EntityDef] = {}
    for raw in names:
        key = raw.strip().upper().replace(" ", "_").replace("-", "_")
        key = ALIASES.get(key, key)
        if key.lower() in CATEGORIES:
            members = by_category(key.lower()) + ([*custom] if key.lower() == "custom" else [])
            chosen.update({e.name: e for e in members})
        elif key in custom_by_name:
            chosen[key] = custom_by_name[key]
        elif key in REGISTRY:
            chosen[key] = REGISTRY[key]
        else:
            known = ", ".join(sorted(REGISTRY)) + "; categories: " + ", ".join(c.upper() for c in CATEGORIES)
            raise ConfigError(f"unknown entity type {raw!r} (known: {known})", where="entityTypesToDetect")
    for entity in custom:  # custom entities always run when defined
        chosen.setdefault(entity.name, entity)
    return list(chosen.values())


__all__ = [
    "REGISTRY",
    "EntityDef",
    "Pattern",
    "by_category",
    "context_verdict",
    "custom_entity",
    "name_tokens",
    "resolve",
]
