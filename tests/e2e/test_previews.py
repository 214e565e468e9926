"""Previews on the real tools and the sandbox: a component waiting on another's outputs is reviewed before it
exists, and its apply-time plan must keep to what was reviewed.

`open-ssh` (a security group letting SSH in from `cidr`) reads its `cidr` from the output of a
`cidr-source` component. The preview cannot know the value, so it says what no policy could
check; planned with the real value at apply time, a private CIDR keeps to the preview and is
applied without asking again, while `0.0.0.0/0` brings a deny nobody reviewed: the apply stops
before touching the security group and the proposal goes back to decision.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from infraplane.adapters.sandbox.control import SandboxInfo
from tests.support.cli import run_cli
from tests.support.sandbox import aws

SOURCE_BLUEPRINT = """apiVersion: infraplane.dev/v1
kind: Blueprint
metadata:
  name: cidr-source
  version: 1.0.0
  description: Test blueprint that hands on a CIDR block once applied.
  owner: platform-team
  labels: [test]
spec:
  runner: terraform
  source: ./module
  inputs:
    cidr: {type: string, description: The CIDR to hand on}
  required: [cidr]
  outputs:
    cidr: {description: "The CIDR, known after apply"}
"""
SOURCE_MODULE = """variable "cidr" {
  type = string
}

resource "terraform_data" "cidr" {
  input = var.cidr
}

output "cidr" {
  value = terraform_data.cidr.output
}
"""


def _environment(tmp_path: Path, name: str, cidr: str) -> Path:
    file = tmp_path / f"{name}.yaml"
    file.write_text(
        "apiVersion: infraplane.dev/v1\nkind: Environment\n"
        f"metadata: {{name: {name}, team: shop, tier: dev}}\n"
        "spec:\n  components:\n"
        f'    source: {{blueprint: cidr-source, inputs: {{cidr: "{cidr}"}}}}\n'
        '    ssh: {blueprint: open-ssh, inputs: {cidr: "${components.source.outputs.cidr}"}}\n'
    )
    return file


def _groups(sandbox: SandboxInfo, name: str) -> list[str]:
    filters = [{"Name": "group-name", "Values": [name]}]
    return [g["GroupId"] for g in aws(sandbox, "ec2").describe_security_groups(Filters=filters)["SecurityGroups"]]


@pytest.mark.slow
def test_a_preview_is_reviewed_and_the_apply_keeps_to_it_or_goes_back_to_decision(
    cloud_home: Path, tmp_path: Path, sandbox: SandboxInfo
) -> None:
    catalog = tmp_path / "catalog" / "cidr-source"
    (catalog / "module").mkdir(parents=True)
    (catalog / "blueprint.yaml").write_text(SOURCE_BLUEPRINT)
    (catalog / "module" / "main.tf").write_text(SOURCE_MODULE)
    assert run_cli(cloud_home, "catalog", "publish", str(catalog)).exit_code == 0

    # Reviewed before `source` exists: the security group, its rule, and what no policy could check.
    planned = run_cli(cloud_home, "env", "plan", str(_environment(tmp_path, "kept", "10.1.0.0/16")), "--json")
    ssh = {c["name"]: c for c in planned.json()["components"]}["ssh"]
    assert ssh["status"] == "waits" and ssh["previewed"] is True and ssh["known_after_apply"] == ["cidr"]
    assert (ssh["add"], ssh["change"], ssh["destroy"]) == (2, 0, 0)
    [unchecked] = ssh["findings"]
    assert unchecked["rule"] == "preview.known-after-apply" and unchecked["severity"] == "warn"
    assert unchecked["address"] == "aws_vpc_security_group_ingress_rule.ssh" and "source.cidr" in unchecked["message"]

    # A private CIDR: the apply-time plan keeps to the preview, and goes on without asking again.
    kept = run_cli(cloud_home, "env", "up", str(_environment(tmp_path, "kept", "10.1.0.0/16")), "--yes", "--json")
    assert kept.exit_code == 0, kept.stdout + kept.stderr
    assert len(_groups(sandbox, "kept-ssh")) == 1

    # 0.0.0.0/0: planned with the real value, the rule is denied, which nobody reviewed.
    opened = run_cli(cloud_home, "env", "up", str(_environment(tmp_path, "opened", "0.0.0.0/0")), "--yes", "--json")
    assert opened.exit_code == 2, opened.stdout + opened.stderr
    assert "ssh departs from its preview: new deny finding NET-002" in opened.stderr
    assert "goes back to decision (now blocked" in opened.stderr
    assert _groups(sandbox, "opened-ssh") == []  # nothing of the component was created
    shown = run_cli(cloud_home, "env", "show", "opened", "--json").json()
    statuses = {c["name"]: c["status"] for c in shown["components"]}
    assert statuses["source"] == "applied" and statuses.get("ssh") != "applied"

    [proposal] = [p for p in run_cli(cloud_home, "proposal", "list", "--json").json() if p["environment"] == "opened"]
    again = run_cli(cloud_home, "proposal", "show", proposal["id"], "--json").json()
    assert again["status"] == "blocked" and "departs from its preview" in again["result"]
    ssh_now = {c["name"]: c for c in again["components"]}["ssh"]
    assert ssh_now["status"] == "planned" and ssh_now["previewed"] is False  # now planned for real
    assert [f["rule"] for f in again["findings"] if f["severity"] == "deny"] == ["NET-002"]

    events = run_cli(cloud_home, "audit", "log", "--json").json()
    [departed] = [e for e in events if e["action"] == "component.preview.depart"]
    assert departed["subject"] == "component:opened/ssh"
    assert any(e["action"] == "proposal.replan" and e["payload"]["transition"] == "depart" for e in events)
    assert run_cli(cloud_home, "audit", "verify").exit_code == 0
