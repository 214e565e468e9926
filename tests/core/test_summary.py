"""The plain-words summary of proposals made from real Terraform plans and states (tests/support/summary_cases.py).

Golden files in tests/core/fixtures/summaries/ hold each paragraph; `UPDATE_GOLDEN=1 pytest ...` rewrites them
(read the difference before committing it). Beyond the golden text, each summary is checked against the
proposal's own diff, cost, findings and decision, so a wrong sentence fails even after a careless update.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest

from infraplane.core.approval import Approval, approval_state, decide
from infraplane.core.proposals import Proposal
from infraplane.core.summary import kind_name, plain_summary
from tests.support.proposals import Planned, proposal_from_plans
from tests.support.summary_cases import CASES

GOLDEN = Path(__file__).parent / "fixtures" / "summaries"
GROUPS = {"platform-team": ["bob", "carol"]}


def _summary(proposal: Proposal) -> str:
    return plain_summary(proposal, approval_state(proposal.decision, proposal.approvals, proposal.plan_digest, GROUPS))


@pytest.fixture(scope="module")
def cases() -> dict[str, Proposal]:
    return {name: make() for name, make in CASES.items()}


@pytest.mark.parametrize("name", sorted(CASES))
def test_summary_matches_its_golden_file(cases: dict[str, Proposal], name: str) -> None:
    text = _summary(cases[name])
    golden = GOLDEN / f"{name}.txt"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(text + "\n", encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8").rstrip("\n")


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_reviewer_can_check_the_summary_against_the_diff(cases: dict[str, Proposal], name: str) -> None:
    proposal = cases[name]
    text = _summary(proposal)
    words = {"create": "to create", "update": "to change", "replace": "to replace", "delete": "to destroy"}
    actions = Counter(d.action for d in proposal.diff)
    for action, count in actions.items():
        assert re.search(rf"\b{count} (resources? )?{words[action]}\b", text), (action, count, text)
    for diff in proposal.diff:
        if diff.action == "update":
            assert f"{diff.component}: {diff.address}" in text
    kinds = Counter(kind_name(d.type) for d in proposal.diff)
    most = max(kinds, key=lambda k: (kinds[k], k))
    assert most in text
    cost = proposal.cost
    assert cost is not None and f"${cost.after:,.2f}" in text and f"for {len(cost.priced)} of {cost.components}" in text
    for requirement in proposal.decision.requirements:
        assert requirement.rule in text
    assert text.startswith(("Creates ", "Upgrades ", "Destroys ", "Reverts drift in ")) and proposal.environment in text


def test_the_same_stored_proposal_gives_the_same_words(cases: dict[str, Proposal]) -> None:
    for proposal in cases.values():
        again = Proposal.from_stored(proposal.stored(), proposal.approvals)
        assert _summary(again) == _summary(proposal)


def test_the_summary_names_attributes_never_their_values(cases: dict[str, Proposal]) -> None:
    create = cases["service-stack-create"]
    # Values are in the diff (the queue's name, the network's CIDR); none reaches the summary.
    values = {"payments-staging-queue", "10.0.0.0/16"}
    assert values <= {a.after for d in create.diff for a in d.attributes if isinstance(a.after, str)}
    texts = [_summary(p) for p in cases.values()]
    assert all(value not in text for value in values for text in texts)
    upgrade = _summary(cases["service-stack-upgrade"])
    assert "postgres: aws_db_instance.this (instance_class, multi_az; $15.44 -> $109.72 a month)" in upgrade
    assert "db.t3.medium" not in upgrade


def test_approvals_move_only_the_last_sentences() -> None:
    rules = [{"rule": "APR-002", "count": 2, "group": "platform-team", "reason": "production changes"}]
    proposal = replace(CASES["service-stack-upgrade"](), tier="prod", decision=decide(rules, [], []))
    before = _summary(proposal)
    assert before.endswith("Needs 2 approvals from platform-team (APR-002: production changes). No approval is in yet.")
    one = replace(proposal, approvals=(Approval("bob", "t", proposal.plan_digest),))
    assert _summary(one).endswith("Still missing: 1 more approval from platform-team (APR-002).")
    old = Approval("carol", "t", "sha256:an-earlier-plan")
    assert _summary(replace(one, approvals=(*one.approvals, old))) == _summary(one)
    both = replace(one, approvals=(*one.approvals, Approval("carol", "t", proposal.plan_digest)))
    assert _summary(both).endswith("Every required approval is in (bob and carol).")
    assert _summary(both).rsplit(" Needs ", 1)[0] == before.rsplit(" Needs ", 1)[0]


def test_deny_findings_and_the_block_are_said_first_hand() -> None:
    blocked = proposal_from_plans(
        kind="create",
        environment="edge-dev",
        team="edge",
        tier="dev",
        blueprint="open-ssh@1.0.0",
        components=(Planned("ssh", "open-ssh@1.0.0", "../policies/NET-002/bad/plan.json"),),
    )
    text = _summary(blocked)
    assert blocked.decision.outcome == "blocked"
    deny = next(f for f in blocked.findings if f.severity == "deny")
    assert f"The guardrails deny it (1 finding: NET-002 on ssh: {deny.address})" in text
    assert text.endswith("Blocked by APR-000 (the guardrails found deny findings; fix them and propose again).")


def test_a_kind_this_module_does_not_know_still_reads() -> None:
    proposal = replace(CASES["orders-dev-drift-revert"](), kind="advisor")  # type: ignore[arg-type]
    assert _summary(proposal).startswith("An advisor proposal for orders-dev (dev, team orders).")
