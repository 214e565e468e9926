"""`terraform init` runs once per configuration of a work directory, not once per command.

The module only uses `terraform_data` (no provider to start), so what is checked is the runner's
own bookkeeping with the real Terraform: a second process (a new runner) planning through another
state server address (a new command) needs no init, and anything init depends on (the archive, the
generated backend and provider files, the provider lock file) brings it back.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from infraplane.core.runs import RunEvent
from infraplane.errors import FailureError
from tests.support.terraform_runs import (
    memory_state_server,
    module_blueprint,
    needs_terraform,
    runner_for,
    terraform_blueprint,
)

pytestmark = needs_terraform

MODULE = """
variable "name" {
  type = string
}

resource "terraform_data" "named" {
  input = var.name
}
"""
BLUEPRINT = terraform_blueprint("named", {"name": {"type": "string"}})


def _steps(events: list[RunEvent]) -> list[str]:
    return [e.message for e in events if e.kind == "tool-started"]


def test_a_prepared_work_directory_is_planned_without_init_until_its_configuration_changes(tmp_path: Path) -> None:
    home, cache = tmp_path / "home", tmp_path / "cache"
    module = module_blueprint(tmp_path / "module", MODULE, BLUEPRINT)

    events: list[RunEvent] = []
    with memory_state_server() as server:
        request = module.request(server, home, "env", "named", {"name": "a"})
        first = runner_for(home, cache).plan(request, events.append)
    assert first.add == 1 and _steps(events) == ["init", "plan", "show"]

    # Another process, another state server address: the directory is prepared for this configuration.
    events.clear()
    with memory_state_server() as server:
        request = module.request(server, home, "env", "named", {"name": "b"})
        second = runner_for(home, cache).plan(request, events.append)
    assert second.add == 1 and _steps(events) == ["plan", "show"]

    # A `.terraform` directory cleaned away (or any generated file, or the lock file, changed) means init again.
    shutil.rmtree(runner_for(home, cache).module_dir(request) / ".terraform")
    events.clear()
    with memory_state_server() as server:
        runner_for(home, cache).plan(module.request(server, home, "env", "named", {"name": "b"}), events.append)
    assert _steps(events) == ["init", "plan", "show"]

    # A new archive (another blueprint version) is unpacked afresh and initialized.
    changed = module_blueprint(tmp_path / "module2", MODULE + "\n# 1.0.1\n", BLUEPRINT)
    events.clear()
    with memory_state_server() as server:
        runner_for(home, cache).plan(changed.request(server, home, "env", "named", {"name": "c"}), events.append)
    assert _steps(events) == ["init", "plan", "show"]


def test_an_init_that_failed_is_not_remembered(tmp_path: Path) -> None:
    home, cache = tmp_path / "home", tmp_path / "cache"
    broken = module_blueprint(tmp_path / "module", MODULE + '\nmodule "gone" {\n  source = "./nowhere"\n}\n', BLUEPRINT)
    for _ in range(2):
        events: list[RunEvent] = []
        with memory_state_server() as server, pytest.raises(FailureError, match="init failed"):
            runner_for(home, cache).plan(broken.request(server, home, "env", "named", {"name": "a"}), events.append)
        assert _steps(events)[:1] == ["init"]
