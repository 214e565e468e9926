"""An apply's outputs come from its own `-json` stream; `terraform output` runs only for a sensitive output.

`terraform output` would be one more Terraform process reading the state back from the backend, so
the runner reads the outputs Terraform prints at the end of the apply. The stream leaves a
sensitive output's value out: then `output -json` gives it. Real Terraform, `terraform_data` only.
"""

from __future__ import annotations

from pathlib import Path

from infraplane.core.runs import OutputValues, RunRequest
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
  input = { name = var.name, sizes = [1, 2] }
}

output "named" {
  value = terraform_data.named.output
}

output "id" {
  value = terraform_data.named.id
}
"""
SECRET = """
output "token" {
  value     = "token-for-${var.name}"
  sensitive = true
}
"""


def _applied(tmp_path: Path, module: str, outputs: list[str]) -> tuple[dict[str, object], frozenset[str], list[str]]:
    home = tmp_path / "home"
    blueprint = module_blueprint(
        tmp_path / "module", module, terraform_blueprint("named", {"name": {"type": "string"}}, outputs)
    )
    runner = runner_for(home, tmp_path / "plugins")
    read = runner.outputs
    steps: list[str] = []

    def outputs(request: RunRequest) -> OutputValues:
        steps.append("output")
        return read(request)

    runner.outputs = outputs  # type: ignore[method-assign]
    with memory_state_server() as server:
        request = blueprint.request(server, home, "env", "named", {"name": "orders"})
        plan = runner.plan(request, lambda _e: None)
        produced = runner.apply(request, plan, lambda e: steps.append(e.message) if e.kind == "tool-started" else None)
        # What `terraform output -json` reads from the state is what the stream gave.
        assert read(request) == produced
    return dict(produced.values), produced.sensitive, steps


def test_outputs_are_read_from_the_apply_stream(tmp_path: Path) -> None:
    values, sensitive, steps = _applied(tmp_path, MODULE, ["named", "id"])
    assert steps == ["apply"]
    assert values["named"] == {"name": "orders", "sizes": [1, 2]} and isinstance(values["id"], str) and values["id"]
    assert sensitive == frozenset()


def test_a_sensitive_output_is_read_with_terraform_output(tmp_path: Path) -> None:
    values, sensitive, steps = _applied(tmp_path, MODULE + SECRET, ["named", "token"])
    assert steps == ["apply", "output"]
    assert values["token"] == "token-for-orders" and sensitive == frozenset({"token"})
