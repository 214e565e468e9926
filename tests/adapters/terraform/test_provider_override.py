"""The provider override is rendered from the target's data; the sandbox is one such target."""

from __future__ import annotations

from dataclasses import replace

import hcl2
import pytest

from infraplane.adapters.sandbox.provider import SANDBOX_SERVICES, sandbox_target
from infraplane.adapters.terraform.provider import aws_provider_override_hcl, override_endpoints


def test_settings_and_endpoints_are_literals_terraform_reads_back() -> None:
    text = aws_provider_override_hcl({"region_hint": 'a"b', "flag": True}, {"s3": "http://x:1/"})
    [provider] = hcl2.loads(text)["provider"]
    block = provider['"aws"'] if '"aws"' in provider else provider["aws"]
    assert block["flag"] is True
    assert block["region_hint"] in ('a"b', '"a\\"b"')
    [endpoints] = block["endpoints"]
    assert endpoints["s3"] in ("http://x:1", '"http://x:1"')


def test_an_argument_name_cannot_smuggle_hcl() -> None:
    with pytest.raises(ValueError, match="not an AWS provider argument name"):
        aws_provider_override_hcl({"x = 1\n  evil": "y"}, {})


def test_the_sandbox_target_carries_everything_as_data() -> None:
    target = sandbox_target("http://127.0.0.1:4566/")
    assert target.kind == "sandbox"
    assert set(target.provider_endpoints) == set(SANDBOX_SERVICES)
    assert set(target.provider_endpoints.values()) == {"http://127.0.0.1:4566"}
    assert target.provider_settings["skip_requesting_account_id"] is True
    assert target.environment["AWS_ENDPOINT_URL"] == "http://127.0.0.1:4566"
    assert "test" not in repr(target)  # credentials stay out of reprs and logs


def test_the_sandbox_endpoints_come_from_the_environment_unless_the_module_sets_its_own() -> None:
    target = sandbox_target("http://127.0.0.1:4566/")
    # The provider reads AWS_ENDPOINT_URL for every service: no `endpoints` block (~2 CPU-s per configure).
    assert override_endpoints(target, module_sets_endpoints=False) == {}
    # A module's own `endpoints` block is replaced only by an override block: the whole block is written.
    assert override_endpoints(target, module_sets_endpoints=True) == target.provider_endpoints
    # An endpoint the environment does not cover keeps the block.
    elsewhere = replace(target, provider_endpoints={**target.provider_endpoints, "s3": "http://127.0.0.1:9000"})
    assert override_endpoints(elsewhere, module_sets_endpoints=False) == elsewhere.provider_endpoints
    bare = replace(target, environment={})
    assert override_endpoints(bare, module_sets_endpoints=False) == target.provider_endpoints
