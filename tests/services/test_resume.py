"""Resuming an apply a dead run left: a component whose apply had started is never run again.

The dead run is staged in the store as a killed worker leaves it: the proposal `applying`, the
idempotency record of one component's apply written, its lease expired. With the script-runner
`marker` blueprint (an SSM parameter in the sandbox, written with `Overwrite`: a second apply
would make version 2) the cases run in seconds.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from infraplane.adapters.sandbox.control import SandboxInfo
from infraplane.core.audit import Actor, utc_timestamp
from infraplane.core.proposal_lifecycle import ProposalStatus, TransitionName
from infraplane.core.records import ComponentApply, LockHolder
from infraplane.interfaces.container import Container
from infraplane.services.orchestration.progress import NullProgress
from infraplane.services.proposals import StalePlanError
from infraplane.settings import load_settings
from tests.support.sandbox import aws

PERSON = Actor("human", "ana")


def _document(name: str) -> dict[str, Any]:
    return {
        "apiVersion": "infraplane.dev/v1",
        "kind": "Environment",
        "metadata": {"name": name, "team": "shop", "tier": "dev"},
        "spec": {
            "components": {
                "a": {"blueprint": "marker@1.0.0", "inputs": {"value": f"{name}-a"}},
                "b": {"blueprint": "marker@1.0.0", "inputs": {"value": f"{name}-b"}},
            }
        },
    }


def _dead_run(container: Container, name: str) -> str:
    """A proposal a killed worker was applying: `a`'s apply had started (its record is there), then it died."""
    resolution = container.environments.resolve_document(_document(name), "test")
    proposal = container.proposals.propose(resolution, PERSON, "resume test", NullProgress())
    assert proposal is not None and proposal.status == ProposalStatus.APPROVED
    with container.store.transaction() as tx:
        applying = proposal.transition(TransitionName.APPLY_START, ProposalStatus.APPLYING, "", utc_timestamp())
        tx.proposals.save(applying)
        tx.proposals.claim_apply(ComponentApply(proposal.id, "a", proposal.plan_digest, "dead-run", utc_timestamp()))
        expired = LockHolder("dead-run", 999_999, "another-machine", "2026-01-01T00:00:00Z", time.time() - 1)
        tx.locks.put(f"environment:{name}", expired)
        tx.locks.put(f"component:{name}/a", expired)
    return proposal.id


@pytest.fixture
def container(cloud_home: Path) -> Iterator[Container]:
    (cloud_home / "config.yaml").write_text("lock_lease_seconds: 5\nconcurrency: 1\n")
    made = Container(load_settings(home=cloud_home))
    yield made
    made.close()


def test_a_landed_apply_is_recorded_not_run_again(container: Container, sandbox: SandboxInfo) -> None:
    name = "resume-landed"
    proposal_id = _dead_run(container, name)
    # What the dead run's apply did before it died: the parameter is written, its outputs file is there.
    ssm = aws(sandbox, "ssm")
    ssm.put_parameter(Name=f"/markers/{name}/a", Value=f"{name}-a", Type="String")
    workdir = container.settings.work_dir / name / "a"
    workdir.mkdir(parents=True, exist_ok=True)
    outputs = {"parameter_name": f"/markers/{name}/a", "value": f"{name}-a"}
    (workdir / "outputs.json").write_text(json.dumps(outputs))

    done = container.proposals.apply(proposal_id, PERSON, NullProgress(), resume=True)

    assert done.status == ProposalStatus.APPLIED
    with container.store.read() as tx:
        applies = {a.component: a for a in tx.proposals.applies(proposal_id)}
        actions = [e.action for e in tx.audit.events()]
    assert applies["a"].outcome == "recovered" and applies["a"].run_id == "dead-run"
    assert applies["b"].outcome == "applied"
    assert actions.count("component.apply.start") == 1  # only b's
    assert "proposal.apply.resume" in actions and "component.apply.recovered" in actions
    for component in ("a", "b"):
        assert ssm.get_parameter(Name=f"/markers/{name}/{component}")["Parameter"]["Version"] == 1


def test_a_cut_short_apply_is_planned_again_never_run_twice(container: Container, sandbox: SandboxInfo) -> None:
    name = "resume-cut"
    proposal_id = _dead_run(container, name)  # the dead run changed nothing of `a` before it died

    with pytest.raises(StalePlanError):
        container.proposals.apply(proposal_id, PERSON, NullProgress(), resume=True)

    reread = container.proposals.get(proposal_id)
    assert reread.status == ProposalStatus.APPROVED  # planned again and decided again (auto-approved)
    with container.store.read() as tx:
        events = list(tx.audit.events())
    actions = [e.action for e in events]
    assert "component.apply.cut_short" in actions and "proposal.replan" in actions
    # Nothing ran `a`'s approved plan a second time; `b` (independent, never started) was applied.
    assert [e.subject for e in events if e.action == "component.apply.start"] == [f"component:{name}/b"]
    done = container.proposals.apply(proposal_id, PERSON, NullProgress())  # the new plan applies as usual
    assert done.status == ProposalStatus.APPLIED
    assert aws(sandbox, "ssm").get_parameter(Name=f"/markers/{name}/a")["Parameter"]["Version"] == 1
