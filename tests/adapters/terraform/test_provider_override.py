"""The provider override is rendered from the target's data; the sandbox is one such target."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import hcl2
import pytest

from infraplane.adapters.sandbox.provider import SANDBOX_SERVICES, sandbox_target
from infraplane.adapters.terraform.provider import (
    OVERRIDE_FILE,
    PROVIDER_FILE,
    aws_provider_override_hcl,
    override_endpoints,
    write_override,
)
from infraplane.core.module_interface import ModuleInterface


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


def test_an_older_aws_provider_or_a_module_naming_endpoints_gets_the_block(tmp_path: Path) -> None:
    target = sandbox_target("http://127.0.0.1:4566")
    plain = ModuleInterface({}, {}, frozenset({"aws"}))
    write_override(tmp_path, target, plain, backend=True, provider_predates_endpoint_url=False)
    written = (tmp_path / OVERRIDE_FILE).read_text(encoding="utf-8")
    assert 'backend "http"' in written and '"test"' in written and "endpoints" not in written
    write_override(tmp_path, target, plain, backend=True, provider_predates_endpoint_url=True)
    assert "endpoints {" in (tmp_path / OVERRIDE_FILE).read_text(encoding="utf-8")
    own = replace(plain, names_endpoints=True)
    write_override(tmp_path, target, own, backend=False, provider_predates_endpoint_url=False)
    assert "endpoints {" in (tmp_path / OVERRIDE_FILE).read_text(encoding="utf-8")
    # A module without a `provider "aws"` block of its own gets one, in a file of its own.
    write_override(tmp_path, target, ModuleInterface({}, {}), backend=True, provider_predates_endpoint_url=False)
    assert 'provider "aws"' in (tmp_path / PROVIDER_FILE).read_text(encoding="utf-8")
    assert 'provider "aws"' not in (tmp_path / OVERRIDE_FILE).read_text(encoding="utf-8")


def test_the_sandbox_environment_wins_over_a_shared_config_ignoring_endpoint_urls() -> None:
    assert sandbox_target("http://127.0.0.1:4566").environment["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"] == "false"
