"""External watermark stores: DynamoDB (conditional writes, botocore Stubber) and the local JSON file."""

from __future__ import annotations

from pathlib import Path

import boto3
import pytest
from botocore.stub import Stubber

from glueforge.errors import ConcurrentRunError, SourceError
from transforms.incremental_jdbc_ingest.state import DynamoDBStore, FileStore


@pytest.fixture
def dynamodb() -> tuple[DynamoDBStore, Stubber]:
    client = boto3.client("dynamodb", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    return DynamoDBStore("edls_run_stats", client), Stubber(client)


def test_dynamodb_load_reads_consistently(dynamodb: tuple[DynamoDBStore, Stubber]) -> None:
    store, stub = dynamodb
    stub.add_response(
        "get_item",
        {
            "Item": {
                "state_key": {"S": "bronze.t"},
                "watermark": {"S": "2026-01-01T00:00:00+00:00"},
                "run_id": {"S": "r1"},
            }
        },
        {"TableName": "edls_run_stats", "Key": {"state_key": {"S": "bronze.t"}}, "ConsistentRead": True},
    )
    stub.add_response(
        "get_item", {}, {"TableName": "edls_run_stats", "Key": {"state_key": {"S": "other"}}, "ConsistentRead": True}
    )
    with stub:
        state = store.load("bronze.t")
        assert state is not None and state.watermark == "2026-01-01T00:00:00+00:00" and state.run_id == "r1"
        assert store.load("other") is None
    stub.assert_no_pending_responses()


def test_dynamodb_save_is_a_compare_and_set(dynamodb: tuple[DynamoDBStore, Stubber]) -> None:
    store, stub = dynamodb
    expected_params = {
        "TableName": "edls_run_stats",
        "Item": {
            "state_key": {"S": "k"},
            "watermark": {"S": "B"},
            "run_id": {"S": "r2"},
            "updated_at": {"S": "placeholder"},
        },
        "ConditionExpression": "watermark = :expected",
        "ExpressionAttributeValues": {":expected": {"S": "A"}},
    }
    from botocore.stub import ANY

    expected_params["Item"]["updated_at"] = {"S": ANY}  # type: ignore[index]
    stub.add_response("put_item", {}, expected_params)
    stub.add_client_error("put_item", service_error_code="ConditionalCheckFailedException", http_status_code=400)
    stub.add_client_error("put_item", service_error_code="ResourceNotFoundException", http_status_code=400)
    with stub:
        store.save("k", "B", "r2", expected="A")
        with pytest.raises(ConcurrentRunError, match="watermark changed"):
            store.save("k", "C", "r3", expected="A")
        with pytest.raises(SourceError):
            store.save("k", "C", "r3", expected=None)
    stub.assert_no_pending_responses()


def test_dynamodb_first_save_requires_no_item(dynamodb: tuple[DynamoDBStore, Stubber]) -> None:
    from botocore.stub import ANY

    store, stub = dynamodb
    stub.add_response(
        "put_item",
        {},
        {
            "TableName": "edls_run_stats",
            "Item": {"state_key": {"S": "k"}, "watermark": {"S": "A"}, "run_id": {"S": "r1"}, "updated_at": {"S": ANY}},
            "ConditionExpression": "attribute_not_exists(state_key) OR watermark = :empty",
            "ExpressionAttributeValues": {":empty": {"S": ""}},
        },
    )
    with stub:
        store.save("k", "A", "r1", expected=None)
    stub.assert_no_pending_responses()


def test_dynamodb_with_moto_round_trip() -> None:
    from moto import mock_aws

    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        client.create_table(
            TableName="state",
            KeySchema=[{"AttributeName": "state_key", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "state_key", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        store = DynamoDBStore("state", client)
        store.save("k", "10", "r1", expected=None)
        store.save("k", "20", "r2", expected="10")
        with pytest.raises(ConcurrentRunError):
            store.save("k", "30", "r3", expected="10")
        loaded = store.load("k")
        assert loaded is not None and loaded.watermark == "20"
        store.reset("k", None)
        reset = store.load("k")
        assert reset is not None and reset.watermark is None
        store.save("k", "5", "r4", expected=None)  # after a reset the first save succeeds again


def test_file_store(tmp_path: Path) -> None:
    store = FileStore(tmp_path / "state" / "wm.json")
    assert store.load("k") is None
    store.save("k", "A", "r1", expected=None)
    store.save("other", "X", "r1", expected=None)
    with pytest.raises(ConcurrentRunError):
        store.save("k", "B", "r2", expected="wrong")
    store.save("k", "B", "r2", expected="A")
    loaded = store.load("k")
    assert loaded is not None and loaded.watermark == "B" and loaded.run_id == "r2"
    store.reset("k", "A")
    again = store.load("k")
    assert again is not None and again.watermark == "A"
    assert store.load("other").watermark == "X"  # type: ignore[union-attr]
