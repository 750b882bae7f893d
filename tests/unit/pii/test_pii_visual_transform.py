"""detect_pii.json passes the Glue Studio rules and yields a DynamicTransform node Glue's API model accepts."""

import inspect

import botocore.session
from botocore.validate import ParamValidator

from glueforge.visual_transforms import discover
from transforms.detect_pii.options import PiiOptions


def test_config_is_valid_and_matches_the_options() -> None:
    package = discover()["detect_pii"]
    assert package.problems == []
    spec = package.require_valid()
    aliases = {field.alias or name for name, field in PiiOptions.model_fields.items()}
    assert {p.name for p in spec.parameters} == aliases  # one JSON parameter per option, same names
    assert all(p.is_optional for p in spec.parameters)


def test_entry_defaults_equal_the_option_defaults() -> None:
    import ast

    package = discover()["detect_pii"]
    tree = ast.parse(package.entry_path.read_text(encoding="utf-8"))
    function = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "detect_pii")
    names = [a.arg for a in function.args.args[1:]]
    defaults = [ast.literal_eval(d) for d in function.args.defaults]
    fields = {field.alias or name: field for name, field in PiiOptions.model_fields.items()}
    for name, default in zip(names, defaults, strict=True):
        expected = fields[name].get_default(call_default_factory=True)
        if default is not None:
            assert default == expected, name
    assert inspect.signature(PiiOptions).parameters  # the model is importable without Spark


def test_dynamic_transform_node_validates_against_the_glue_model() -> None:
    spec = discover()["detect_pii"].require_valid()
    node = spec.dynamic_transform_node(
        node_name="Detect PII",
        inputs=["node-1"],
        path="s3://aws-glue-assets-111122223333-eu-west-1/transforms/detect_pii.py",
        values={
            "entityTypesToDetect": ["EMAIL", "USA_SSN"],
            "action": "HMAC",
            "sampleFraction": 0.1,
            "hmacSecretId": "pii/hmac",
            "detectionMode": "column",
        },
    )
    model = botocore.session.get_session().get_service_model("glue")
    report = ParamValidator().validate(node, model.shape_for("CodeGenConfigurationNode"))
    assert not report.has_errors(), report.generate_report()
    parameters = {p["Name"]: p for p in node["DynamicTransform"]["Parameters"]}
    assert parameters["entityTypesToDetect"]["Value"] == ["EMAIL", "USA_SSN"]
    assert parameters["sampleFraction"]["Value"] == ["0.1"]
