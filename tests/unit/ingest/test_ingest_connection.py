"""Credentials: env var, Secrets Manager (moto), Glue-connection/settings lookup; secrets never printed."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from glueforge.errors import ConfigError, NotFoundError, SourceError
from transforms.incremental_jdbc_ingest.connection import resolve_source
from transforms.incremental_jdbc_ingest.options import parse_options

BASE = {"table": "t", "cursor_column": "u", "primary_keys": "id", "target_table": "bronze.t"}


def test_password_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GF_PW", "s3cret")
    source = resolve_source(
        parse_options({**BASE, "url": "jdbc:postgresql://h/db", "user": "u", "password_env": "GF_PW"})
    )
    assert source.spark_options()["password"] == "s3cret"
    assert source.spark_options()["sessionInitStatement"] == "SET TIME ZONE 'UTC'"
    assert "s3cret" not in repr(source)
    monkeypatch.delenv("GF_PW")
    with pytest.raises(ConfigError, match="GF_PW is not set"):
        resolve_source(parse_options({**BASE, "url": "jdbc:postgresql://h/db", "password_env": "GF_PW"}))


def test_password_from_secrets_manager(monkeypatch: pytest.MonkeyPatch) -> None:
    from moto import mock_aws

    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    with mock_aws():
        client = boto3.client("secretsmanager")
        client.create_secret(Name="db/app", SecretString=json.dumps({"username": "app", "password": "pw1"}))
        client.create_secret(Name="db/plain", SecretString="pw2")
        json_secret = resolve_source(
            parse_options({**BASE, "url": "jdbc:mysql://h/db", "password_secret_id": "db/app"})
        )
        assert (json_secret.user, json_secret.password) == ("app", "pw1")
        plain = resolve_source(
            parse_options({**BASE, "url": "jdbc:mysql://h/db", "user": "me", "password_secret_id": "db/plain"})
        )
        assert (plain.user, plain.password) == ("me", "pw2")
        with pytest.raises(SourceError, match="cannot read the secret"):
            resolve_source(parse_options({**BASE, "url": "jdbc:mysql://h/db", "password_secret_id": "db/none"}))


def test_connection_name_uses_glue_context_then_settings() -> None:
    class FakeGlue:
        def extract_jdbc_conf(self, name: str) -> dict[str, Any]:
            if name != "orders-conn":
                raise KeyError(name)
            return {"url": "jdbc:mysql://db:3306/x", "user": "glue", "password": "pw"}

    via_glue = resolve_source(parse_options({**BASE, "connection_name": "orders-conn"}), FakeGlue())
    assert (via_glue.url, via_glue.user, via_glue.password, via_glue.dialect.name) == (
        "jdbc:mysql://db:3306/x",
        "glue",
        "pw",
        "mysql",
    )
    local = resolve_source(parse_options({**BASE, "connection_name": "postgres"}), FakeGlue())
    assert local.url.startswith("jdbc:postgresql://") and local.user == "postgres"
    with pytest.raises(NotFoundError, match="no connection named 'nope'"):
        resolve_source(parse_options({**BASE, "connection_name": "nope"}), FakeGlue())


def test_postgres_reads_use_binary_transfer_and_other_drivers_get_no_foreign_properties() -> None:
    def options_for(url: str) -> dict[str, str]:
        return resolve_source(parse_options({**BASE, "url": url})).spark_options()

    assert options_for("jdbc:postgresql://h/db")["prepareThreshold"] == "-1"
    for url in ("jdbc:redshift://h:5439/db", "jdbc:mysql://h/db", "jdbc:sqlite:/tmp/x.db"):
        assert "prepareThreshold" not in options_for(url)
