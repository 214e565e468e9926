"""Approval decisions: blocks win, every requirement must be met, a person counts once, approvals bind to a digest."""

from __future__ import annotations

from infraplane.core.approval import Approval, decide, missing_approvals

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
