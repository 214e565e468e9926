"""Eight components initialized at once (twice) on one INFRAPLANE_HOME, packages checked, two planned: no race.

Real terraform, real provider mirror, infraplane's own CLI configuration and runner. Before the
mirror configuration had no plugin cache, a plan could read a cache entry that a concurrent `init`
in another work directory was re-installing ("there is no package for ... cached in .terraform/providers").
"""

from __future__ import annotations

import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from infraplane.core.runs import PlanSummary, RunEvent, RunRequest
from tests.support.terraform_runs import (
    MIRROR,
    REQUIRES_AWS,
    TERRAFORM,
    memory_state_server,
    module_blueprint,
    needs_terraform,
    runner_for,
    terraform_blueprint,
)

COMPONENTS = 8
ROUNDS = 2
PLANNED = ("c0", "c1")

pytestmark = [
    pytest.mark.slow,
    needs_terraform,
]

MODULE = (
    REQUIRES_AWS
    + """
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
)

BLUEPRINT = terraform_blueprint("concurrent-marker", {"name": {"type": "string"}})


def terraform(module: Path, request: RunRequest, command: str) -> subprocess.CompletedProcess[str]:
    assert TERRAFORM is not None
    environment = {"PATH": "/usr/bin:/bin", "CHECKPOINT_DISABLE": "1", **request.backend}
    return subprocess.run(
        [TERRAFORM, command, "-no-color"], cwd=module, capture_output=True, text=True, check=False, env=environment
    )


def test_eight_inits_at_once_then_plans_never_miss_a_provider(tmp_path: Path) -> None:
    assert TERRAFORM is not None
    module = module_blueprint(tmp_path / "source", MODULE, BLUEPRINT)
    home = tmp_path / "home"
    plugin_cache = tmp_path / "plugin-cache"
    runner = runner_for(home, plugin_cache)
    events: list[RunEvent] = []

    with memory_state_server() as server:
        for round_number in range(ROUNDS):
            # A new digest each round: the work dir is unpacked anew, without a lock file, as after a publish.
            requests = [
                module.request(server, home, "race", f"c{i}", {"name": f"c{i}"}, f"{module.digest}-{round_number}")
                for i in range(COMPONENTS)
            ]
            last_round = round_number == ROUNDS - 1

            def init_then_read(request: RunRequest, last: bool = last_round) -> PlanSummary | None:
                # Each component reads its providers while the others may still be installing theirs:
                # `terraform providers` checks the installed package against the lock file, and fails with
                # the race's error ("there is no package for ... cached in .terraform/providers").
                module = runner._init(request, events.append)
                checked = terraform(module, request, "providers")
                assert checked.returncode == 0, checked.stderr
                assert "registry.terraform.io/hashicorp/aws" in checked.stdout
                # In the last round two components also plan through the runner (a plan starts the provider
                # three times).
                return runner.plan(request, events.append) if last and request.component in PLANNED else None

            with ThreadPoolExecutor(COMPONENTS) as pool:
                plans = list(pool.map(init_then_read, requests))
            if last_round:
                assert [(p.component, p.add, p.change, p.destroy) for p in plans if p is not None] == [
                    (name, 1, 0, 0) for name in PLANNED
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
