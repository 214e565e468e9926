"""The proposal lifecycle: every (transition, from, to) the table allows succeeds, every other one is refused."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from infraplane.core.proposal_lifecycle import (
    FINAL_STATUSES,
    OPEN_STATUSES,
    TRANSITIONS,
    ProposalStatus,
    TransitionName,
    allowed_targets,
    check_transition,
    initial_status,
    is_expired,
    leaving,
)
from infraplane.core.proposals import Proposal
from infraplane.errors import IllegalTransitionError, RefusedError
from tests.support.proposals import build_proposal

S = ProposalStatus
T = TransitionName
AT = "2026-12-01T10:00:00.000000Z"

EVERY_TRIPLE = list(itertools.product(TransitionName, ProposalStatus, ProposalStatus))
ALLOWED = [(n, a, b) for n, a, b in EVERY_TRIPLE if TRANSITIONS[n].allows(a, b)]
REFUSED = [(n, a, b) for n, a, b in EVERY_TRIPLE if not TRANSITIONS[n].allows(a, b)]


def _proposal(status: ProposalStatus) -> Proposal:
    return build_proposal("p-0123456789", status, rules=())


def test_every_transition_is_named_reasoned_and_covers_the_whole_table() -> None:
    assert set(TRANSITIONS) == set(TransitionName)
    for name, transition in TRANSITIONS.items():
        assert transition.name == name and transition.sources and transition.targets
        assert transition.reason and transition.refusal
    # The table's pairs cover every status: each one is entered or is where a proposal starts.
    entered = {b for _, _, b in ALLOWED} | {initial_status(o) for o in ("auto-approved", "needs-approval", "blocked")}
    assert entered == set(ProposalStatus)
    assert ALLOWED and len(ALLOWED) + len(REFUSED) == len(TransitionName) * len(ProposalStatus) ** 2


@pytest.mark.parametrize(("source", "target"), list(itertools.product(ProposalStatus, ProposalStatus)))
def test_a_status_pair_moves_exactly_by_the_named_transitions_the_table_allows_for_it(
    source: ProposalStatus, target: ProposalStatus
) -> None:
    names = [n for n in TransitionName if TRANSITIONS[n].allows(source, target)]
    assert (target in allowed_targets(source)) == bool(names)
    for name in TransitionName:
        proposal = _proposal(source)
        if name in names:
            moved = proposal.transition(name, target, "why", "2026-12-01T11:00:00.000000Z")
            assert moved.status == target and moved.result == "why" and moved.updated_at.startswith("2026-12-01T11")
            assert check_transition(name, source, target) is TRANSITIONS[name]
            continue
        with pytest.raises(IllegalTransitionError) as raised:
            proposal.transition(name, target, "why", AT)
        error = raised.value
        assert (error.transition, error.source) == (name, source) and error.target in (None, target)
        assert proposal.id in error.message and error.code == "illegal_transition" and error.exit_code == 2


def test_final_statuses_are_left_by_nothing_and_open_ones_are_the_rest() -> None:
    assert {S.REJECTED, S.APPLIED, S.FAILED, S.EXPIRED} == FINAL_STATUSES
    assert all(not allowed_targets(s) for s in FINAL_STATUSES)
    assert set(OPEN_STATUSES) == set(ProposalStatus) - FINAL_STATUSES
    # Only an approved plan is applied; applied and failed are reached from applying alone.
    assert {a for _, a, b in ALLOWED if b == S.APPLYING} == {S.APPROVED}
    assert {a for _, a, b in ALLOWED if b == S.FAILED} == {S.APPLYING}
    assert {a for _, a, b in ALLOWED if b == S.APPLIED} == {S.APPLYING, S.INTERRUPTED}
    # An interrupted apply is never resumed on its old plan: it is planned again (or rejected).
    want = {T.REPLAN, T.BLOCK, T.SUPERSEDE, T.REJECT, T.APPLY_FINISH}
    assert {n for n, a, _ in ALLOWED if a == S.INTERRUPTED} == want
    assert {a for _, a, b in ALLOWED if b == S.INTERRUPTED} == {S.APPLYING}
    # Nothing is approved without the approve transition or a re-plan the rules auto-approve.
    assert {n for n, a, b in ALLOWED if b == S.APPROVED} == {T.APPROVE, T.REPLAN}


def test_the_error_is_a_refusal_that_names_the_status_and_what_is_allowed() -> None:
    with pytest.raises(RefusedError, match=r"p-1 is expired; only a pending proposal can be approved"):
        leaving(T.APPROVE, S.EXPIRED, "p-1")
    with pytest.raises(IllegalTransitionError, match=r"p-1 is applied; it can no longer be rejected"):
        check_transition(T.REJECT, S.APPLIED, S.REJECTED, "p-1")
    with pytest.raises(IllegalTransitionError, match=r"p-1: apply-finish leads to applied, not failed"):
        check_transition(T.APPLY_FINISH, S.APPLYING, S.FAILED, "p-1")
    with pytest.raises(IllegalTransitionError, match=r"^custom words$"):
        leaving(T.APPLY_START, S.PENDING, "p-1", "custom words")


def test_the_decision_outcome_gives_the_starting_status() -> None:
    assert initial_status("auto-approved") == S.APPROVED
    assert initial_status("needs-approval") == S.PENDING
    assert initial_status("blocked") == S.BLOCKED


@pytest.mark.parametrize("status", list(ProposalStatus))
def test_expiry_applies_to_undecided_or_unapplied_proposals_once_their_time_is_up(status: ProposalStatus) -> None:
    ends = datetime(2026, 12, 1, 10, tzinfo=UTC)
    expirable = TRANSITIONS[T.EXPIRE].allows(status, S.EXPIRED)
    assert expirable == (status in (S.PENDING, S.APPROVED, S.BLOCKED))
    assert is_expired(status, ends, ends + timedelta(microseconds=1)) == expirable
    assert is_expired(status, ends, ends) == expirable
    assert not is_expired(status, ends, ends - timedelta(seconds=1))


def test_status_values_and_json_stay_what_the_store_holds() -> None:
    assert [s.value for s in ProposalStatus] == [
        "pending",
        "approved",
        "blocked",
        "rejected",
        "applying",
        "applied",
        "failed",
        "expired",
        "interrupted",
    ]
    stored = _proposal(S.PENDING).stored()
    assert stored["status"] == "pending" and type(stored["status"]) is str
    back = Proposal.from_stored(stored, ())
    assert back.status is S.PENDING and replace(back, status=S.APPLIED).as_dict()["status"] == "applied"
