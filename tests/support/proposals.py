"""Proposals built straight from the core types, for tests of the lifecycle and of deciding without a plan."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

from infraplane.core.approval import decide
from infraplane.core.audit import Actor, utc_timestamp
from infraplane.core.proposal_lifecycle import ProposalStatus
from infraplane.core.proposals import BlastRadius, Proposal

START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
PROD_RULE = {"rule": "APR-002", "count": 2, "group": "platform-team", "reason": "prod changes need the platform team"}


def build_proposal(
    proposal_id: str = "p-0123456789",
    status: ProposalStatus = ProposalStatus.PENDING,
    expires_in: timedelta = timedelta(hours=1),
    rules: tuple[Mapping[str, object], ...] = (PROD_RULE,),
) -> Proposal:
    """A prod create proposal by alice, made at START, decided by `rules`, with plan digest `sha256:plan-1`."""
    return Proposal(
        id=proposal_id,
        environment="orders-prod",
        team="shop",
        tier="prod",
        kind="create",
        status=status,
        actor=Actor("human", "alice"),
        justification="orders need a queue",
        created_at=utc_timestamp(START),
        expires_at=utc_timestamp(START + expires_in),
        base_revision=0,
        document={},
        components=(),
        diff=(),
        findings=(),
        cost=None,
        blast_radius=BlastRadius(),
        warnings=(),
        decision=decide(rules, [], ["infraplane-approval@1.0.0"]),
        plan_digest="sha256:plan-1",
    )
