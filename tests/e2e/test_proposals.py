"""Every change is a proposal: approval rules, separation of duties, exact apply, stale plans, rollback, git history."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from infraplane.adapters.sandbox.control import SandboxInfo
from infraplane.core.audit import Actor
from infraplane.errors import RefusedError
from infraplane.interfaces.container import Container
from infraplane.services.orchestration.progress import NullProgress
from infraplane.services.proposals.ttl import check_ttls
from infraplane.settings import load_settings
from tests.support.cli import CliResult, run_cli
from tests.support.sandbox import aws

EXAMPLE_CATALOG = Path(__file__).resolve().parents[2] / "examples" / "catalog"
GROUPS = "groups:\n  platform-team: [bob, carol]\n  finops: [dana]\n"


def _env(tmp_path: Path, name: str, tier: str, spec: str, file: str | None = None) -> Path:
    path = tmp_path / (file or f"{name}.yaml")
    header = f"apiVersion: infraplane.dev/v1\nkind: Environment\nmetadata: {{name: {name}, team: shop, tier: {tier}}}\n"
    path.write_text(f"{header}spec:\n{spec}")
    return path


def _as(home: Path, person: str, *args: str) -> CliResult:
    return run_cli(home, "--as", person, *args)


def _parameters(sandbox: SandboxInfo, environment: str) -> list[str]:
    """Names of the sandbox's SSM parameters kept for `environment` (the secret-parameter blueprint's)."""
    found = aws(sandbox, "ssm").get_parameters_by_path(Path=f"/secrets/{environment}", Recursive=True)
    return sorted(p["Name"] for p in found["Parameters"])


def _proposal_id(result: CliResult) -> str:
    """The proposal an `env up --json` made (its `proposal` event line)."""
    for line in result.stdout.splitlines():
        event = json.loads(line)
        if event.get("event") == "proposal":
            return str(event["proposal"]["id"])
    raise AssertionError(f"no proposal in: {result.stdout}\n{result.stderr}")


@pytest.fixture
def review_home(cloud_home: Path) -> Path:
    (cloud_home / "config.yaml").write_text(GROUPS)
    return cloud_home


@pytest.mark.slow
def test_prod_waits_for_two_platform_engineers_and_the_proposer_cannot_approve(
    review_home: Path, tmp_path: Path, sandbox: SandboxInfo
) -> None:
    # The approval rules do not depend on what is applied: one SSM parameter (no SQS waits, which keep
    # the AWS provider polling ~25 s per queue). The queue's diff and cost are checked, unapplied, below.
    file = _env(
        tmp_path, "orders-prod", "prod", '  blueprint: secret-parameter@^1\n  inputs: {secret_value: "s3cret-orders"}\n'
    )
    proposed = _as(review_home, "alice", "env", "up", str(file), "--yes", "--json", "-m", "orders need a key")
    assert proposed.exit_code == 0, proposed.stderr
    pid = _proposal_id(proposed)

    shown = run_cli(review_home, "proposal", "show", pid, "--json").json()
    assert shown["status"] == "pending" and shown["kind"] == "create" and shown["tier"] == "prod"
    assert shown["decision"]["outcome"] == "needs-approval" and shown["decision"]["rule"] == "APR-002"
    assert shown["decision"]["requirements"][0] == {
        "rule": "APR-002",
        "count": 2,
        "group": "platform-team",
        "reason": "production changes need approvals from the platform team",
    }
    assert shown["decision"]["bundles"][0].startswith("infraplane-approval@1.1.0 sha256:")
    assert [(d["address"], d["action"], d["component"]) for d in shown["diff"]] == [
        ("aws_ssm_parameter.this", "create", "secret-parameter")
    ]
    assert shown["blast_radius"]["destroyed"] == [] and shown["blast_radius"]["replaced"] == []
    assert isinstance(shown["findings"], list) and shown["justification"] == "orders need a key"
    assert shown["missing"] == ["2 more approvals from platform-team (APR-002)"]
    listed = run_cli(review_home, "proposal", "list", "--json").json()
    assert {"id": pid, "environment": "orders-prod", "kind": "create", "status": "pending"}.items() <= next(
        p for p in listed if p["id"] == pid
    ).items()

    own = _as(review_home, "alice", "proposal", "approve", pid)
    assert own.exit_code == 2 and "cannot approve their own proposal" in own.stderr
    outsider = _as(review_home, "dana", "proposal", "approve", pid)
    assert outsider.exit_code == 2 and "would not count" in outsider.stderr and "finops" in outsider.stderr
    assert _as(review_home, "bob", "proposal", "approve", pid).exit_code == 0
    twice = _as(review_home, "bob", "proposal", "approve", pid)
    assert twice.exit_code == 2 and "counts once" in twice.stderr
    early = _as(review_home, "alice", "proposal", "apply", pid)
    assert early.exit_code == 2 and "1 more approval from platform-team" in early.stderr
    assert _parameters(sandbox, "orders-prod") == []

    assert _as(review_home, "carol", "proposal", "approve", pid, "-m", "lgtm").exit_code == 0
    applied = _as(review_home, "alice", "proposal", "apply", pid, "--json")
    assert applied.exit_code == 0, applied.stderr
    result = json.loads(applied.stdout.splitlines()[-1])["proposal"]
    assert result["status"] == "applied" and result["applied_revision"] == 1
    assert [a["approver"] for a in result["approvals"]] == ["bob", "carol"]
    assert _parameters(sandbox, "orders-prod") == ["/secrets/orders-prod/secret-parameter"]

    # Destroying prod needs two platform engineers as well (APR-002 and APR-004).
    destroy = _as(review_home, "alice", "env", "destroy", "orders-prod", "--json", "-m", "done with it")
    assert destroy.exit_code == 0, destroy.stderr
    did = _proposal_id(destroy)
    shown = run_cli(review_home, "proposal", "show", did, "--json").json()
    assert shown["decision"]["rule"] == "APR-002, APR-004"
    assert shown["blast_radius"]["destroyed"] == ["secret-parameter: aws_ssm_parameter.this"]
    for person in ("bob", "carol"):
        assert _as(review_home, person, "proposal", "approve", did).exit_code == 0
    assert _as(review_home, "alice", "proposal", "apply", did).exit_code == 0
    assert _parameters(sandbox, "orders-prod") == []

    events = [e for e in run_cli(review_home, "audit", "log", "--json").json() if e["subject"] == f"proposal:{pid}"]
    assert [e["action"] for e in events] == [
        "proposal.create",
        "proposal.decide",
        "proposal.approve",
        "proposal.approve",
        "proposal.apply.start",
        "proposal.apply.finish",
        "environments_repository.commit",
    ]
    assert events[0]["actor"] == {"kind": "human", "id": "alice"} and events[2]["actor"]["id"] == "bob"
    assert run_cli(review_home, "audit", "verify").exit_code == 0


@pytest.mark.slow
def test_an_agent_proposal_in_staging_waits_for_one_human(review_home: Path, sandbox: SandboxInfo) -> None:
    container = Container(load_settings(home=review_home))
    agent = Actor("agent", "claude")
    document = {
        "apiVersion": "infraplane.dev/v1",
        "kind": "Environment",
        "metadata": {"name": "jobs-staging", "team": "jobs", "tier": "staging"},
        "spec": {"blueprint": "queue@^1", "inputs": {"retention_days": 7}},
    }
    try:
        with pytest.raises(Exception, match="justification"):
            container.proposals.propose_document(document, agent, "", NullProgress())
        proposal = container.proposals.propose_document(document, agent, "jobs need a queue", NullProgress())
        assert proposal is not None and proposal.status == "pending"
        assert proposal.decision.rule == "APR-001, APR-003"
        # The queue's diff and cost as a reviewer sees them (moved here from the prod story, which
        # applies a cheaper component): checked on the plan, so the AWS provider's SQS waits never run.
        shown = run_cli(review_home, "proposal", "show", proposal.id, "--json").json()
        assert {d["address"] for d in shown["diff"]} == {"aws_sqs_queue.dlq", "aws_sqs_queue.this"}
        assert all(d["action"] == "create" and d["component"] == "queue" for d in shown["diff"])
        queue = next(d for d in shown["diff"] if d["address"] == "aws_sqs_queue.this")
        assert {"path": "message_retention_seconds", "before": None, "after": 7 * 86400} in queue["attributes"]
        assert shown["cost"] == {
            "before": 0.0,
            "after": 0.0,
            "delta": 0.0,
            "components": 1,
            "priced": ["queue"],
            "unpriced": [],
        }
        assert shown["blast_radius"]["destroyed"] == [] and shown["blast_radius"]["replaced"] == []
        assert container.proposals.missing(proposal) == [
            "1 more approval from any human (APR-001)",
            "1 more approval from any human (APR-003)",
        ]
        with pytest.raises(RefusedError, match="only people approve"):
            container.proposals.approve(proposal.id, agent)
        with pytest.raises(RefusedError, match="agents cannot apply"):
            container.proposals.apply(proposal.id, agent, NullProgress())
    finally:
        container.close()
    assert _as(review_home, "erin", "proposal", "approve", proposal.id).exit_code == 0
    assert run_cli(review_home, "proposal", "show", proposal.id, "--json").json()["status"] == "approved"


def _bucket_v2(tmp_path: Path) -> Path:
    """bucket@1.2.0: the same module plus a `generation` tag, published beside 1.1.0."""
    copy = tmp_path / "bucket-1.2.0"
    shutil.copytree(EXAMPLE_CATALOG / "bucket", copy)
    blueprint = copy / "blueprint.yaml"
    blueprint.write_text(blueprint.read_text().replace("version: 1.1.0", "version: 1.2.0"))
    main = copy / "module" / "main.tf"
    main.write_text(
        main.read_text().replace("tags = { Name = local.name }", 'tags = { Name = local.name, generation = "1.1" }')
    )
    return copy


def _bucket(sandbox: SandboxInfo, name: str) -> tuple[str, str | None]:
    """The bucket's versioning status and its `generation` tag (only bucket@1.2.0 sets it)."""
    s3 = aws(sandbox, "s3")
    versioning = s3.get_bucket_versioning(Bucket=name).get("Status", "")
    tags = {t["Key"]: t["Value"] for t in s3.get_bucket_tagging(Bucket=name)["TagSet"]}
    return versioning, tags.get("generation")


@pytest.mark.slow
def test_stale_plans_upgrade_rollback_and_the_git_history(
    review_home: Path, tmp_path: Path, sandbox: SandboxInfo
) -> None:
    name = "docs-staging"
    bucket = f"{name}-bucket"
    first = _env(tmp_path, name, "staging", "  blueprint: bucket@^1\n  inputs: {versioning: true}\n")
    pid = _proposal_id(_as(review_home, "alice", "env", "up", str(first), "--json", "-m", "docs need storage"))
    assert _as(review_home, "bob", "proposal", "approve", pid).exit_code == 0
    assert _as(review_home, "alice", "proposal", "apply", pid).exit_code == 0
    assert _bucket(sandbox, bucket) == ("Enabled", None)

    # A new blueprint version: publishing lists the environment; `env upgrade` proposes it with its diff.
    published = run_cli(review_home, "catalog", "publish", str(_bucket_v2(tmp_path)))
    assert f"{name} can upgrade bucket@1.1.0 -> bucket@1.2.0" in published.stdout
    upgrade = _proposal_id(_as(review_home, "alice", "env", "upgrade", name, "--json", "-m", "tag generations"))
    shown = run_cli(review_home, "proposal", "show", upgrade, "--json").json()
    assert shown["kind"] == "upgrade" and shown["blueprint"] == "bucket@1.2.0"
    tag_change = [a for d in shown["diff"] for a in d["attributes"] if a["path"] == "tags.generation"]
    assert tag_change == [{"path": "tags.generation", "before": None, "after": "1.1"}]

    # Meanwhile another change, from the same revision, on the old version.
    off = _env(tmp_path, name, "staging", "  blueprint: bucket@~1.1.0\n  inputs: {versioning: false}\n", "off.yaml")
    update = _proposal_id(_as(review_home, "carol", "env", "up", str(off), "--json", "-m", "versions cost money"))
    assert run_cli(review_home, "proposal", "show", update, "--json").json()["kind"] == "update"
    for proposal in (upgrade, update):
        assert _as(review_home, "bob", "proposal", "approve", proposal).exit_code == 0
    assert _as(review_home, "carol", "proposal", "apply", update).exit_code == 0
    assert _bucket(sandbox, bucket)[0] == "Suspended"

    # The upgrade was planned against revision 1: apply refuses, plans again, and it goes back to decision.
    stale = _as(review_home, "alice", "proposal", "apply", upgrade)
    assert stale.exit_code == 2, stale.stderr
    assert "the plan is stale" in stale.stderr and "revision 2 was applied" in stale.stderr
    replanned = run_cli(review_home, "proposal", "show", upgrade, "--json").json()
    assert replanned["status"] == "pending" and replanned["result"].startswith("re-planned")
    assert replanned["plan_digest"] != shown["plan_digest"]
    assert replanned["missing"] == ["1 more approval from any human (APR-001)"]  # bob approved the old plan
    assert _bucket(sandbox, bucket) == ("Suspended", None)  # nothing applied
    assert _as(review_home, "bob", "proposal", "approve", upgrade).exit_code == 0
    assert _as(review_home, "alice", "proposal", "apply", upgrade).exit_code == 0
    assert _bucket(sandbox, bucket) == ("Enabled", "1.1")

    # Roll back to revision 2: its inputs (versioning off) and its blueprint version (1.1.0, no tag).
    history = run_cli(review_home, "env", "history", name, "--json").json()
    assert [(h["revision"], h["kind"]) for h in history] == [(1, "create"), (2, "update"), (3, "upgrade")]
    assert history[2]["approved_by"] == ["bob"] and history[2]["justification"] == "tag generations"
    rollback = _as(review_home, "carol", "env", "rollback", name, "--to", "2", "--json", "-m", "back to revision 2")
    back = _proposal_id(rollback)
    shown = run_cli(review_home, "proposal", "show", back, "--json").json()
    assert shown["kind"] == "rollback" and shown["rollback_to"] == 2 and shown["blueprint"] == "bucket@1.1.0"
    assert _as(review_home, "bob", "proposal", "approve", back).exit_code == 0
    assert _as(review_home, "carol", "proposal", "apply", back).exit_code == 0
    assert _bucket(sandbox, bucket) == ("Suspended", None)
    env = run_cli(review_home, "env", "show", name, "--json").json()
    assert env["revision"] == 4 and env["components"][0]["blueprint"] == "bucket@1.1.0"

    # The environments repository reads as the history.
    repository = review_home / "environments"
    log = subprocess.run(
        ["git", "-C", str(repository), "log", "--format=%an|%s", "--", f"{name}.yaml"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    assert log == [
        f"carol|{name}: revision 4 (rollback to revision 2)",
        f"alice|{name}: revision 3 (upgrade)",
        f"carol|{name}: revision 2 (update)",
        f"alice|{name}: revision 1 (create)",
    ]
    body = subprocess.run(
        ["git", "-C", str(repository), "log", "-1", "--format=%B"], capture_output=True, text=True, check=True
    ).stdout
    assert f"Proposal: {back}" in body and "Approved-by: bob" in body and "back to revision 2" in body
    assert "versioning: false" in (repository / f"{name}.yaml").read_text()

    destroy = _proposal_id(_as(review_home, "alice", "env", "destroy", name, "--json"))
    assert _as(review_home, "bob", "proposal", "approve", destroy).exit_code == 0
    assert _as(review_home, "alice", "proposal", "apply", destroy).exit_code == 0
    assert not (repository / f"{name}.yaml").exists()
    assert run_cli(review_home, "audit", "verify").exit_code == 0


@pytest.mark.slow
def test_ttl_warns_then_proposes_the_destroy_and_applies_it_in_dev(review_home: Path, tmp_path: Path) -> None:
    file = _env(tmp_path, "scratch-dev", "dev", "  blueprint: marker\n  inputs: {value: v}\n  ttl: 2h\n")
    assert _as(review_home, "alice", "env", "up", str(file), "--yes").exit_code == 0
    container = Container(load_settings(home=review_home))
    try:
        now = datetime.now(UTC)
        warned = check_ttls(container.proposals, timedelta(hours=1), NullProgress(), now + timedelta(minutes=70))
        assert [(a.environment, a.action) for a in warned] == [("scratch-dev", "warned")]
        assert check_ttls(container.proposals, timedelta(hours=1), NullProgress(), now + timedelta(minutes=80)) == []
        ended = check_ttls(container.proposals, timedelta(hours=1), NullProgress(), now + timedelta(hours=3))
        assert [(a.environment, a.action) for a in ended] == [("scratch-dev", "proposed"), ("scratch-dev", "applied")]
        [proposal] = [p for p in container.proposals.proposals("scratch-dev") if p.kind == "destroy"]
        assert proposal.actor == Actor("system", "infraplane") and "TTL of 2h ended" in proposal.justification
    finally:
        container.close()
    assert run_cli(review_home, "env", "show", "scratch-dev", "--json").json()["status"] == "destroyed"


@pytest.mark.slow
def test_proposals_expire_and_applied_revisions_are_pushed_to_the_remote(cloud_home: Path, tmp_path: Path) -> None:
    remote = tmp_path / "environments.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(remote)], check=True)
    # 36 ms: expired before the next command has even started (the service tests move a clock instead).
    (cloud_home / "config.yaml").write_text(GROUPS + "proposals: {expire_after_hours: 0.00001}\n")
    staging = _env(tmp_path, "notes-staging", "staging", "  blueprint: marker\n  inputs: {value: v}\n")
    pid = _proposal_id(_as(cloud_home, "alice", "env", "up", str(staging), "--json"))
    late = _as(cloud_home, "bob", "proposal", "approve", pid)
    assert late.exit_code == 2 and "is expired" in late.stderr
    assert run_cli(cloud_home, "proposal", "show", pid, "--json").json()["status"] == "expired"

    (cloud_home / "config.yaml").write_text(GROUPS + f"proposals: {{environments_remote: {remote}}}\n")
    dev = _env(tmp_path, "notes-dev", "dev", "  blueprint: marker\n  inputs: {value: v}\n")
    assert _as(cloud_home, "alice", "env", "up", str(dev), "--yes", "-m", "notes").exit_code == 0
    pushed = subprocess.run(
        ["git", "-C", str(remote), "log", "--format=%an|%s", "main"], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert pushed[0] == "alice|notes-dev: revision 1 (create)"
    assert _as(cloud_home, "alice", "env", "destroy", "notes-dev", "--yes").exit_code == 0
    actions = [e["action"] for e in run_cli(cloud_home, "audit", "log", "--json").json()]
    assert "proposal.expire" in actions and actions.count("environments_repository.commit") == 2
