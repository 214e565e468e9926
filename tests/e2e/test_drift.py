"""Drift on the real tools and the sandbox cloud, one environment through the whole story.

Clean after apply (twice); out-of-band changes found and classified; the automatic revert they open is the
one `drift revert` shows, and once approved and applied the next check is clean; an accept of a fixed value
is refused with the reason, an accept of an input-mapped value makes a revision with the new input;
resources made by hand are listed as unmanaged with import suggestions that pass `terraform validate`;
and `kpi --json` gives the figures computed here from the audit trail.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from infraplane.adapters.sandbox.control import SandboxInfo
from tests.support.cli import run_cli
from tests.support.sandbox import aws

ENVIRONMENT = """apiVersion: infraplane.dev/v1
kind: Environment
metadata: {name: drifty, team: shop, tier: staging}
spec:
  components:
    jobs: {blueprint: queue}
    ssh: {blueprint: open-ssh, inputs: {cidr: 10.0.0.0/8}}
"""


def _check(home: Path) -> tuple[int, list[dict[str, Any]]]:
    result = run_cli(home, "drift", "check", "drifty", "--json")
    assert result.exit_code in (0, 1), result.stdout + result.stderr
    return result.exit_code, result.json()


def _approve_and_apply(home: Path, proposal_id: str) -> None:
    approved = run_cli(home, "--as", "bob", "proposal", "approve", proposal_id)
    assert approved.exit_code == 0, approved.stdout + approved.stderr
    applied = run_cli(home, "--as", "alice", "proposal", "apply", proposal_id)
    assert applied.exit_code == 0, applied.stdout + applied.stderr


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


@pytest.mark.slow
def test_drift_is_found_reverted_accepted_and_measured(cloud_home: Path, tmp_path: Path, sandbox: SandboxInfo) -> None:
    (cloud_home / "config.yaml").write_text("drift:\n  auto_revert: {staging: [high]}\n")
    file = tmp_path / "drifty.yaml"
    file.write_text(ENVIRONMENT)
    up = run_cli(cloud_home, "--as", "alice", "env", "up", str(file), "--json")
    assert up.exit_code == 0, up.stdout + up.stderr
    created = json.loads(up.stdout.splitlines()[-1])["proposal"]
    _approve_and_apply(cloud_home, created["id"])

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

    found_drift = run_cli(cloud_home, "drift", "check", "drifty", "--json")
    assert found_drift.exit_code == 1, found_drift.stdout + found_drift.stderr
    items = found_drift.json()
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
    assert "revert proposal p-" in found_drift.stderr  # drift.auto_revert: high drift in staging

    # The security group's rule is no input of open-ssh: accepting it is refused, and the reason said.
    refused = run_cli(cloud_home, "drift", "accept", "drifty", "--component", "ssh", "--json")
    assert refused.exit_code == 2, refused.stdout + refused.stderr
    assert "aws_security_group.ssh.ingress" in refused.stderr and "the blueprint fixes this value" in refused.stderr
    assert "new blueprint version" in refused.stderr

    # The automatic revert is the one `drift revert` shows (never two); a person approves and applies it.
    proposed = run_cli(cloud_home, "--as", "alice", "drift", "revert", "drifty", "--json")
    assert proposed.exit_code == 0, proposed.stdout + proposed.stderr
    revert = proposed.json()
    assert revert["existing"] is True and revert["kind"] == "drift-revert" and revert["id"].startswith("p-")
    assert revert["actor"] == {"kind": "system", "id": "infraplane"} and revert["status"] == "pending"
    replaced = {c["name"]: c["replace"] for c in revert["components"]}
    assert replaced == {"jobs": [], "ssh": ["aws_security_group.ssh"]}  # a plain apply keeps an unset attribute
    reverted = {(d["component"], d["address"], d["attribute"]) for d in revert["drift"]["reverts"]}
    assert ("ssh", "aws_security_group.ssh", "ingress") in reverted and ("jobs", "aws_sqs_queue.dlq", None) in reverted
    _approve_and_apply(cloud_home, revert["id"])
    assert _check(cloud_home) == (0, [])

    # A value the environment decides (the queue's visibility timeout is `var.visibility_timeout_seconds`).
    sqs.set_queue_attributes(QueueUrl=queue_url, Attributes={"VisibilityTimeout": "120"})
    accepted = run_cli(cloud_home, "--as", "alice", "drift", "accept", "drifty", "--component", "jobs", "--json")
    assert accepted.exit_code == 0, accepted.stdout + accepted.stderr
    accept = accepted.json()
    assert accept["accepted"] == [
        {
            "component": "jobs",
            "address": "aws_sqs_queue.this",
            "attribute": "visibility_timeout_seconds",
            "input": "spec.components.jobs.inputs.visibility_timeout_seconds",
            "value": 120,
        }
    ]
    assert (
        accept["proposal"]["kind"] == "drift-accept" and accept["proposal"]["drift"]["accepted"] == accept["accepted"]
    )
    _approve_and_apply(cloud_home, accept["id"])
    # The revert applied revision 1 again (the desired state did not change); the accept made revision 2.
    history = run_cli(cloud_home, "env", "history", "drifty", "--json").json()
    assert [(r["revision"], r["kind"]) for r in history] == [(1, "drift-revert"), (2, "drift-accept")]
    committed = yaml.safe_load((cloud_home / "environments" / "drifty.yaml").read_text())
    assert committed["spec"]["components"]["jobs"]["inputs"]["visibility_timeout_seconds"] == 120
    assert committed["status"]["revision"] == 2

    # Made by hand, managed by no state: listed with import suggestions that pass `terraform validate`.
    bucket = f"stray-{uuid.uuid4().hex[:8]}"
    aws(sandbox, "s3").create_bucket(Bucket=bucket)
    stray_queue = sqs.create_queue(QueueName=f"stray-{uuid.uuid4().hex[:8]}", tags={"managed-by": "cdk"})["QueueUrl"]
    listed = run_cli(cloud_home, "unmanaged", "list", "--json")
    assert listed.exit_code == 0, listed.stderr
    unmanaged = {r["id"]: r for r in listed.json()}
    assert unmanaged[bucket]["type"] == "s3-bucket" and unmanaged[bucket]["terraform_type"] == "aws_s3_bucket"
    assert unmanaged[stray_queue]["terraform_type"] == "aws_sqs_queue" and unmanaged[stray_queue]["managed_by"] == "cdk"
    assert all(r["region"] for r in unmanaged.values())
    managed_now = run_cli(cloud_home, "env", "show", "drifty", "--json").json()["components"]
    managed = {
        v for c in managed_now for k, v in c["outputs"].items() if k in ("queue_url", "dlq_url", "security_group_id")
    }
    assert len(managed) == 3 and not managed & set(unmanaged), managed & set(unmanaged)
    suggested = run_cli(
        cloud_home, "unmanaged", "suggest", bucket, stray_queue, "--dir", str(tmp_path / "imports"), "--json"
    )
    assert suggested.exit_code == 0, suggested.stdout + suggested.stderr
    suggestion = suggested.json()
    assert suggestion["valid"] is True and {i["id"] for i in suggestion["imports"]} == {bucket, stray_queue}
    generated = (tmp_path / "imports" / "generated.tf").read_text()
    assert 'resource "aws_s3_bucket"' in generated and 'resource "aws_sqs_queue"' in generated
    assert (tmp_path / "imports" / "imports.tf").read_text().count("import {") == 2

    # The KPIs of this story, computed here from the audit trail and the proposals.
    events = run_cli(cloud_home, "audit", "log", "--json").json()
    checks = [e for e in events if e["action"] == "drift.check"]
    assert [c["payload"]["drifted"] > 0 for c in checks] == [False, False, True, False]
    applied = {e["subject"].split(":")[1]: _time(e["time"]) for e in events if e["action"] == "proposal.apply.finish"}
    approved = {
        e["subject"].split(":")[1]: _time(e["time"])
        for e in events
        if e["action"] == "proposal.approve" and e["payload"]["to"] == "approved"
    }
    proposals = run_cli(cloud_home, "proposal", "list", "--json").json()
    created_at = {p["id"]: _time(p["created_at"]) for p in proposals}
    assert set(applied) == set(created_at) == set(approved) and len(created_at) == 3
    hits = [p for p in proposals if run_cli(cloud_home, "proposal", "show", p["id"], "--json").json()["findings"]]
    kpi = run_cli(cloud_home, "kpi", "--since", "1d", "--json")
    assert kpi.exit_code == 0, kpi.stderr
    figures = kpi.json()
    drift = figures["drift"]
    assert (drift["checks"], drift["checks_with_drift"], drift["drift_rate"]) == (4, 1, 0.25)
    assert drift["environments_drifted_now"] == [] and (drift["episodes"], drift["open_episodes"]) == (1, 0)
    detected = _time(checks[2]["time"])
    assert drift["mean_time_to_detect_seconds"] == pytest.approx(
        (detected - _time(checks[1]["time"])).total_seconds(), abs=0.1
    )
    to_remediation = (applied[revert["id"]] - detected).total_seconds()
    assert drift["time_to_remediation"]["count"] == 1
    assert drift["time_to_remediation"]["p50_seconds"] == pytest.approx(to_remediation, abs=0.1)
    assert drift["time_to_remediation"]["p90_seconds"] == pytest.approx(to_remediation, abs=0.1)
    assert figures["policy"]["proposals"] == 3
    assert figures["policy"]["hit_rate"] == pytest.approx(round(len(hits) / 3, 4))
    leads = [(approved[i] - created_at[i]).total_seconds() for i in created_at]
    assert figures["approval_lead_time"]["count"] == 3
    assert figures["approval_lead_time"]["p50_seconds"] == pytest.approx(_quantile(leads, 0.5), abs=0.1)
    assert figures["approval_lead_time"]["p90_seconds"] == pytest.approx(_quantile(leads, 0.9), abs=0.1)
    dora = figures["dora"]
    assert dora["deployments"] == 3 and dora["deployment_frequency_per_day"] == pytest.approx(3.0)
    assert (dora["failed_deployments"], dora["change_failure_rate"], dora["time_to_restore"]["count"]) == (0, 0.0, 0)
    changes = [(applied[i] - created_at[i]).total_seconds() for i in created_at]
    assert dora["lead_time_for_changes"]["p50_seconds"] == pytest.approx(_quantile(changes, 0.5), abs=0.1)
