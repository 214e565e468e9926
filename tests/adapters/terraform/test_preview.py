"""A preview plan with real Terraform: waiting inputs are "known after apply", never placeholders.

The module only uses `terraform_data`, so no cloud is needed: what is checked is how Terraform
itself holds the unknown inputs, and that the plan reads as the component's own (addresses,
configuration), with no state written and no plan file left to apply.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from infraplane.core.preview import UNCHECKED_RULE, unchecked_findings
from infraplane.errors import FailureError
from tests.support.terraform_runs import (
    memory_state_server,
    module_blueprint,
    needs_terraform,
    runner_for,
    terraform_blueprint,
)

pytestmark = [
    pytest.mark.slow,
    needs_terraform,
]

MODULE = """
variable "name" {
  type = string
}

variable "token" {
  type      = string
  sensitive = true
}

variable "vpc_id" {
  type = string
}

variable "subnet_ids" {
  type = list(string)

  validation {
    condition     = length(var.subnet_ids) >= 2
    error_message = "subnet_ids needs at least 2 subnets."
  }
}

resource "terraform_data" "group" {
  input = { name = var.name, vpc = var.vpc_id }
}

resource "terraform_data" "placement" {
  count = 2
  input = var.subnet_ids[count.index]
}

output "group" {
  value = terraform_data.group.output
}

output "token" {
  value     = var.token
  sensitive = true
}
"""
BLUEPRINT = terraform_blueprint(
    "grouped",
    {
        "name": {"type": "string"},
        "token": {"type": "string"},
        "vpc_id": {"type": "string"},
        "subnet_ids": {"type": "array", "items": {"type": "string"}},
    },
    ["group", "token"],
)


def test_a_preview_leaves_waiting_inputs_unknown_and_reads_as_the_component_itself(tmp_path: Path) -> None:
    blueprint = module_blueprint(tmp_path / "module", MODULE, BLUEPRINT)
    runner = runner_for(tmp_path / "home", tmp_path / "plugins")
    with memory_state_server() as server:
        inputs = {"name": "orders", "token": "s3cret-token-value", "vpc_id": "(waits)", "subnet_ids": "(waits)"}
        request = blueprint.request(server, tmp_path / "home", "shop", "grouped", inputs)
        summary = runner.preview(request, ["vpc_id", "subnet_ids"], lambda _e: None)

    assert summary is not None and summary.plan is not None
    assert (summary.add, summary.change, summary.destroy) == (3, 0, 0)
    assert summary.plan_file is None  # a preview is never applied
    assert not list((request.workdir / "preview").rglob("*.tfplan"))
    changes = {c.address: c for c in summary.plan.managed_changes()}
    assert set(changes) == {"terraform_data.group", "terraform_data.placement[0]", "terraform_data.placement[1]"}
    group = changes["terraform_data.group"]
    # Only what comes from a waiting input is unknown; the rest is planned as usual.
    assert group.module_address == "" and group.after_unknown["input"] == {"vpc": True}
    assert group.after["input"] == {"name": "orders"}
    assert group.expressions["input"].references[:2] == ("var.name", "var.vpc_id")
    # The placeholders never reach Terraform: nothing in the plan holds the runner's "(waits)" marker.
    assert "(waits)" not in json.dumps([c.as_dict() for c in changes.values()])
    kept = summary.plan_json.read_text() if summary.plan_json else ""
    assert "s3cret-token-value" not in kept and "module.component" not in kept

    [unchecked] = unchecked_findings("grouped", summary.plan, {"vpc_id": "network.vpc_id"})
    assert unchecked.rule == UNCHECKED_RULE and unchecked.severity == "warn"
    assert unchecked.address == "terraform_data.group" and unchecked.attribute == "input"
    assert "network.vpc_id" in unchecked.message


def test_a_module_terraform_cannot_plan_without_the_value_is_a_clear_failure(tmp_path: Path) -> None:
    counted = MODULE.replace("count = 2", "count = length(var.subnet_ids)")
    blueprint = module_blueprint(tmp_path / "module", counted, BLUEPRINT)
    runner = runner_for(tmp_path / "home", tmp_path / "plugins")
    with memory_state_server() as server:
        inputs = {"name": "orders", "token": "t", "vpc_id": "x", "subnet_ids": "x"}
        request = blueprint.request(server, tmp_path / "home", "shop", "grouped", inputs)
        with pytest.raises(FailureError, match="count"):
            runner.preview(request, ["subnet_ids"], lambda _e: None)
