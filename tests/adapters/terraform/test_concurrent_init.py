"""Eight components initialized at once against one INFRAPLANE_HOME, read and planned: no provider-install race.

Real terraform, real provider mirror, infraplane's own CLI configuration and runner. Before the
mirror configuration had no plugin cache, a plan could read a cache entry that a concurrent `init`
in another work directory was re-installing ("there is no package for ... cached in .terraform/providers").
"""

from __future__ import annotations

import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from infraplane.adapters.archive import digest_of, pack_directory
from infraplane.adapters.terraform.cli_config import discover_mirror, write_cli_config
from infraplane.adapters.terraform.runner import TerraformRunner
from infraplane.adapters.terraform.state_server import StateCallbacks, StateServer
from infraplane.core.blueprint import parse_blueprint
from infraplane.core.runs import PlanSummary, RunEvent, RunRequest, Target

MIRROR = discover_mirror()
TERRAFORM = shutil.which("terraform")
COMPONENTS = 8
ROUNDS = 3

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(TERRAFORM is None or MIRROR is None, reason="needs terraform and the AWS provider mirror"),
]

MODULE = """
terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "~> 5.0" }
  }
}

variable "name" {
  type = string
}

provider "aws" {
  region                      = "us-east-1"
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
}

resource "aws_ssm_parameter" "marker" {
  name  = "/concurrent-init/${var.name}"
  type  = "String"
  value = var.name
}
"""

BLUEPRINT = {
    "apiVersion": "infraplane.dev/v1",
    "kind": "Blueprint",
    "metadata": {"name": "concurrent-marker", "version": "1.0.0", "description": "d", "owner": "platform-team"},
    "spec": {"runner": "terraform", "source": ".", "inputs": {"name": {"type": "string"}}, "required": ["name"]},
}


def terraform_providers(module: Path, request: RunRequest) -> subprocess.CompletedProcess[str]:
    assert TERRAFORM is not None
    environment = {"PATH": "/usr/bin:/bin", "CHECKPOINT_DISABLE": "1", **request.backend}
    return subprocess.run(
        [TERRAFORM, "providers", "-no-color"], cwd=module, capture_output=True, text=True, check=False, env=environment
    )


def test_eight_inits_at_once_then_plans_never_miss_a_provider(tmp_path: Path) -> None:
    assert TERRAFORM is not None
    source = tmp_path / "source"
    source.mkdir()
    (source / "main.tf").write_text(MODULE, encoding="utf-8")
    archive = pack_directory(source)
    blueprint, problems = parse_blueprint(BLUEPRINT, "blueprint.yaml")
    assert blueprint is not None, problems

    home = tmp_path / "home"
    plugin_cache = tmp_path / "plugin-cache"
    runner = TerraformRunner(
        TERRAFORM, write_cli_config(home / "terraform" / "terraformrc", plugin_cache, MIRROR), plugin_cache
    )
    states: dict[tuple[str, str], bytes] = {}
    callbacks = StateCallbacks(
        read=lambda e, c: states.get((e, c)),
        write=lambda e, c, body: states.__setitem__((e, c), body),
        holds_lease=lambda _e, _c: True,
    )
    events: list[RunEvent] = []

    with StateServer(callbacks) as server:
        for round_number in range(ROUNDS):
            requests = [
                RunRequest(
                    environment="race",
                    component=f"c{index}",
                    blueprint=blueprint,
                    archive=archive,
                    # A new digest each round: the work dir is unpacked anew, without a lock file, as after a publish.
                    digest=f"{digest_of(archive)}-{round_number}",
                    workdir=home / "work" / "race" / f"c{index}",
                    inputs={"name": f"c{index}"},
                    context={},
                    target=Target("aws"),
                    backend=server.backend_environment("race", f"c{index}"),
                )
                for index in range(COMPONENTS)
            ]
            last_round = round_number == ROUNDS - 1

            def init_then_read(request: RunRequest, plan: bool = last_round) -> PlanSummary | None:
                # Each component reads its providers while the others may still be installing theirs.
                module = runner._init(request, events.append)
                checked = terraform_providers(module, request)
                assert checked.returncode == 0, checked.stderr
                assert "registry.terraform.io/hashicorp/aws" in checked.stdout
                return runner.plan(request, events.append) if plan else None

            with ThreadPoolExecutor(COMPONENTS) as pool:
                plans = list(pool.map(init_then_read, requests))
            if last_round:
                assert [(p.component, p.add, p.change, p.destroy) for p in plans if p is not None] == [
                    (f"c{index}", 1, 0, 0) for index in range(COMPONENTS)
                ]

    # With the mirror holding the provider, init links straight to the mirror; the shared cache stays empty.
    for index in range(COMPONENTS):
        linked = home / "work" / "race" / f"c{index}" / "blueprint" / ".terraform" / "providers"
        platform_dirs = list(linked.glob("registry.terraform.io/hashicorp/aws/*/*"))
        assert platform_dirs, linked
        # The link itself (not what it finally resolves to) points into the mirror, which nobody rewrites.
        assert all(MIRROR in p.readlink().parents for p in platform_dirs), platform_dirs
    assert not any(plugin_cache.iterdir())
    assert not [e for e in events if e.action == "retry"], "a provider-install race was retried"
