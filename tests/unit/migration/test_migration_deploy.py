"""Deploy: create, update, AlreadyExists race, retries on throttling (Stubber), and a throttling endpoint
under concurrency where no job is lost or duplicated."""

from __future__ import annotations

import json
import threading
from typing import Any

import boto3
from botocore.awsrequest import AWSResponse
from botocore.stub import Stubber

from migration.deploy import DeployTarget, account_of_role, deploy_requests, retry_config, upsert_job
from migration.job_request import is_our_tag, update_job_request

REQUEST: dict[str, Any] = {
    "Name": "job_a",
    "Role": "r",
    "Command": {"Name": "glueetl", "ScriptLocation": "s3://bucket/scripts/job_a.py"},
    "Tags": {"edls:job_id": "1"},
    "CodeGenConfigurationNodes": {},
}
TARGET = DeployTarget(region="eu-west-1", script_bucket="bucket", transforms_bucket="bucket")


def glue_client(max_attempts: int = 3) -> Any:
    return boto3.client(
        "glue",
        region_name="eu-west-1",
        aws_access_key_id="x",
        aws_secret_access_key="y",
        config=retry_config(1, max_attempts),
    )


def s3_client() -> Any:
    return boto3.client("s3", region_name="eu-west-1", aws_access_key_id="x", aws_secret_access_key="y")


def test_creates_a_new_job() -> None:
    glue = glue_client()
    with Stubber(glue) as stub:
        stub.add_client_error("get_job", "EntityNotFoundException", expected_params={"JobName": "job_a"})
        stub.add_response("create_job", {"Name": "job_a"}, expected_params=REQUEST)
        assert upsert_job(glue, REQUEST) == "created"
        stub.assert_no_pending_responses()


def test_updates_an_existing_job_with_the_whole_dag() -> None:
    glue = glue_client()
    with Stubber(glue) as stub:
        stub.add_response("get_job", {"Job": {"Name": "job_a"}}, expected_params={"JobName": "job_a"})
        stub.add_response("update_job", {"JobName": "job_a"}, expected_params=update_job_request(REQUEST))
        assert upsert_job(glue, REQUEST) == "updated"
    assert "Tags" not in update_job_request(REQUEST)["JobUpdate"]


ARN = "arn:aws:glue:eu-west-1:123456789012:job/job_a"


def test_an_update_brings_our_tags_in_line_and_keeps_other_tags() -> None:
    glue = glue_client()
    with Stubber(glue) as stub:
        stub.add_response("get_job", {"Job": {"Name": "job_a"}})
        stub.add_response("update_job", {"JobName": "job_a"})
        stub.add_response("get_tags", {"Tags": {"edls:job_id": "0", "owner": "team-x"}}, {"ResourceArn": ARN})
        stub.add_response("tag_resource", {}, {"ResourceArn": ARN, "TagsToAdd": {"edls:job_id": "1"}})
        assert upsert_job(glue, REQUEST, ARN) == "updated+tags"
        stub.assert_no_pending_responses()


def test_tags_already_right_are_not_rewritten() -> None:
    glue = glue_client()
    with Stubber(glue) as stub:  # a tag_resource call would fail: none is stubbed
        stub.add_response("get_job", {"Job": {"Name": "job_a"}})
        stub.add_response("update_job", {"JobName": "job_a"})
        stub.add_response("get_tags", {"Tags": {"edls:job_id": "1", "owner": "team-x"}}, {"ResourceArn": ARN})
        assert upsert_job(glue, REQUEST, ARN) == "updated"
        stub.assert_no_pending_responses()


def test_an_update_removes_our_tags_it_no_longer_sets_and_keeps_other_tags() -> None:
    glue = glue_client()
    with Stubber(glue) as stub:
        stub.add_response("get_job", {"Job": {"Name": "job_a"}})
        stub.add_response("update_job", {"JobName": "job_a"})
        current = {"edls:job_id": "1", "edls:tenant": "old", "migrated-by": "glueforge", "owner": "team-x"}
        stub.add_response("get_tags", {"Tags": current}, {"ResourceArn": ARN})
        expected = {"ResourceArn": ARN, "TagsToRemove": ["edls:tenant", "migrated-by"]}
        stub.add_response("untag_resource", {}, expected)  # "owner" is not ours: it stays
        assert upsert_job(glue, REQUEST, ARN) == "updated+tags"
        stub.assert_no_pending_responses()


def test_a_request_without_tags_removes_only_ours() -> None:
    glue = glue_client()
    with Stubber(glue) as stub:
        stub.add_response("get_job", {"Job": {"Name": "job_a"}})
        stub.add_response("update_job", {"JobName": "job_a"})
        stub.add_response("get_tags", {"Tags": {"edls:job_id": "1", "owner": "team-x"}}, {"ResourceArn": ARN})
        stub.add_response("untag_resource", {}, {"ResourceArn": ARN, "TagsToRemove": ["edls:job_id"]})
        assert upsert_job(glue, {k: v for k, v in REQUEST.items() if k != "Tags"}, ARN) == "updated+tags"
        stub.assert_no_pending_responses()


def test_which_tags_are_ours() -> None:
    assert is_our_tag("edls:job_id") and is_our_tag("edls:anything") and is_our_tag("migrated-by")
    assert not is_our_tag("owner") and not is_our_tag("edls") and not is_our_tag("migrated-by-team")


def test_account_of_role() -> None:
    assert account_of_role("arn:aws:iam::123456789012:role/glue-jobs") == "123456789012"
    assert account_of_role("arn:aws-cn:iam::123456789012:role/path/glue") == "123456789012"
    assert account_of_role("GlueforgeMigratedJobRole") is None
    assert account_of_role("arn:aws:iam::not-an-account:role/x") is None


def test_already_exists_race_becomes_an_update() -> None:
    glue = glue_client()
    with Stubber(glue) as stub:
        stub.add_client_error("get_job", "EntityNotFoundException")
        stub.add_client_error("create_job", "AlreadyExistsException")
        stub.add_response("update_job", {"JobName": "job_a"})
        assert upsert_job(glue, REQUEST) == "updated"


def test_stubbed_throttling_error_surfaces_after_retries_as_failed_job() -> None:
    glue, s3 = glue_client(max_attempts=1), s3_client()
    with Stubber(glue) as glue_stub, Stubber(s3) as s3_stub:
        s3_stub.add_response("put_object", {})
        glue_stub.add_client_error("get_job", "ThrottlingException", http_status_code=400)
        outcome = deploy_requests([REQUEST], {"job_a": "print(1)\n"}, TARGET, glue=glue, s3=s3, concurrency=1)
    assert "job_a" in outcome.failed and "Throttling" in outcome.failed["job_a"]


def test_dry_run_touches_nothing() -> None:
    outcome = deploy_requests([REQUEST], {}, DeployTarget("r", "b1", "b2", dry_run=True), glue=None, s3=None)
    assert outcome.planned == ["job_a"] and outcome.created == []


class FakeGlue:
    """An in-process Glue endpoint (botocore ``before-send`` hook): jobs in a dict, every Nth call throttled."""

    def __init__(self, throttle_every: int = 3) -> None:
        self.jobs: dict[str, dict[str, Any]] = {}
        self.creates: dict[str, int] = {}
        self.calls = 0
        self.throttled = 0
        self.throttle_every = throttle_every
        self.tag_writes = 0
        self.lock = threading.Lock()

    def __call__(self, request: Any, **_: Any) -> AWSResponse:
        operation = request.headers["X-Amz-Target"].decode().split(".")[-1]
        body = json.loads(request.body or b"{}")
        with self.lock:
            self.calls += 1
            if self.throttle_every and self.calls % self.throttle_every == 0:
                self.throttled += 1
                return _response(400, {"__type": "ThrottlingException", "message": "Rate exceeded"})
            if operation == "GetJob":
                if body["JobName"] not in self.jobs:
                    return _response(400, {"__type": "EntityNotFoundException", "message": "no"})
                return _response(200, {"Job": {"Name": body["JobName"]}})
            if operation == "CreateJob":
                if body["Name"] in self.jobs:
                    return _response(400, {"__type": "AlreadyExistsException", "message": "exists"})
                self.jobs[body["Name"]] = body
                self.creates[body["Name"]] = self.creates.get(body["Name"], 0) + 1
                return _response(200, {"Name": body["Name"]})
            if operation == "UpdateJob":
                self.jobs[body["JobName"]].update(body["JobUpdate"])
                return _response(200, {"JobName": body["JobName"]})
            if operation in ("GetTags", "TagResource"):
                name = body["ResourceArn"].rsplit("job/", 1)[1]
                tags = self.jobs[name].setdefault("Tags", {})
                if operation == "TagResource":
                    tags.update(body["TagsToAdd"])
                    self.tag_writes += 1
                return _response(200, {"Tags": tags} if operation == "GetTags" else {})
        return _response(400, {"__type": "InvalidInputException", "message": operation})


class _Raw:
    def __init__(self, data: bytes) -> None:
        self.data = data

    def stream(self, **_: Any) -> Any:
        yield self.data


def _response(status: int, body: dict[str, Any]) -> AWSResponse:
    data = json.dumps(body).encode()
    return AWSResponse("https://glue", status, {"Content-Type": "application/x-amz-json-1.1"}, _Raw(data))


def fake_clients(endpoint: FakeGlue, concurrency: int, mode: str = "adaptive") -> tuple[Any, Any]:
    glue = boto3.client(
        "glue",
        region_name="eu-west-1",
        aws_access_key_id="x",
        aws_secret_access_key="y",
        config=retry_config(concurrency, mode=mode),
    )
    glue.meta.events.register("before-send.glue", endpoint)
    s3 = s3_client()
    s3.meta.events.register("before-send.s3", lambda request, **_: AWSResponse(request.url, 200, {}, _Raw(b"")))
    return glue, s3


def test_concurrent_deploy_with_throttling_loses_and_duplicates_nothing(monkeypatch: Any) -> None:
    import botocore.retries.standard as standard

    monkeypatch.setattr(standard.ExponentialBackoff, "delay_amount", lambda self, context: 0.0)
    # standard mode: the same retry decisions as adaptive, without its client-side rate limiter's waits
    endpoint = FakeGlue(throttle_every=4)
    glue, s3 = fake_clients(endpoint, 4, mode="standard")
    requests = [
        {
            **REQUEST,
            "Name": f"job_{i:03d}",
            "Command": {"Name": "glueetl", "ScriptLocation": f"s3://bucket/scripts/job_{i:03d}.py"},
        }
        for i in range(60)
    ]
    scripts = {r["Name"]: "print(1)\n" for r in requests}
    first = deploy_requests(requests, scripts, TARGET, glue=glue, s3=s3, concurrency=4)
    assert first.failed == {} and len(first.created) == 60
    second = deploy_requests(requests, scripts, TARGET, glue=glue, s3=s3, concurrency=4)  # idempotent re-run
    assert second.failed == {} and len(second.updated) == 60 and second.created == []
    assert sorted(endpoint.jobs) == sorted(r["Name"] for r in requests)
    assert set(endpoint.creates.values()) == {1}
    assert endpoint.throttled > 10


def test_deploy_results_from_written_files(tmp_path: Any, monkeypatch: Any) -> None:
    import botocore.retries.standard as standard

    from migration.deploy import deploy_results
    from migration.options import MigrationOptions
    from migration.outputs import migrate_to_dir
    from migration.reader import read_metadata
    from migration.sample import build_sqlite

    monkeypatch.setattr(standard.ExponentialBackoff, "delay_amount", lambda self, context: 0.0)
    db = build_sqlite(tmp_path / "edls.db")
    results = migrate_to_dir(read_metadata(f"sqlite:///{db}"), tmp_path / "out", MigrationOptions(), svg=False)
    endpoint = FakeGlue(throttle_every=5)
    outcome = deploy_results(
        results, tmp_path / "out", TARGET, concurrency=2, clients=fake_clients(endpoint, 2, mode="standard")
    )
    assert outcome.failed == {}
    assert sorted(outcome.created) == ["customer_orders_incremental", "daily_orders_file_load", "daily_sales_by_region"]
    assert {j["JobMode"] for j in endpoint.jobs.values()} == {"VISUAL"}
    uploaded = " ".join(outcome.uploaded)
    assert "transforms/detect_pii.py" in uploaded and "transforms/incremental_jdbc_ingest.json" in uploaded


def test_a_redeploy_updates_changed_tags_under_throttling(monkeypatch: Any) -> None:
    import botocore.retries.standard as standard

    monkeypatch.setattr(standard.ExponentialBackoff, "delay_amount", lambda self, context: 0.0)
    endpoint = FakeGlue(throttle_every=4)
    glue, s3 = fake_clients(endpoint, 2, mode="standard")
    target = DeployTarget(
        region="eu-west-1", script_bucket="bucket", transforms_bucket="bucket", account="123456789012"
    )
    requests = [{**REQUEST, "Name": f"job_{i}", "Tags": {"edls:tenant": "a"}} for i in range(6)]
    scripts = {r["Name"]: "print(1)\n" for r in requests}
    assert len(deploy_requests(requests, scripts, target, glue=glue, s3=s3, concurrency=2).created) == 6
    endpoint.jobs["job_0"]["Tags"]["owner"] = "team-x"  # added by someone else
    unchanged = deploy_requests(requests, scripts, target, glue=glue, s3=s3, concurrency=2)
    assert (len(unchanged.updated), unchanged.tags_updated, endpoint.tag_writes) == (6, [], 0)
    moved = [{**r, "Tags": {"edls:tenant": "b"}} for r in requests]
    outcome = deploy_requests(moved, scripts, target, glue=glue, s3=s3, concurrency=2)
    assert outcome.failed == {} and sorted(outcome.tags_updated) == sorted(r["Name"] for r in requests)
    assert endpoint.jobs["job_0"]["Tags"] == {"edls:tenant": "b", "owner": "team-x"}
    assert {j["Tags"]["edls:tenant"] for j in endpoint.jobs.values()} == {"b"}


def test_deploy_with_a_bare_role_name_asks_sts_for_the_account(tmp_path: Any, monkeypatch: Any) -> None:
    import botocore.retries.standard as standard

    from migration import deploy as deploy_module
    from migration.deploy import deploy_results
    from migration.options import MigrationOptions
    from migration.outputs import migrate_to_dir
    from migration.reader import read_metadata
    from migration.sample import build_sqlite

    monkeypatch.setattr(standard.ExponentialBackoff, "delay_amount", lambda self, context: 0.0)
    db = build_sqlite(tmp_path / "edls.db")
    results = migrate_to_dir(read_metadata(f"sqlite:///{db}"), tmp_path / "out", MigrationOptions(), svg=False)
    endpoint = FakeGlue(throttle_every=0)
    glue, s3 = fake_clients(endpoint, 2, mode="standard")
    sts = boto3.client("sts", region_name="eu-west-1", aws_access_key_id="x", aws_secret_access_key="y")
    made: list[str] = []

    def client(service: str, **_: Any) -> Any:
        made.append(service)
        return {"glue": glue, "s3": s3, "sts": sts}[service]

    monkeypatch.setattr(boto3, "client", client)
    with Stubber(sts) as stub:
        identity = {"Account": "123456789012", "Arn": "arn:aws:iam::123456789012:user/ci", "UserId": "AID"}
        stub.add_response("get_caller_identity", identity)
        first = deploy_results(results, tmp_path / "out", TARGET, concurrency=2)
        stub.assert_no_pending_responses()
    assert first.failed == {} and len(first.created) == 3 and made.count("sts") == 1
    assert MigrationOptions().role == "GlueforgeMigratedJobRole" and deploy_module.account_of_role("x") is None
    for job in endpoint.jobs.values():
        job["Tags"]["migrated-by"] = "someone-else"
    with Stubber(sts) as stub:
        stub.add_response("get_caller_identity", identity)
        again = deploy_results(results, tmp_path / "out", TARGET, concurrency=2)
    assert sorted(again.tags_updated) == sorted(first.created)
    assert {j["Tags"]["migrated-by"] for j in endpoint.jobs.values()} == {"glueforge"}
