"""Guardrails wired into orchestration: request checks before planning, plan checks after it, budgets; a deny blocks."""

from __future__ import annotations

from pathlib import Path

import pytest

from infraplane.adapters.sandbox.control import SandboxInfo
from tests.support.cli import run_cli
from tests.support.sandbox import aws

BUNDLES = Path(__file__).resolve().parents[1] / "fixtures" / "bundles"
LEGACY_SPEC = (
    "  inputs: {service: legacy}\n  components:\n    note: {blueprint: marker, inputs: {value: '${inputs.service}'}}\n"
)


def _env(tmp_path: Path, name: str, tier: str, spec: str) -> Path:
    file = tmp_path / f"{name}.yaml"
    header = f"apiVersion: infraplane.dev/v1\nkind: Environment\nmetadata: {{name: {name}, team: shop, tier: {tier}}}\n"
    file.write_text(f"{header}spec:\n{spec}")
    return file


@pytest.mark.slow
def test_a_deny_on_the_plan_blocks_the_apply_with_every_finding(
    cloud_home: Path, tmp_path: Path, sandbox: SandboxInfo
) -> None:
    file = _env(tmp_path, "sshy", "dev", "  blueprint: open-ssh\n")
    planned = run_cli(cloud_home, "env", "plan", str(file), "--json")
    assert planned.exit_code == 1
    policy = planned.json()["policy"]
    assert policy["denied"] is True
    [finding] = [f for f in policy["findings"] if f["severity"] == "deny"]
    assert finding["rule"] == "NET-002" and finding["component"] == "open-ssh" and finding["remediation"]
    assert policy["bundles"][0]["name"] == "infraplane-baseline" and policy["bundles"][0]["digest"].startswith(
        "sha256:"
    )

    up = run_cli(cloud_home, "env", "up", str(file), "--yes")
    assert up.exit_code == 2, up.stdout + up.stderr
    assert "NET-002" in up.stdout and "fix:" in up.stdout and "blocked by 1 deny finding" in up.stderr
    groups = aws(sandbox, "ec2").describe_security_groups(Filters=[{"Name": "group-name", "Values": ["sshy-open-ssh"]}])
    assert groups["SecurityGroups"] == []  # nothing was applied
    decisions = [e for e in run_cli(cloud_home, "audit", "log", "--json").json() if e["action"] == "policy.decision"]
    assert decisions[-1]["payload"]["denied"] is True
    assert decisions[-1]["payload"]["findings"][0]["rule"] == "NET-002"

    fixed = _env(tmp_path, "sshy", "dev", "  blueprint: open-ssh\n  inputs: {cidr: 10.0.0.0/16}\n")
    assert run_cli(cloud_home, "env", "up", str(fixed), "--yes").exit_code == 0


def test_a_request_denied_by_a_team_bundle_never_reaches_a_runner(cloud_home: Path, tmp_path: Path) -> None:
    assert run_cli(cloud_home, "policy", "publish", str(BUNDLES / "team-rules")).exit_code == 0
    file = _env(
        tmp_path,
        "legacy-prod",
        "prod",
        LEGACY_SPEC,
    )
    result = run_cli(cloud_home, "env", "up", str(file), "--yes")
    assert result.exit_code == 2
    assert "TEAM-001" in result.stdout and "the request is denied" in result.stderr
    assert not (cloud_home / "work" / "legacy-prod").exists()
    # The team bundle is scoped to prod: the same request in dev passes.
    dev = _env(
        tmp_path,
        "legacy-dev",
        "dev",
        LEGACY_SPEC,
    )
    assert run_cli(cloud_home, "env", "plan", str(dev)).exit_code == 0


def test_a_budget_denies_with_the_numbers(cloud_home: Path, tmp_path: Path) -> None:
    (cloud_home / "config.yaml").write_text("budgets:\n  tiers: {dev: 5}\n")
    file = _env(tmp_path, "disky", "dev", "  blueprint: volume\n  inputs: {size_gb: 100}\n")
    planned = run_cli(cloud_home, "env", "plan", str(file), "--json")
    assert planned.exit_code == 1
    document = planned.json()
    [finding] = [f for f in document["policy"]["findings"] if f["rule"] == "COST-001"]
    assert "$8.00" in finding["message"] and "$5.00" in finding["message"] and "tier dev" in finding["message"]
    assert document["cost"] == {"before": 0.0, "after": 8.0, "delta": 8.0}
    cost = document["components"][0]["cost"]
    assert cost["resources"][0]["detail"].startswith("100 GB gp3")
