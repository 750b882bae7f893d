"""Parameter parsing (Glue passes strings), action resolution, Python maskers, HMAC keys, reports."""

import io
import json

import pytest
from botocore.stub import Stubber

from glueforge.errors import ConfigError, SourceError
from transforms.detect_pii.actions import ActionPlan, hmac_hex, load_hmac_key, mask_value, partial_redact
from transforms.detect_pii.detect import ColumnScan
from transforms.detect_pii.options import ActionOptions, parse_options
from transforms.detect_pii.report import build_report
from transforms.detect_pii.scanner import EntityFinding


def test_glue_string_values_parse_like_typed_ones() -> None:
    from_strings = parse_options(
        {
            "entityTypesToDetect": "EMAIL, USA_SSN",
            "detectionMode": "CELL",
            "action": "partial",
            "sampleFraction": "0.5",
            "thresholdFraction": "0.2",
            "numRightCharsToExclude": "4",
            "includeColumns": '["a", "b"]',
            "excludeColumns": None,
            "hmacSecretId": "",
            "detectionParameters": '{"EMAIL": {"action": "SHA256_HASH"}}',
        }
    )
    typed = parse_options(
        {
            "entityTypesToDetect": ["EMAIL", "USA_SSN"],
            "detectionMode": "cell",
            "action": "PARTIAL_REDACT",
            "sampleFraction": 0.5,
            "thresholdFraction": 0.2,
            "numRightCharsToExclude": 4,
            "includeColumns": ["a", "b"],
            "detectionParameters": {"EMAIL": [{"action": "SHA256_HASH"}]},
        }
    )
    assert from_strings == typed
    assert from_strings.detection_parameters["EMAIL"][0].action == "SHA256_HASH"


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"action": "shred"}, "unknown action"),
        ({"sampleFraction": 0}, "sampleFraction"),
        ({"thresholdFraction": 1.5}, "thresholdFraction"),
        ({"detectionMode": "row"}, "detectionMode"),
        ({"detectionParameters": "{not json"}, "not valid JSON"),
        ({"redactText": "<redacted>"}, "redactText"),
        ({"matchPattern": "("}, "matchPattern"),
        ({"unknownParam": 1}, "unknownParam"),
    ],
)
def test_bad_parameters_are_config_errors(params: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_options(params)


def test_per_entity_and_per_column_overrides() -> None:
    options = parse_options(
        {
            "action": "REDACT",
            "detectionParameters": {
                "USA_SSN": [
                    {
                        "action": "PARTIAL_REDACT",
                        "actionOptions": {"numRightCharsToExclude": 4},
                        "sourceColumns": ["ssn"],
                    }
                ],
                "EMAIL": [{"action": "HMAC", "sourceColumnsToExclude": ["audit_email"]}],
                "*": [{"action": "NULLIFY", "sourceColumns": ["notes"]}],
            },
        }
    )
    plan = ActionPlan(options)
    assert plan.spec_for("ssn", "USA_SSN").action == "PARTIAL_REDACT"
    assert plan.spec_for("ssn", "USA_SSN").options.keep_right == 4
    assert plan.spec_for("other_ssn", "USA_SSN").action == "REDACT"
    assert plan.spec_for("email", "EMAIL").action == "HMAC"
    assert plan.spec_for("audit_email", "EMAIL").action == "REDACT"
    assert plan.spec_for("notes", "PHONE_NUMBER").action == "NULLIFY"
    assert plan.spec_for_column("email", ["EMAIL", "USA_SSN"]).action == "REDACT"  # the stronger action wins
    assert plan.needs_key(["EMAIL"]) and not plan.needs_key(["USA_SSN"])


def test_python_maskers() -> None:
    options = ActionOptions(numLeftCharsToExclude=1, numRightCharsToExclude=4, redactChar="#")
    assert partial_redact("536-22-1234", options) == "5######1234"
    assert partial_redact("abc", options) == "###"  # shorter than what would be kept: all masked
    assert partial_redact("536-22-1234", ActionOptions(matchPattern="[0-9]")) == "***-**-****"
    plan = ActionPlan(parse_options({"action": "REDACT", "redactText": "[PII]"}))
    assert mask_value("x", plan.default, None) == "[PII]"
    assert mask_value("x", ActionPlan(parse_options({"action": "NULLIFY"})).default, None) is None
    sha = mask_value("x", ActionPlan(parse_options({"action": "SHA256_HASH"})).default, None)
    assert sha == "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881"
    with pytest.raises(ConfigError):
        mask_value("x", ActionPlan(parse_options({"action": "HMAC"})).default, None)


def test_hmac_is_deterministic_keyed_and_standard() -> None:
    key = b"0123456789abcdef"
    assert hmac_hex(key, "a.b@ex.com") == hmac_hex(key, "a.b@ex.com")
    assert hmac_hex(key, "a.b@ex.com") != hmac_hex(b"fedcba9876543210", "a.b@ex.com")
    # RFC 4231 test case 2
    assert hmac_hex(b"Jefe", "what do ya want for nothing?") == (
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    )


def test_hmac_key_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MY_PII_KEY", "s3cret-key-0123456789")
    assert load_hmac_key("MY_PII_KEY", None) == b"s3cret-key-0123456789"
    monkeypatch.setenv("MY_PII_KEY", "short")
    with pytest.raises(ConfigError, match="at least 16 bytes") as err:
        load_hmac_key("MY_PII_KEY", None)
    assert "short" not in str(err.value)
    monkeypatch.delenv("MY_PII_KEY")
    with pytest.raises(ConfigError, match="MY_PII_KEY"):
        load_hmac_key("MY_PII_KEY", None)


def test_hmac_key_from_secrets_manager() -> None:
    import boto3

    client = boto3.client("secretsmanager", region_name="eu-west-1", aws_access_key_id="x", aws_secret_access_key="x")
    with Stubber(client) as stub:
        stub.add_response(
            "get_secret_value", {"SecretString": json.dumps({"hmac_key": "k" * 32})}, {"SecretId": "pii/hmac"}
        )
        stub.add_client_error("get_secret_value", "ResourceNotFoundException", expected_params={"SecretId": "nope"})
        assert load_hmac_key("UNUSED", "pii/hmac", secrets_client=client) == b"k" * 32
        with pytest.raises(SourceError, match="ResourceNotFoundException") as err:
            load_hmac_key("UNUSED", "nope", secrets_client=client)
        assert "nope" in str(err.value)


def test_report_holds_counts_never_values() -> None:
    scans = {
        "ssn": ColumnScan("ssn", "string", True, 20, [EntityFinding("USA_SSN", 19, 19, 20, "raise", True)]),
        "notes": ColumnScan("notes", "string", True, 20, [EntityFinding("EMAIL", 1, 1, 20, "neutral", False)]),
        "n": ColumnScan("n", "double", False, 0, []),
    }
    report = build_report(
        "t", scans, {"ssn": "REDACT"}, mode="column", action="REDACT", sample_fraction=0.1, threshold=0.1
    )
    data = json.loads(report.to_json())
    assert [c["name"] for c in data["columns"]] == ["ssn", "notes", "n"]
    assert [c["entities"] for c in data["columns"]] == [["USA_SSN"], [], []]
    assert data["columns"][0]["findings"][0]["share"] == 0.95
    markdown = report.to_markdown()
    assert "| ssn | string | USA_SSN | REDACT | 0.95 |" in markdown
    assert "not scanned" in markdown
    buffer = io.StringIO(report.to_json() + markdown)
    assert "@" not in buffer.getvalue() and "536" not in buffer.getvalue()
