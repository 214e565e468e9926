"""What proposals write to the audit log: their creation, their decisions, and every status change.

A status change records its transition by name with the statuses it left and
entered, so the audit log reads as the lifecycle's table in use.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from infraplane.core.approval import approval_state
from infraplane.core.audit import SYSTEM, Actor
from infraplane.core.ports import Transaction
from infraplane.core.proposal_lifecycle import TransitionName
from infraplane.core.proposals import Proposal
from infraplane.core.summary import plain_summary
from infraplane.services.audit import record

__all__ = ["record_created", "record_decision", "record_transition"]


def record_created(tx: Transaction, proposal: Proposal) -> None:
    record(
        tx,
        proposal.actor,
        "proposal.create",
        f"proposal:{proposal.id}",
        {
            "environment": proposal.environment,
            "kind": proposal.kind,
            "justification": proposal.justification,
            "plan_digest": proposal.plan_digest,
            "blueprint": proposal.document.get("blueprint"),
            "rollback_to": proposal.rollback_to,
            "cost": proposal.cost.as_dict() if proposal.cost else None,
            "findings": {
                "deny": sum(1 for f in proposal.findings if f.severity == "deny"),
                "warn": sum(1 for f in proposal.findings if f.severity == "warn"),
            },
        },
    )
    record_decision(tx, proposal)


def record_decision(tx: Transaction, proposal: Proposal) -> None:
    """The decision, and the plain-words summary as it reads when decided (nothing approved of this plan yet)."""
    state = approval_state(proposal.decision, proposal.approvals, proposal.plan_digest, {})
    record(
        tx,
        SYSTEM,
        "proposal.decide",
        f"proposal:{proposal.id}",
        {
            "outcome": proposal.decision.outcome,
            "rule": proposal.decision.rule,
            "requirements": [r.as_dict() for r in proposal.decision.requirements],
            "bundles": list(proposal.decision.bundles),
            "status": proposal.status.value,
            "plan_digest": proposal.plan_digest,
            "summary": plain_summary(proposal, state),
        },
    )


def record_transition(
    tx: Transaction,
    actor: Actor,
    action: str,
    name: TransitionName,
    before: Proposal,
    after: Proposal,
    payload: Mapping[str, Any] | None = None,
) -> None:
    """One status change, in the same transaction as the proposal's new state."""
    moved = {"transition": name.value, "from": before.status.value, "to": after.status.value}
    record(tx, actor, action, f"proposal:{after.id}", {**(payload or {}), **moved})
