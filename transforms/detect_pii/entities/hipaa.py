"""HIPAA / US health entities: MBI, NPI, DEA, HICN, HCPCS, CPT, ICD-10."""

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

H = frozenset({"hipaa", "united_states"})

USA_MEDICARE_BENEFICIARY_IDENTIFIER = EntityDef(
    name="USA_MEDICARE_BENEFICIARY_IDENTIFIER",
    categories=H,
    patterns=(
        Pattern(
            WORD_LEFT + r"[1-9][A-Za-z][A-Za-z0-9][0-9]-?[A-Za-z][A-Za-z0-9][0-9]-?[A-Za-z]{2}[0-9]{2}" + WORD_RIGHT
        ),
    ),
    validator=v.mbi_valid,
    context_words=frozenset({"mbi", "medicare", "beneficiary", "medicareid", "medicare_id"}),
    priority=85,
    description="Medicare Beneficiary Identifier: 11 positions, letters without S/L/O/I/B/Z",
)

USA_NATIONAL_PROVIDER_IDENTIFIER = EntityDef(
    name="USA_NATIONAL_PROVIDER_IDENTIFIER",
    categories=H,
    patterns=(Pattern(DIGITS_LEFT + r"[12][0-9]{9}" + DIGITS_RIGHT, context="majority"),),
    validator=v.npi_valid,
    context_words=frozenset({"npi", "provider", "prescriber", "physician", "providerid", "provider_id"}),
    veto_words=NUMERIC_DECOY_WORDS,
    priority=50,
    description="National Provider Identifier: 10 digits starting 1/2, Luhn over 80840 + NPI",
)

USA_DEA_NUMBER = EntityDef(
    name="USA_DEA_NUMBER",
    categories=H,
    patterns=(Pattern(WORD_LEFT + r"[A-Za-z][A-Za-z9][0-9]{7}" + WORD_RIGHT),),
    validator=v.dea_valid,
    context_words=frozenset({"dea", "registration", "prescriber"}),
    veto_words=frozenset({"sku", "product", "order", "part"}),
    priority=60,
    description="DEA registration number: registrant letter, letter/9, 7 digits with the DEA check digit",
)

USA_HEALTH_INSURANCE_CLAIM_NUMBER = EntityDef(
    name="USA_HEALTH_INSURANCE_CLAIM_NUMBER",
    categories=H,
    patterns=(Pattern(DIGITS_LEFT + r"[0-8][0-9]{2}-?[0-9]{2}-?[0-9]{4}[A-Za-z][A-Za-z0-9]?" + WORD_RIGHT),),
    validator=v.hicn_valid,
    context_words=frozenset({"hicn", "hic", "claim", "medicare", "claimnumber"}),
    priority=78,
    description="Medicare HICN: a valid SSN followed by a beneficiary identification code",
)

USA_HCPCS_CODE = EntityDef(
    name="USA_HCPCS_CODE",
    categories=H,
    patterns=(Pattern(WORD_LEFT + r"[A-Va-v][0-9]{4}" + WORD_RIGHT, context="required"),),
    validator=v.hcpcs_valid,
    context_words=frozenset({"hcpcs", "procedure", "procedurecode", "procedure_code", "supply"}),
    veto_words=NUMERIC_DECOY_WORDS,
    priority=20,
    description="HCPCS level II code (letter + 4 digits); needs context",
)

USA_CPT_CODE = EntityDef(
    name="USA_CPT_CODE",
    categories=H,
    patterns=(Pattern(DIGITS_LEFT + r"[0-9]{4}[0-9FTUftu]" + WORD_RIGHT, context="required"),),
    validator=v.cpt_valid,
    context_words=frozenset({"cpt", "cptcode", "cpt_code"}),
    veto_words=NUMERIC_DECOY_WORDS,
    priority=15,
    description="CPT code (5 characters); needs context",
)

ICD10_CODE = EntityDef(
    name="ICD10_CODE",
    categories=frozenset({"hipaa"}),
    patterns=(
        Pattern(WORD_LEFT + r"[A-TV-Za-tv-z][0-9][0-9A-Za-z](?:\.[0-9A-Za-z]{1,4})?" + WORD_RIGHT, context="required"),
    ),
    validator=v.icd10_valid,
    context_words=frozenset({"icd", "icd10", "diagnosis", "dx", "diag", "icd_10", "condition"}),
    veto_words=NUMERIC_DECOY_WORDS,
    priority=20,
    description="ICD-10-CM diagnosis code; needs context (glueforge extension)",
    glue_managed=False,
)

ENTITIES = (
    USA_MEDICARE_BENEFICIARY_IDENTIFIER,
    USA_NATIONAL_PROVIDER_IDENTIFIER,
    USA_DEA_NUMBER,
    USA_HEALTH_INSURANCE_CLAIM_NUMBER,
    USA_HCPCS_CODE,
    USA_CPT_CODE,
    ICD10_CODE,
)
