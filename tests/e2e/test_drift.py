"""Drift checks on the real tools and the sandbox cloud: clean after apply, then out-of-band changes found."""

from __future__ import annotations

from pathlib import Path

import pytest

from infraplane.adapters.sandbox.control import SandboxInfo
from tests.support.cli import run_cli
from tests.support.sandbox import aws

ENVIRONMENT = """apiVersion: infraplane.dev/v1
kind: Environment
metadata: {name: drifty, team: shop, tier: dev}
spec:
  components:
    jobs: {blueprint: queue}
    ssh: {blueprint: open-ssh, inputs: {cidr: 10.0.0.0/8}}
"""


def _check(home: Path) -> tuple[int, list[dict]]:  # type: ignore[type-arg]
    result = run_cli(home, "drift", "check", "drifty", "--json")
    assert result.exit_code in (0, 1), result.stdout + result.stderr
    return result.exit_code, result.json()


@pytest.mark.slow
def test_drift_is_zero_after_apply_and_each_out_of_band_change_is_found(
    cloud_home: Path, tmp_path: Path, sandbox: SandboxInfo
) -> None:
    file = tmp_path / "drifty.yaml"
    file.write_text(ENVIRONMENT)
    up = run_cli(cloud_home, "env", "up", str(file), "--yes")
    assert up.exit_code == 0, up.stdout + up.stderr

    assert _check(cloud_home) == (0, [])
    assert _check(cloud_home) == (0, [])  # and again: no noise from a second refresh

    shown = run_cli(cloud_home, "env", "show", "drifty", "--json").json()
    outputs = {c["name"]: c["outputs"] for c in shown["components"]}
    group, queue_url, dlq_url = (
        outputs["ssh"]["security_group_id"],
        outputs["jobs"]["queue_url"],
        outputs["jobs"]["dlq_url"],
    )
    ec2, sqs = aws(sandbox, "ec2"), aws(sandbox, "sqs")
    ec2.authorize_security_group_ingress(
        GroupId=group,
        IpPermissions=[{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
    )
    sqs.set_queue_attributes(QueueUrl=queue_url, Attributes={"VisibilityTimeout": "600"})
    sqs.tag_queue(QueueUrl=queue_url, Tags={"added-by": "hand"})
    sqs.delete_queue(QueueUrl=dlq_url)

    code, items = _check(cloud_home)
    assert code == 1
    found = {(i["component"], i["address"], i["attribute"], i["kind"]) for i in items}
    assert ("jobs", "aws_sqs_queue.this", "visibility_timeout_seconds", "changed") in found
    assert ("jobs", "aws_sqs_queue.this", "tags.added-by", "added") in found
    assert ("jobs", "aws_sqs_queue.dlq", None, "deleted") in found
    ssh = [i for i in items if i["component"] == "ssh"]
    assert ssh and all(i["address"] == "aws_security_group.ssh" and i["attribute"] == "ingress" for i in ssh), items
    assert all(i["severity"] == "high" and i["rule"] == "NET-002" for i in ssh), ssh  # judged by the guardrails
    assert all(i["severity"] is None and i["rule"] is None for i in items if i["component"] == "jobs"), items
    assert len(items) == 4, items
    for item in items:
        assert set(item) >= {"environment", "component", "address", "attribute", "kind", "severity", "rule"}
        assert item["environment"] == "drifty"
    events = run_cli(cloud_home, "audit", "log", "--action", "drift.check", "--json").json()
    assert [e["subject"] for e in events] == ["environment:drifty"] * 3
