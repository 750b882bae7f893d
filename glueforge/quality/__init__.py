"""Data quality: typed rules, YAML suites, DQDL, validated with great-expectations 1.x (imported lazily)."""

from glueforge.quality.engine import RuleOutcome, ValidationReport, validate_dataframe
from glueforge.quality.rules import Rule, parse_rule, parse_rules

__all__ = ["Rule", "RuleOutcome", "ValidationReport", "parse_rule", "parse_rules", "validate_dataframe"]
