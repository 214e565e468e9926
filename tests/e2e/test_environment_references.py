"""Environments reading each other's outputs: the reads are checked, recorded, and a producer's change reaches them.

One story on the sandbox (issue 16, item 1): a producer (`parameter-set`: SSM parameters, their names as
`ids`) and a consumer reading `${environments.<producer>.outputs.ids}` into its own SSM parameter.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from infraplane.adapters.sandbox.control import SandboxInfo
from infraplane.core.audit import Actor
from infraplane.core.proposal_lifecycle import ProposalStatus
from infraplane.core.records import ComponentRecord, EnvironmentRecord
from infraplane.core.upstream import value_digest
from infraplane.interfaces.container import Container
from infraplane.services.orchestration.progress import NullProgress
from infraplane.services.proposals import StalePlanError
from infraplane.settings import load_settings
from tests.support.cli import CliResult, run_cli
from tests.support.proposals import build_proposal
from tests.support.records import environment_document, record_applied
from tests.support.sandbox import aws

PRODUCER, CONSUMER = "xenv-net", "xenv-app"
# alice acts for the network team too (a group named as the team); bob does not. bob and carol approve;
# carol is the only admin (APR-009).
CONFIG = "groups:\n  net: [alice]\n  platform-team: [bob, carol]\n  platform-admins: [carol]\n"


def _env(tmp_path: Path, name: str, team: str, spec: str, file: str | None = None) -> Path:
    path = tmp_path / (file or f"{name}.yaml")
    header = (
        f"apiVersion: infraplane.dev/v1\nkind: Environment\nmetadata: {{name: {name}, team: {team}, tier: staging}}\n"
    )
    path.write_text(f"{header}spec:\n{spec}")
    return path


def _consumer(tmp_path: Path, reference: str, file: str = "consumer.yaml") -> Path:
    spec = f"  blueprint: parameter-reader@^1\n  inputs: {{ids: '{reference}'}}\n"
    return _env(tmp_path, CONSUMER, "shop", spec, file)


def _as(home: Path, person: str, *args: str) -> CliResult:
    return run_cli(home, "--as", person, *args)


def _proposal(result: CliResult) -> dict[str, object]:
    assert result.exit_code == 0, result.stderr
    for line in result.stdout.splitlines():
        event = json.loads(line)
        if event.get("event") == "proposal":
            return dict(event["proposal"])
    raise AssertionError(f"no proposal in: {result.stdout}")


def _approve_and_apply(home: Path, proposal_id: str) -> None:
    assert _as(home, "bob", "proposal", "approve", proposal_id).exit_code == 0
    applied = _as(home, "bob", "proposal", "apply", proposal_id)
    assert applied.exit_code == 0, applied.stderr


def _stored(sandbox: SandboxInfo) -> str:
    return str(aws(sandbox, "ssm").get_parameter(Name=f"/readers/{CONSUMER}/parameter-reader")["Parameter"]["Value"])


@pytest.mark.slow
def test_a_producer_change_reaches_its_readers_and_destroying_it_waits_for_an_admin(
    cloud_home: Path, tmp_path: Path, sandbox: SandboxInfo
) -> None:
    (cloud_home / "config.yaml").write_text(CONFIG)
    spec = "  blueprint: parameter-set@^1\n  inputs: {names: [a, b]}\n"
    producer = _env(tmp_path, PRODUCER, "net", spec)
    _approve_and_apply(cloud_home, str(_proposal(_as(cloud_home, "nina", "env", "up", str(producer), "--json"))["id"]))

    # Bad references are refused before anything is planned, naming the field (exit 2).
    refused = {
        "${environments.xenv-nowhere.outputs.ids}": "no environment named 'xenv-nowhere' that alice may read",
        "${environments.xenv-net.outputs.idz}": "xenv-net has no output 'idz' (outputs: ids)",
        "${environments.xenv-net.outputs.token}": "output 'token' of xenv-net is sensitive",
        "${environments.xenv-app.outputs.ids}": "an environment cannot read its own outputs",
    }
    for reference, reason in refused.items():
        bad = _as(cloud_home, "alice", "env", "plan", str(_consumer(tmp_path, reference, "bad.yaml")))
        assert bad.exit_code == 2, bad.stdout
        assert "spec.inputs.ids" in bad.stderr and reason in bad.stderr, bad.stderr
    reads_net = _consumer(tmp_path, "${environments.xenv-net.outputs.ids}")
    outsider = _as(cloud_home, "bob", "env", "plan", str(reads_net))
    assert outsider.exit_code == 2 and "no environment named 'xenv-net' that bob may read" in outsider.stderr

    _approve_and_apply(
        cloud_home, str(_proposal(_as(cloud_home, "alice", "env", "up", str(reads_net), "--json"))["id"])
    )
    assert _stored(sandbox) == f"/shared/{PRODUCER}/a,/shared/{PRODUCER}/b"
    shown = run_cli(cloud_home, "env", "show", CONSUMER, "--json").json()["upstream"]
    assert shown["upstream_changed"] is False
    assert [(r["environment"], r["output"], r["field"], r["change"]) for r in shown["reads"]] == [
        (PRODUCER, "ids", "spec.inputs.ids", "unchanged")
    ]
    assert run_cli(cloud_home, "env", "show", PRODUCER, "--json").json()["upstream"]["read_by"] == [
        {"environment": CONSUMER, "output": "ids", "field": "spec.inputs.ids"}
    ]

    # A change of the producer's output names its reader in the blast radius and the warnings.
    more = _env(tmp_path, PRODUCER, "net", "  blueprint: parameter-set@^1\n  inputs: {names: [a, b, c]}\n", "more.yaml")
    change = _proposal(_as(cloud_home, "nina", "env", "up", str(more), "--json"))
    radius = change["blast_radius"]
    assert isinstance(radius, dict) and radius["other_environments"] == [CONSUMER]
    assert [(c["environment"], c["output"], c["change"], c["breaks"]) for c in radius["consumers"]] == [
        (CONSUMER, "ids", "value-changed", False)
    ]
    warning = f"environment {CONSUMER} reads {PRODUCER}'s output ids (spec.inputs.ids): output ids changes value"
    assert warning in change["warnings"]
    assert change["decision"]["rule"] == "APR-001, APR-008"  # staging, and warnings a platform engineer reads

    # After the producer's apply the reader is told and gets an update proposal from the system.
    _approve_and_apply(cloud_home, str(change["id"]))
    after = run_cli(cloud_home, "env", "show", CONSUMER, "--json").json()["upstream"]
    assert after["upstream_changed"] is True and after["reads"][0]["change"] == "value-changed"
    assert len(after["update_proposals"]) == 1
    update = run_cli(cloud_home, "proposal", "show", after["update_proposals"][0], "--json").json()
    assert update["kind"] == "update" and update["actor"] == {"kind": "system", "id": "infraplane"}
    assert f"upstream changed: {PRODUCER}'s proposal {change['id']}" in update["justification"]
    assert [(d["address"], d["action"]) for d in update["diff"]] == [("aws_ssm_parameter.this", "update")]
    events = [
        e for e in run_cli(cloud_home, "audit", "log", "--json").json() if e["subject"] == f"environment:{CONSUMER}"
    ]
    told = next(e for e in events if e["action"] == "environment.upstream.changed")
    assert told["actor"] == {"kind": "system", "id": "infraplane"} and told["payload"]["proposal"] == change["id"]
    assert _stored(sandbox) == f"/shared/{PRODUCER}/a,/shared/{PRODUCER}/b"  # proposed, not applied

    # Destroying what others read waits for an admin: bob's approval counts, but not for APR-009.
    destroy = _proposal(_as(cloud_home, "nina", "env", "destroy", PRODUCER, "--json", "-m", "moving"))
    assert destroy["blast_radius"]["other_environments"] == [CONSUMER]
    assert destroy["blast_radius"]["consumers"][0]["change"] == "removed"
    requirement = next(r for r in destroy["decision"]["requirements"] if r["rule"] == "APR-009")
    assert requirement["group"] == "platform-admins" and CONSUMER in requirement["reason"]
    assert _as(cloud_home, "bob", "proposal", "approve", str(destroy["id"])).exit_code == 0
    blocked = _as(cloud_home, "bob", "proposal", "apply", str(destroy["id"]))
    assert blocked.exit_code == 2 and "1 more approval from platform-admins (APR-009)" in blocked.stderr
    assert _as(cloud_home, "carol", "proposal", "approve", str(destroy["id"])).exit_code == 0
    approved = run_cli(cloud_home, "proposal", "show", str(destroy["id"]), "--json").json()
    assert approved["status"] == "approved" and approved["missing"] == []
    assert run_cli(cloud_home, "audit", "verify").exit_code == 0


def test_an_approved_reader_plan_whose_producer_moved_is_planned_again(cloud_home: Path) -> None:
    """Only the approved plan is applied: one made before the producer's outputs changed goes back to decision.

    Records only (no Terraform runs): the reader is recorded as applied with the producer's new ids, so
    planning it again finds nothing to do, and its approved proposal, planned on the old ids, is superseded.
    """
    container = Container(load_settings(home=cloud_home))
    old, new = ["/shared/xenv-src/a"], ["/shared/xenv-src/a", "/shared/xenv-src/b"]
    reader_spec = {"blueprint": "parameter-reader@^1", "inputs": {"ids": "${environments.xenv-src.outputs.ids}"}}
    try:
        with container.store.transaction() as tx:
            tx.environments.save(
                EnvironmentRecord("xenv-src", "net", "dev", "net", "parameter-set@^1", "sandbox", None, "ready", "", 1)
            )
            tx.environments.save_component(
                ComponentRecord(
                    "xenv-src",
                    "parameter-set",
                    "parameter-set@1.0.0",
                    "x",
                    "terraform",
                    "applied",
                    outputs={"ids": new},
                )
            )
        reader_document = environment_document("xenv-dst", "net", "dev", reader_spec)
        record_applied(container, reader_document)  # as its apply with the new ids left it
        reader = container.environments.resolve_document(reader_document, "reader")
        with container.store.transaction() as tx:
            planned_on_old = {
                **reader.revision_document(),
                "upstream": [{**reader.upstream[0].as_dict(), "digest": value_digest(old)}],
            }
            approved = replace(
                build_proposal("p-xenvstale1", ProposalStatus.APPROVED, expires_in=timedelta(days=3650), rules=()),
                environment="xenv-dst",
                team="net",
                tier="dev",
                kind="update",
                base_revision=1,
                document=planned_on_old,
            )
            tx.proposals.save(approved)
        with pytest.raises(StalePlanError, match=r"outputs it reads changed since it was planned \(xenv-src\.ids\)"):
            container.proposals.apply("p-xenvstale1", Actor("human", "alice"), NullProgress())
        assert container.proposals.get("p-xenvstale1").status == "rejected"  # superseded: nothing left to do
    finally:
        container.close()
