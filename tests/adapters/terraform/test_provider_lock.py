"""The provider packages are checked against the lock file once per init, and a package changed since is refused.

Real Terraform and the real AWS provider, installed from a mirror of this test's own whose package files
link to the machine's mirror, so that the test can change one. The module needs the provider's schema
only (no provider block, no resource of it): each plan starts the provider once.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from infraplane.adapters.terraform.cli_config import write_cli_config
from infraplane.adapters.terraform.provider_lock import KEPT_LOCK, LOCK_FILE
from infraplane.adapters.terraform.runner import TerraformRunner
from infraplane.core.runs import PlanSummary, RunEvent
from infraplane.errors import FailureError
from tests.support.terraform_runs import (
    MIRROR,
    REQUIRES_AWS,
    TERRAFORM,
    memory_state_server,
    module_blueprint,
    needs_terraform,
    terraform_blueprint,
)

pytestmark = needs_terraform

MODULE = (
    REQUIRES_AWS
    + """
variable "name" {
  type = string
}

resource "terraform_data" "named" {
  input = var.name
}
"""
)
PACKAGE = Path("registry.terraform.io/hashicorp/aws")


def _linked_mirror(mirror: Path) -> Path:
    """A mirror holding the machine's AWS provider, each file a link to the machine mirror's own."""
    assert MIRROR is not None
    [platform] = sorted((MIRROR / PACKAGE).glob("*/*"))  # version/platform
    copy = mirror / PACKAGE / platform.relative_to(MIRROR / PACKAGE)
    copy.mkdir(parents=True)
    for path in platform.iterdir():
        (copy / path.name).symlink_to(path)
    return copy


def _steps(events: list[RunEvent]) -> list[str]:
    return [e.message for e in events if e.kind == "tool-started"]


def test_packages_are_hashed_once_per_init_and_a_changed_package_is_refused(tmp_path: Path) -> None:
    assert TERRAFORM is not None
    package = _linked_mirror(tmp_path / "mirror")
    home = tmp_path / "home"
    config = write_cli_config(home / "terraform" / "terraformrc", tmp_path / "cache", tmp_path / "mirror")
    runner = TerraformRunner(TERRAFORM, config, tmp_path / "cache", sleep=lambda _s: None)
    module = module_blueprint(tmp_path / "module", MODULE, terraform_blueprint("named", {"name": {"type": "string"}}))

    def plan(name: str) -> tuple[list[str], PlanSummary]:
        events: list[RunEvent] = []
        with memory_state_server() as server:
            made = runner.plan(module.request(server, home, "env", "named", {"name": name}), events.append)
        return _steps(events), made

    assert plan("a")[0] == ["init", "plan", "show"]
    work = home / "work" / "env" / "named" / "blueprint"
    # Init verified the package: Terraform's lock file is kept, and the one later commands read has no hashes.
    assert "h1:" in (work / KEPT_LOCK).read_text(encoding="utf-8")
    lock = (work / LOCK_FILE).read_text(encoding="utf-8")
    assert "hashes" not in lock and 'version     = "5.' in lock

    assert plan("b")[0] == ["plan", "show"]  # the same packages: no init, and a lock file without hashes

    # A file of the package replaced by a copy (the same content): init again, which verifies it against the hashes.
    license_file = next(p for p in package.iterdir() if not p.name.startswith("terraform-provider"))
    original = license_file.resolve()
    license_file.unlink()
    shutil.copyfile(original, license_file)
    steps, made = plan("c")
    assert steps == ["init", "plan", "show"] and "hashes" not in (work / LOCK_FILE).read_text(encoding="utf-8")

    # The provider replaced by another program after the plan: its apply is refused, and so is the next plan.
    [binary] = [p for p in package.iterdir() if p.name.startswith("terraform-provider")]
    binary.unlink()
    binary.write_text("#!/bin/sh\nexit 1\n", encoding="utf-8")
    binary.chmod(0o755)
    with memory_state_server() as server, pytest.raises(FailureError, match="does not match any of the checksums"):
        runner.apply(module.request(server, home, "env", "named", {"name": "c"}), made, lambda _e: None)
    assert "h1:" in (work / LOCK_FILE).read_text(encoding="utf-8")  # Terraform's own check is back
    with pytest.raises(FailureError, match="the local package for"):
        plan("d")
