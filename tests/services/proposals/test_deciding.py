"""Approving and rejecting on a real store: who counts, how often, from which group; the words people read."""

from __future__ import annotations

from datetime import timedelta

import pytest

from infraplane.core.audit import Actor
from infraplane.core.proposal_lifecycle import ProposalStatus
from infraplane.errors import IllegalTransitionError, InputError, RefusedError
from infraplane.services.proposals.deciding import ProposalDecider
from infraplane.services.proposals.reading import ProposalReader
from tests.services.proposals.conftest import HandClock, Proposals

S = ProposalStatus
BOB, CAROL, DANA = Actor("human", "bob"), Actor("human", "carol"), Actor("human", "dana")


def test_prod_needs_two_platform_engineers_and_refusals_say_why(
    stored: Proposals, decider: ProposalDecider, clock: HandClock
) -> None:
    stored.save("p-prod")

    with pytest.raises(RefusedError, match="only people approve"):
        decider.approve("p-prod", Actor("agent", "claude"))
    with pytest.raises(RefusedError, match="alice proposed p-prod; a proposer cannot approve their own proposal"):
        decider.approve("p-prod", Actor("human", "alice"))
    with pytest.raises(RefusedError) as outsider:
        decider.approve("p-prod", DANA)
    assert outsider.value.message == (
        "dana's approval would not count: p-prod still needs 2 more approvals from platform-team (APR-002)"
        " (groups: finops)"
    )

    clock.advance(timedelta(minutes=3))
    first = decider.approve("p-prod", BOB, "looks right")
    assert first.status == S.PENDING and [(a.approver, a.at) for a in first.approvals] == [
        ("bob", "2026-12-01T09:03:00.000000Z")
    ]
    assert decider.approval_state(first).describe() == ["1 more approval from platform-team (APR-002)"]
    with pytest.raises(RefusedError, match="bob already approved p-prod; a person counts once"):
        decider.approve("p-prod", BOB)

    second = decider.approve("p-prod", CAROL)
    assert second.status == S.APPROVED and decider.approval_state(second).met
    assert stored.status("p-prod") == S.APPROVED
    with pytest.raises(IllegalTransitionError, match="p-prod is approved; only a pending proposal can be approved"):
        decider.approve("p-prod", Actor("human", "erin"))

    approvals = stored.events("proposal.approve")
    assert [(e.actor.id, e.payload["status"], e.payload["still_needs"]) for e in approvals] == [
        ("bob", "pending", ["1 more approval from platform-team (APR-002)"]),
        ("carol", "approved", []),
    ]
    assert approvals[0].payload["comment"] == "looks right"
    assert [(e.payload["transition"], e.payload["from"], e.payload["to"]) for e in approvals] == [
        ("count-approval", "pending", "pending"),
        ("approve", "pending", "approved"),
    ]


def test_an_approval_binds_to_the_plan_digest_it_was_given_for(
    stored: Proposals, decider: ProposalDecider, reader: ProposalReader
) -> None:
    stored.save("p-replanned")
    decider.approve("p-replanned", BOB)
    with stored.store.transaction() as tx:
        proposal = tx.proposals.get("p-replanned")
        assert proposal is not None
        tx.proposals.save(type(proposal).from_stored({**proposal.stored(), "plan_digest": "sha256:plan-2"}, ()))
    replanned = reader.get("p-replanned")
    assert [a.plan_digest for a in replanned.approvals] == ["sha256:plan-1"]
    assert decider.check(replanned, BOB).reason == "counts"
    assert decider.approval_state(replanned).describe() == ["2 more approvals from platform-team (APR-002)"]


def test_rejecting_needs_a_person_and_a_reason_and_is_final(stored: Proposals, decider: ProposalDecider) -> None:
    stored.save("p-no")

    with pytest.raises(RefusedError, match="only people reject"):
        decider.reject("p-no", Actor("agent", "claude"), "no")
    with pytest.raises(InputError) as empty:
        decider.reject("p-no", BOB, "  ")
    assert empty.value.problems[0].field == "reason"

    rejected = decider.reject("p-no", BOB, "not this quarter")
    assert rejected.status == S.REJECTED and rejected.result == "not this quarter"
    with pytest.raises(IllegalTransitionError, match="p-no is rejected; it can no longer be rejected"):
        decider.reject("p-no", CAROL, "really")
    with pytest.raises(IllegalTransitionError, match="p-no is rejected; only a pending proposal can be approved"):
        decider.approve("p-no", CAROL)
    [event] = stored.events("proposal.reject")
    assert event.actor == BOB
    assert event.payload == {"reason": "not this quarter", "transition": "reject", "from": "pending", "to": "rejected"}


def test_a_blocked_proposal_is_rejected_but_never_approved(stored: Proposals, decider: ProposalDecider) -> None:
    stored.save("p-blocked", status=S.BLOCKED)
    with pytest.raises(IllegalTransitionError, match="p-blocked is blocked"):
        decider.approve("p-blocked", BOB)
    assert decider.reject("p-blocked", BOB, "deny findings").status == S.REJECTED
