"""The example environment end to end on the sandbox: asked for in plain words, approved by a person, applied;
every example blueprint up, zero-change re-plan, down (itself a proposal).

This is the one full service-stack round trip of the suite (RDS alone waits ~80 s to create and ~60 s to
destroy in the AWS provider); it doubles as the sandbox conformance test of every example blueprint.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from infraplane.adapters.sandbox.control import SandboxInfo
from tests.conftest import EXAMPLE_ENVIRONMENTS
from tests.support.cli import run_cli
from tests.support.sandbox import aws

# The longest case of the suite: started first, on its own worker (see tests/conftest.py).
pytestmark = pytest.mark.xdist_group("service-stack")

ENV = "payments-staging"


def _tagged_vpcs(sandbox: SandboxInfo) -> list[dict]:  # type: ignore[type-arg]
    filters = [{"Name": "tag:environment", "Values": [ENV]}]
    return list(aws(sandbox, "ec2").describe_vpcs(Filters=filters)["Vpcs"])


def _leftovers(sandbox: SandboxInfo) -> dict[str, list[str]]:
    rds = aws(sandbox, "rds").describe_db_instances()["DBInstances"]
    cache = aws(sandbox, "elasticache").describe_replication_groups()["ReplicationGroups"]
    queues = aws(sandbox, "sqs").list_queues(QueueNamePrefix=ENV).get("QueueUrls", [])
    buckets = [b["Name"] for b in aws(sandbox, "s3").list_buckets()["Buckets"] if b["Name"].startswith(ENV)]
    parameters = aws(sandbox, "ssm").get_parameters_by_path(Path=f"/infraplane/{ENV}", Recursive=True)["Parameters"]
    subnet_groups = aws(sandbox, "rds").describe_db_subnet_groups()["DBSubnetGroups"]
    return {
        "vpcs": [v["VpcId"] for v in _tagged_vpcs(sandbox)],
        "db_instances": [d["DBInstanceIdentifier"] for d in rds if d["DBInstanceIdentifier"].startswith(ENV)],
        "db_subnet_groups": [g["DBSubnetGroupName"] for g in subnet_groups if g["DBSubnetGroupName"].startswith(ENV)],
        "replication_groups": [g["ReplicationGroupId"] for g in cache if g["ReplicationGroupId"].startswith(ENV)],
        "queues": queues,
        "buckets": buckets,
        "parameters": [p["Name"] for p in parameters],
    }


@pytest.mark.slow
def test_payments_staging_round_trip(cloud_home: Path, sandbox: SandboxInfo) -> None:
    (cloud_home / "config.yaml").write_text("groups:\n  platform-team: [bob]\n")
    words = "spin up a staging environment for the payments service"
    resolved = run_cli(cloud_home, "ask", words, "--dry-run", "--json").json()
    assert resolved == {
        "blueprint": "service-stack",
        "version": "1.0.0",
        "environment": {"name": ENV, "team": "payments", "tier": "staging"},
        "inputs": {"service": "payments"},
    }
    asked = run_cli(cloud_home, "--as", "alice", "ask", words, "--json")
    assert asked.exit_code == 0, asked.stdout + asked.stderr
    proposal = json.loads(asked.stdout.splitlines()[-1])["proposal"]
    assert proposal["kind"] == "create" and proposal["blueprint"] == "service-stack@1.0.0"
    assert proposal["status"] == "pending" and proposal["missing"] == ["1 more approval from any human (APR-001)"]
    assert proposal["justification"] == f"ask: {words}" and proposal["actor"] == {"kind": "human", "id": "alice"}
    waiting = {c["name"]: c["status"] for c in proposal["components"]}
    assert waiting["network"] == "planned" and waiting["postgres"] == "waits"  # its subnets are known after apply
    # The approver reviews every Terraform component before anything exists, those waiting on outputs through
    # a preview: their resources, findings and cost are in the proposal.
    reviewed = run_cli(cloud_home, "proposal", "show", proposal["id"], "--json").json()
    previewed = {c["name"] for c in reviewed["components"] if c.get("previewed")}
    assert previewed == {"postgres", "cache"}, reviewed["components"]
    diffed = {d["component"] for d in reviewed["diff"]}
    assert diffed == {"network", "postgres", "cache", "queue", "bucket"}
    assert any(d["address"] == "aws_db_instance.this" and d["action"] == "create" for d in reviewed["diff"])
    proposed_cost = reviewed["cost"]
    assert proposed_cost["components"] == 6 and {"postgres", "cache", "network"} <= set(proposed_cost["priced"])
    assert proposed_cost["after"] > 0
    assert run_cli(cloud_home, "--as", "bob", "proposal", "approve", proposal["id"]).exit_code == 0
    up = run_cli(cloud_home, "--as", "alice", "proposal", "apply", proposal["id"])
    assert up.exit_code == 0, up.stdout + up.stderr

    shown = run_cli(cloud_home, "env", "show", ENV, "--json").json()
    assert shown["status"] == "ready" and shown["revision"] == 1
    outputs = {c["name"]: c["outputs"] for c in shown["components"]}
    assert {c["status"] for c in shown["components"]} == {"applied"}
    # What the approver was shown is what the environment costs once applied (within 1%).
    assert abs(shown["cost"]["monthly"] - proposed_cost["after"]) <= 0.01 * shown["cost"]["monthly"], (
        shown["cost"],
        proposed_cost,
    )

    # Everything exists in the cloud, and the wiring holds.
    [vpc] = _tagged_vpcs(sandbox)
    assert vpc["VpcId"] == outputs["network"]["vpc_id"]
    subnets = aws(sandbox, "ec2").describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc["VpcId"]]}])["Subnets"]
    assert len(subnets) == 4
    [db] = aws(sandbox, "rds").describe_db_instances(DBInstanceIdentifier=f"{ENV}-postgres")["DBInstances"]
    assert db["StorageEncrypted"] is True and db["PubliclyAccessible"] is False
    db_subnets = {s["SubnetIdentifier"] for s in db["DBSubnetGroup"]["Subnets"]}
    assert db_subnets == set(outputs["network"]["private_subnet_ids"])
    groups = aws(sandbox, "elasticache").describe_replication_groups()["ReplicationGroups"]
    [cache] = [g for g in groups if g["ReplicationGroupId"].startswith(ENV)]
    assert cache["AtRestEncryptionEnabled"] is True and cache["TransitEncryptionEnabled"] is True
    queues = aws(sandbox, "sqs").list_queues(QueueNamePrefix=ENV)["QueueUrls"]
    assert outputs["queue"]["queue_url"] in queues and outputs["queue"]["dlq_url"] in queues
    bucket = outputs["bucket"]["bucket_name"]
    block = aws(sandbox, "s3").get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    assert all(block.values())
    ssm = aws(sandbox, "ssm")
    prefix = outputs["app-config"]["parameter_prefix"]
    assert ssm.get_parameter(Name=f"{prefix}/db_endpoint")["Parameter"]["Value"] == outputs["postgres"]["endpoint"]
    assert ssm.get_parameter(Name=f"{prefix}/queue_url")["Parameter"]["Value"] == outputs["queue"]["queue_url"]

    # The example catalog's defaults pass the baseline with zero denies in dev and staging (the up above
    # would have been blocked otherwise): check every component's real plan in both tiers.
    plans = sorted((cloud_home / "work" / ENV).glob("*/blueprint/module/infraplane.json"))
    assert {p.parts[-4] for p in plans} == {"network", "postgres", "cache", "queue", "bucket"}
    for plan in plans:
        for tier in ("dev", "staging"):
            checked = run_cli(cloud_home, "policy", "check", "--plan", str(plan), "--tier", tier, "--json")
            assert checked.exit_code == 0, checked.stdout
            assert [f for f in checked.json()["findings"] if f["severity"] == "deny"] == []

    # The example file describes the same environment: nothing is planned or applied; forcing a real re-plan
    # of every component finds zero changes.
    file = EXAMPLE_ENVIRONMENTS / f"{ENV}.yaml"
    again = run_cli(cloud_home, "env", "up", str(file), "--yes")
    assert again.exit_code == 0 and "no changes" in again.stdout
    replanned = run_cli(cloud_home, "env", "plan", str(file), "--all", "--json").json()["components"]
    assert {c["name"] for c in replanned} == {"network", "postgres", "cache", "queue", "bucket", "app-config"}
    for component in replanned:
        assert (component["add"], component["change"], component["destroy"]) == (0, 0, 0), component

    destroy = run_cli(cloud_home, "--as", "alice", "env", "destroy", ENV, "--json", "-m", "done")
    assert destroy.exit_code == 0, destroy.stderr
    pending = json.loads(destroy.stdout.splitlines()[-1])["proposal"]
    # Destroying in staging: one approval; the wide blast radius and the confidential data (database, cache) need
    # platform-team (bob counts for all three).
    assert pending["decision"]["rule"] == "APR-001, APR-006, APR-007"
    assert (
        pending["blast_radius"]["data_at_risk"] == ["cache", "postgres"]
        and len(pending["blast_radius"]["destroyed"]) > 10
    )
    assert run_cli(cloud_home, "--as", "bob", "proposal", "approve", pending["id"]).exit_code == 0
    down = run_cli(cloud_home, "--as", "alice", "proposal", "apply", pending["id"], "--json")
    assert down.exit_code == 0, down.stderr
    order = [
        e.split('"component": "')[1].split('"')[0] for e in down.stdout.splitlines() if '"status": "destroyed"' in e
    ]
    assert order.index("app-config") < order.index("postgres") < order.index("network")
    assert _leftovers(sandbox) == {k: [] for k in _leftovers(sandbox)}
    assert run_cli(cloud_home, "audit", "verify").exit_code == 0
