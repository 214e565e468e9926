"""A run on the sandbox reaches the sandbox, whether or not the module's provider block names endpoints itself.

The sandbox target sends every AWS service to the emulator through `AWS_ENDPOINT_URL`, without an
`endpoints` block in the override (see adapters/terraform/provider.py). A module whose own provider block
sets `endpoints` gets the override's block, which replaces its own: its calls go to the sandbox, never to
the address it names, and a shared AWS config that says to ignore endpoint URLs set elsewhere does not
apply. Real Terraform, the real AWS provider, a data source read at plan time.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import boto3
import pytest

from infraplane.adapters.sandbox.control import SandboxInfo
from infraplane.adapters.sandbox.provider import sandbox_target
from tests.support.terraform_runs import (
    REQUIRES_AWS,
    memory_state_server,
    module_blueprint,
    needs_terraform,
    runner_for,
    terraform_blueprint,
)

pytestmark = needs_terraform

PROVIDER = (
    REQUIRES_AWS
    + """
variable "path" {
  type = string
}

data "aws_ssm_parameters_by_path" "found" {
  path = var.path
}

output "names" {
  value = data.aws_ssm_parameters_by_path.found.names
}

provider "aws" {
  region = "us-east-1"
"""
)
# Nothing listens on port 1: a read sent there fails at once.
OWN_ENDPOINTS = '  endpoints {\n    ssm = "http://127.0.0.1:1"\n  }\n'


def _names_read(tmp_path: Path, sandbox: SandboxInfo, provider_body: str) -> tuple[list[str], str]:
    path = f"/endpoints-test/{tmp_path.name}"
    client = boto3.client(
        "ssm", endpoint_url=sandbox.endpoint, region_name="us-east-1", aws_access_key_id="t", aws_secret_access_key="t"
    )
    client.put_parameter(Name=f"{path}/one", Value="1", Type="String")
    home = tmp_path / "home"
    module = PROVIDER + provider_body + "}\n"
    blueprint = module_blueprint(
        tmp_path / "module", module, terraform_blueprint("reader", {"path": {"type": "string"}}, ["names"])
    )
    runner = runner_for(home, tmp_path / "plugins")
    with memory_state_server() as server:
        request = replace(
            blueprint.request(server, home, "env", "reader", {"path": path}), target=sandbox_target(sandbox.endpoint)
        )
        plan = runner.plan(request, lambda _e: None)
        outputs = runner.apply(request, plan, lambda _e: None)
        override = (runner.module_dir(request) / "_infraplane_override.tf").read_text(encoding="utf-8")
    return list(outputs.values["names"]), override


def test_a_module_without_endpoints_reaches_the_sandbox_through_the_environment(
    tmp_path: Path, sandbox: SandboxInfo, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Not even when the operator's shared AWS config says to ignore endpoint URLs set outside the provider block.
    operator = tmp_path / "operator"
    (operator / ".aws").mkdir(parents=True)
    (operator / ".aws" / "config").write_text("[default]\nignore_configured_endpoint_urls = true\n", encoding="utf-8")
    monkeypatch.setenv("HOME", str(operator))
    names, override = _names_read(tmp_path, sandbox, "")
    assert names == [f"/endpoints-test/{tmp_path.name}/one"]
    assert "endpoints" not in override and '"test"' in override


def test_a_module_naming_its_own_endpoints_still_reaches_only_the_sandbox(tmp_path: Path, sandbox: SandboxInfo) -> None:
    names, override = _names_read(tmp_path, sandbox, OWN_ENDPOINTS)
    assert names == [f"/endpoints-test/{tmp_path.name}/one"]
    assert "endpoints {" in override and sandbox.endpoint.rstrip("/") in override
