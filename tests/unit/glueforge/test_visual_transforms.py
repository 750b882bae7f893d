import io
import json
from pathlib import Path

import botocore.session
import pytest
from botocore.stub import Stubber
from botocore.validate import ParamValidator

from glueforge.errors import NotFoundError, SourceError, TransformSpecError
from glueforge.visual_transforms import discover, get
from glueforge.visual_transforms.packaging import build, deploy
from glueforge.visual_transforms.spec import parse_spec

GOOD_CONFIG = {
    "name": "mask_it",
    "functionName": "mask_it",
    "parameters": [
        {"name": "columnName", "type": "str", "listOptions": "column"},
        {"name": "columns", "type": "list", "listType": "str", "isOptional": True},
        {"name": "ratio", "type": "float", "isOptional": True, "validationRule": "^0?\\.\\d+$"},
    ],
}
GOOD_ENTRY = """
from awsglue.dynamicframe import DynamicFrame

def mask_it(self, columnName, columns=None, ratio=0.5):
    return self

DynamicFrame.mask_it = mask_it
"""


def make_transform(root: Path, config: dict | str, entry: str | None = GOOD_ENTRY, folder: str = "mask_it") -> Path:
    directory = root / folder
    directory.mkdir(parents=True)
    text = config if isinstance(config, str) else json.dumps(config)
    (directory / f"{folder}.json").write_text(text)
    if entry is not None:
        (directory / f"{folder}.py").write_text(entry)
    return directory


def problems_for(tmp_path: Path, config: dict | str, entry: str | None = GOOD_ENTRY, folder: str = "mask_it"):
    make_transform(tmp_path, config, entry, folder)
    return discover(tmp_path)[folder].problems


def test_a_correct_transform_is_valid(tmp_path):
    assert problems_for(tmp_path, GOOD_CONFIG) == []


def test_the_project_transforms_are_valid():
    packages = discover()
    assert "standardize_columns" in packages
    assert {name: p.problems for name, p in packages.items() if p.problems} == {}


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda c: c.pop("functionName"), "functionName: Field required"),
        (lambda c: c["parameters"][0].update(type="string"), "parameters.0.type"),
        (lambda c: c["parameters"][0].update(defaultValue="x"), "defaultValue"),
        (lambda c: c["parameters"][0].update(name="column name"), "not a valid Python identifier"),
        (lambda c: c["parameters"].append(dict(c["parameters"][0])), "declared twice"),
        (lambda c: c["parameters"][0].update(listType="str"), "listType is only allowed"),
        (lambda c: c["parameters"][2].update(validationRule="(unclosed"), "not a valid regular expression"),
        (lambda c: c.update(unknownKey=1), "unknownKey"),
    ],
)
def test_config_rule_violations_are_named(tmp_path, change, expected):
    config = json.loads(json.dumps(GOOD_CONFIG))
    change(config)
    problems = problems_for(tmp_path, config)
    assert any(expected in p for p in problems), problems


def test_transform_named_like_a_standard_module_is_rejected(tmp_path):
    config = dict(GOOD_CONFIG, name="copy", functionName="copy_it")
    entry = GOOD_ENTRY.replace("mask_it", "copy_it")
    assert any("shadow" in p for p in problems_for(tmp_path, config, entry, folder="copy"))


def test_name_must_match_the_file_name(tmp_path):
    config = dict(GOOD_CONFIG, name="other_name")
    assert any("must equal the file name" in p for p in problems_for(tmp_path, config))


def test_invalid_json_is_reported_with_its_line(tmp_path):
    assert any("not valid JSON" in p and "line" in p for p in problems_for(tmp_path, '{"name": "mask_it",\n oops}'))


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        (None, "mask_it.py is missing"),
        ("def other(self): pass\nDynamicFrame.mask_it = other\n", "no top-level function 'mask_it'"),
        (GOOD_ENTRY.replace("self, columnName", "frame, columnName"), "first parameter must be `self`"),
        (GOOD_ENTRY.replace("columns=None, ", ""), "'columns' is not an argument"),
        (
            GOOD_ENTRY.replace("columns=None, ratio=0.5", "ratio, columns=None"),
            "optional parameter 'ratio' needs a Python default",
        ),
        (GOOD_ENTRY.replace("columnName,", "columnName, extra,"), "'extra' is not a JSON parameter"),
        (GOOD_ENTRY.replace("DynamicFrame.mask_it = mask_it", ""), "missing `DynamicFrame.mask_it = mask_it`"),
        ("def mask_it(self:\n", "syntax error"),
    ],
)
def test_python_entry_must_match_the_config(tmp_path, entry, expected):
    problems = problems_for(tmp_path, GOOD_CONFIG, entry)
    assert any(expected in p for p in problems), problems


def test_unknown_transform_lists_the_known_ones(tmp_path):
    make_transform(tmp_path, GOOD_CONFIG)
    with pytest.raises(NotFoundError, match="known: mask_it"):
        get("nope", tmp_path)


def test_dynamic_transform_node_passes_botocore_validation():
    spec, problems = parse_spec(GOOD_CONFIG)
    assert spec is not None and not problems
    node = spec.dynamic_transform_node(
        node_name="Mask it",
        inputs=["node-1"],
        path="s3://assets/transforms/mask_it.py",
        values={"columnName": "email", "columns": ["a", "b"], "ratio": 0.25},
    )
    parameters = node["DynamicTransform"]["Parameters"]
    assert parameters[0] == {"Name": "columnName", "Type": "str", "Value": ["email"]}
    assert parameters[1] == {
        "Name": "columns",
        "Type": "list",
        "Value": ["a", "b"],
        "ListType": "str",
        "IsOptional": True,
    }
    assert parameters[2]["Value"] == ["0.25"]
    model = botocore.session.get_session().get_service_model("glue")
    request = {
        "Name": "job",
        "Role": "arn:aws:iam::111122223333:role/glue",
        "Command": {"Name": "glueetl", "ScriptLocation": "s3://b/s.py"},
        "CodeGenConfigurationNodes": {"node-2": node},
    }
    report = ParamValidator().validate(request, model.operation_model("CreateJob").input_shape)
    assert not report.has_errors(), report.generate_report()


def test_dynamic_transform_node_rejects_unknown_and_missing_parameters():
    spec, _ = parse_spec(GOOD_CONFIG)
    assert spec is not None
    with pytest.raises(ValueError, match="unknown parameters"):
        spec.dynamic_transform_node(node_name="n", inputs=["a"], path="s3://b/k.py", values={"columnName": "x", "x": 1})
    with pytest.raises(ValueError, match="required parameter 'columnName'"):
        spec.dynamic_transform_node(node_name="n", inputs=["a"], path="s3://b/k.py", values={})


def test_build_writes_flat_pairs_and_a_manifest(tmp_path):
    make_transform(tmp_path / "src", GOOD_CONFIG)
    built = build(discover(tmp_path / "src"), tmp_path / "out", wheel=False)
    assert sorted(f.key for f in built) == ["mask_it.json", "mask_it.py"]
    assert json.loads((tmp_path / "out" / "mask_it.json").read_text())["functionName"] == "mask_it"
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert [f["key"] for f in manifest["files"]] == ["mask_it.json", "mask_it.py"]


def test_build_refuses_invalid_transforms_and_writes_nothing(tmp_path):
    make_transform(tmp_path / "src", dict(GOOD_CONFIG, functionName="other"))
    with pytest.raises(TransformSpecError, match="mask_it"):
        build(discover(tmp_path / "src"), tmp_path / "out", wheel=False)
    assert not (tmp_path / "out").exists()


def test_deploy_uploads_code_before_config(tmp_path):
    make_transform(tmp_path / "src", GOOD_CONFIG)
    built = build(discover(tmp_path / "src"), tmp_path / "out", wheel=False)
    client = botocore.session.get_session().create_client(
        "s3", region_name="eu-west-1", aws_access_key_id="x", aws_secret_access_key="x"
    )
    with Stubber(client) as stubber:
        for key, content_type in (("mask_it.py", "text/x-python"), ("mask_it.json", "application/json")):
            stubber.add_response(
                "put_object",
                {"ETag": '"1"'},
                {"Bucket": "assets", "Key": f"transforms/{key}", "Body": _ANY, "ContentType": content_type},
            )
        uris = deploy(built, client, "assets", "transforms")
        stubber.assert_no_pending_responses()
    assert uris == ["s3://assets/transforms/mask_it.py", "s3://assets/transforms/mask_it.json"]


def test_deploy_failure_names_the_object(tmp_path):
    make_transform(tmp_path / "src", GOOD_CONFIG)
    built = build(discover(tmp_path / "src"), tmp_path / "out", wheel=False)
    client = botocore.session.get_session().create_client(
        "s3", region_name="eu-west-1", aws_access_key_id="x", aws_secret_access_key="x"
    )
    with Stubber(client) as stubber:
        stubber.add_client_error("put_object", service_error_code="AccessDenied", http_status_code=403)
        with pytest.raises(SourceError, match=r"s3://assets/transforms/mask_it.py"):
            deploy(built, client, "assets", "transforms/")


class _AnyBody:
    def __eq__(self, other: object) -> bool:
        return isinstance(other, io.IOBase)


_ANY = _AnyBody()
