"""Approval decisions: blocks win, every requirement must be met, a person counts once, approvals bind to a digest."""

from __future__ import annotations

from typing import get_args

import pytest

from infraplane.core.approval import (
    Approval,
    ApprovalCheck,
    ApprovalDecision,
    ApprovalReason,
    Missing,
    approval_counts,
    approval_state,
    decide,
    missing_approvals,
)
from infraplane.core.audit import Actor

GROUPS = {"platform-team": ["bob", "carol"], "finops": ["dana"]}
PROD = {"rule": "APR-002", "count": 2, "group": "platform-team", "reason": "prod"}
AGENT = {"rule": "APR-003", "count": 1, "group": "", "reason": "agent"}
FINOPS = {"rule": "APR-005", "count": 1, "group": "finops", "reason": "cost"}


def _approval(person: str, digest: str = "d1") -> Approval:
    return Approval(person, "2026-11-21T00:00:00.000000Z", digest)


def test_no_entries_is_auto_approved_and_a_block_blocks() -> None:
    assert decide([], [], ["b@1"]).outcome == "auto-approved"
    blocked = decide([PROD], [{"rule": "APR-000", "reason": "deny findings"}], ["b@1"])
    assert blocked.outcome == "blocked" and blocked.rule == "APR-000"
    assert missing_approvals(blocked, [_approval("bob"), _approval("carol")], "d1", GROUPS) == [
        "blocked by APR-000: deny findings"
    ]


def test_every_requirement_must_be_met_by_members_of_its_group() -> None:
    decision = decide([PROD, AGENT, FINOPS], [], ["b@1"])
    assert decision.outcome == "needs-approval" and decision.rule == "APR-002, APR-003, APR-005"
    assert missing_approvals(decision, [_approval("bob")], "d1", GROUPS) == [
        "1 more approval from platform-team (APR-002)",
        "1 more approval from finops (APR-005)",
    ]
    # bob counts for "any human" and for platform-team; eve for neither group.
    assert missing_approvals(decision, [_approval("bob"), _approval("eve")], "d1", GROUPS) == [
        "1 more approval from platform-team (APR-002)",
        "1 more approval from finops (APR-005)",
    ]
    done = [_approval("bob"), _approval("carol"), _approval("dana")]
    assert missing_approvals(decision, done, "d1", GROUPS) == []


def test_a_person_counts_once_and_approvals_of_another_plan_do_not_count() -> None:
    decision = decide([PROD], [], [])
    assert missing_approvals(decision, [_approval("bob"), _approval("bob")], "d1", GROUPS) == [
        "1 more approval from platform-team (APR-002)"
    ]
    old_plan = [_approval("bob", "d0"), _approval("carol", "d0")]
    assert missing_approvals(decision, old_plan, "d1", GROUPS) == ["2 more approvals from platform-team (APR-002)"]


def test_duplicate_entries_merge_and_bad_counts_become_one() -> None:
    decision = decide([AGENT, AGENT, {"rule": "X", "count": "two", "group": ""}], [], [])
    assert [(r.rule, r.count) for r in decision.requirements] == [("APR-003", 1), ("X", 1)]


# -- structured state and reasons ---------------------------------------------------------------

ALICE = Actor("human", "alice")


def test_the_state_tallies_who_counts_for_each_requirement_and_what_is_missing() -> None:
    decision = decide([PROD, AGENT, FINOPS], [], [])
    state = approval_state(decision, [_approval("bob"), _approval("eve"), _approval("carol", "d0")], "d1", GROUPS)
    assert [(t.requirement.rule, t.counted) for t in state.tallies] == [
        ("APR-002", ("bob",)),
        ("APR-003", ("bob", "eve")),
        ("APR-005", ()),
    ]
    assert state.missing == (Missing("APR-002", "platform-team", 1), Missing("APR-005", "finops", 1))
    assert not state.met and not state.blocked
    assert state.describe() == [m.describe() for m in state.missing]
    assert state.missing[0].as_dict() == {"rule": "APR-002", "group": "platform-team", "count": 1}
    assert Missing("APR-003", "", 2).describe() == "2 more approvals from any human (APR-003)"
    assert approval_state(decide([], [], []), [], "d1", GROUPS).met


def _check(decision: ApprovalDecision, given: list[Approval], approver: Actor) -> ApprovalCheck:
    return approval_counts(decision, given, "d1", approver, ALICE, GROUPS)


CASES: list[tuple[str, ApprovalDecision, list[Approval], Actor, ApprovalReason, tuple[str, ...]]] = [
    ("fills two rules", decide([PROD, AGENT], [], []), [], Actor("human", "bob"), "counts", ("APR-002", "APR-003")),
    ("fills the any-human rule", decide([PROD, AGENT], [], []), [], Actor("human", "eve"), "counts", ("APR-003",)),
    ("an agent", decide([AGENT], [], []), [], Actor("agent", "claude"), "not-a-person", ()),
    ("the system", decide([AGENT], [], []), [], Actor("system", "infraplane"), "not-a-person", ()),
    ("the proposer", decide([AGENT], [], []), [], ALICE, "own-proposal", ()),
    ("twice", decide([PROD], [], []), [_approval("bob")], Actor("human", "bob"), "already-counted", ()),
    (
        "blocked",
        decide([PROD], [{"rule": "APR-000", "reason": "deny findings"}], []),
        [],
        Actor("human", "bob"),
        "blocked",
        (),
    ),
    ("auto-approved", decide([], [], []), [], Actor("human", "bob"), "nothing-missing", ()),
    ("outside the group", decide([PROD], [], []), [], Actor("human", "dana"), "outside-every-group", ()),
    (
        "the any-human rule is already met",
        decide([PROD, AGENT], [], []),
        [_approval("eve")],
        Actor("human", "frank"),
        "outside-every-group",
        (),
    ),
]


@pytest.mark.parametrize(
    ("case", "decision", "given", "approver", "reason", "counts_for"), CASES, ids=[c[0] for c in CASES]
)
def test_whether_an_approval_counts_is_a_reason_code_with_the_rules_it_fills(
    case: str,
    decision: ApprovalDecision,
    given: list[Approval],
    approver: Actor,
    reason: ApprovalReason,
    counts_for: tuple[str, ...],
) -> None:
    check = _check(decision, given, approver)
    assert (check.reason, check.counts, check.counts_for) == (reason, reason == "counts", counts_for)
    assert check.before == approval_state(decision, given, "d1", GROUPS)
    if check.counts:
        assert check.after == approval_state(decision, [*given, _approval(approver.id)], "d1", GROUPS)
        assert sum(m.count for m in check.after.missing) < sum(m.count for m in check.before.missing)
    else:
        assert check.after == check.before and check.missing == check.before.missing


def test_every_reason_code_has_a_case() -> None:
    assert {c[4] for c in CASES} == set(get_args(ApprovalReason))


def test_the_check_names_the_approvers_groups_and_what_stays_missing() -> None:
    check = _check(decide([PROD, FINOPS], [], []), [_approval("bob")], Actor("human", "carol"))
    assert check.counts and check.approver_groups == ("platform-team",)
    assert check.missing == (Missing("APR-005", "finops", 1),)
    outsider = _check(decide([PROD], [], []), [], Actor("human", "dana"))
    assert outsider.approver_groups == ("finops",) and outsider.missing == (Missing("APR-002", "platform-team", 2),)
    # An approval of another plan does not stop the same person approving the current one.
    again = _check(decide([PROD], [], []), [_approval("bob", "d0")], Actor("human", "bob"))
    assert again.reason == "counts"
