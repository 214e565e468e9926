"""The Terraform provider override and client environment that point at the sandbox."""

from __future__ import annotations

from typing import Any

import hcl2

from infraplane.adapters.sandbox.provider import SANDBOX_SERVICES, provider_override_hcl, sandbox_environment

ENDPOINT = "http://127.0.0.1:4566"


def _plain(value: Any) -> Any:
    # python-hcl2 keeps string quotes and marks blocks with "__is_block__"; compare plain values.
    if isinstance(value, dict):
        return {_plain(k): _plain(v) for k, v in value.items() if k != "__is_block__"}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, str) and len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1]
    return value


def _provider_block(text: str) -> dict[str, Any]:
    [provider] = _plain(hcl2.loads(text))["provider"]
    block: dict[str, Any] = provider["aws"]
    return block


def test_the_override_sends_every_service_to_the_sandbox() -> None:
    block = _provider_block(provider_override_hcl(ENDPOINT + "/"))
    [endpoints] = block["endpoints"]
    assert set(endpoints) == set(SANDBOX_SERVICES)
    assert set(endpoints.values()) == {ENDPOINT}
    for service in ("ec2", "rds", "elasticache", "sqs", "s3", "secretsmanager", "sts", "iam", "memorydb", "events"):
        assert service in SANDBOX_SERVICES


def test_the_override_skips_real_aws_lookups_and_leaves_region_and_tags_to_the_module() -> None:
    block = _provider_block(provider_override_hcl(ENDPOINT))
    assert block["access_key"] == "test"
    assert block["secret_key"] == "test"
    for flag in (
        "skip_credentials_validation",
        "skip_metadata_api_check",
        "skip_requesting_account_id",
        "s3_use_path_style",
    ):
        assert block[flag] is True
    # An override block replaces the arguments it sets: it must not touch the module's own.
    assert "region" not in block
    assert "default_tags" not in block


def test_the_client_environment_uses_dummy_credentials_and_the_sandbox_endpoint() -> None:
    assert sandbox_environment(ENDPOINT + "/") == {
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ENDPOINT_URL": ENDPOINT,
        "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "false",
        "AWS_EC2_METADATA_DISABLED": "true",
    }
