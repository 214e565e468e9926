"""What an applied proposal leaves in the environments repository: the file and the commit message."""

from __future__ import annotations

from typing import Any

from infraplane.core.audit import Actor, redact
from infraplane.core.proposals import Proposal
from infraplane.services.environments.sealing import masked

__all__ = ["commit_message", "repository_document"]


def commit_message(proposal: Proposal, actor: Actor) -> str:
    """Subject `NAME: revision N (kind)`; the body carries why, who proposed, approved and applied, and the digest."""
    approvers = ", ".join(a.approver for a in proposal.approvals if a.plan_digest == proposal.plan_digest)
    if proposal.kind == "destroy":
        subject = f"{proposal.environment}: destroy"
    else:
        to = f" to revision {proposal.rollback_to}" if proposal.rollback_to else ""
        subject = f"{proposal.environment}: revision {proposal.applied_revision} ({proposal.kind}{to})"
    return "\n".join(
        [
            subject,
            "",
            proposal.justification or "(no justification given)",
            "",
            f"Proposal: {proposal.id}",
            f"Proposed-by: {proposal.actor}",
            f"Approved-by: {approvers or f'auto-approved ({proposal.decision.rule})'}",
            f"Applied-by: {actor}",
            f"Blueprint: {proposal.document.get('blueprint', '')}",
            f"Plan-digest: {proposal.plan_digest}",
        ]
    )


def repository_document(proposal: Proposal) -> dict[str, Any]:
    """The environment file as applied (sensitive and secret-looking values masked), with its exact versions."""
    environment = redact(masked(dict(proposal.document.get("environment", {}))))
    return {
        **environment,
        "status": {
            "revision": proposal.applied_revision,
            "blueprint": proposal.document.get("blueprint"),
            "digest": proposal.document.get("digest"),
            "pins": dict(proposal.document.get("pins", {})),
            "proposal": proposal.id,
        },
    }
