"""Deciding: people approve or reject a proposal; enough approvals of the current plan approve it.

Whether an approval counts is decided on structured data (`core.approval.approval_counts`);
the words of a refusal are rendered here, last.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from infraplane.core.approval import Approval, ApprovalCheck, ApprovalState, approval_counts, approval_state
from infraplane.core.audit import Actor, utc_timestamp
from infraplane.core.clock import Clock
from infraplane.core.ports import Store
from infraplane.core.proposal_lifecycle import ProposalStatus, TransitionName, leaving
from infraplane.core.proposals import Proposal
from infraplane.errors import ForbiddenError, InputError, Problem, RefusedError
from infraplane.services.proposals.reading import ProposalReader
from infraplane.services.proposals.recording import record_transition

__all__ = ["ProposalDecider", "refusal"]


def refusal(check: ApprovalCheck, proposal: Proposal, approver: Actor) -> str:
    """Why an approval that does not count is refused, in words."""
    if check.reason == "not-a-person":
        return f"{approver}: only people approve; agents and the system can only propose"
    if check.reason == "own-proposal":
        return f"{approver.id} proposed {proposal.id}; a proposer cannot approve their own proposal"
    if check.reason == "already-counted":
        return f"{approver.id} already approved {proposal.id}; a person counts once"
    return (
        f"{approver.id}'s approval would not count: {proposal.id} still needs {'; '.join(check.before.describe())}"
        f" (groups: {', '.join(check.approver_groups) or 'none'})"
    )


class ProposalDecider:
    def __init__(self, store: Store, reader: ProposalReader, groups: Mapping[str, list[str]], clock: Clock) -> None:
        self._store = store
        self._reader = reader
        self._groups = {name: frozenset(members) for name, members in groups.items()}
        self._clock = clock

    def approval_state(self, proposal: Proposal) -> ApprovalState:
        """How far the proposal's approvals of its current plan go towards its decision."""
        return approval_state(proposal.decision, proposal.approvals, proposal.plan_digest, self._groups)

    def check(self, proposal: Proposal, approver: Actor) -> ApprovalCheck:
        """Would `approver`'s approval of the proposal's current plan count, and why."""
        return approval_counts(
            proposal.decision, proposal.approvals, proposal.plan_digest, approver, proposal.actor, self._groups
        )

    def approve(self, proposal_id: str, actor: Actor, comment: str = "") -> Proposal:
        """Record one person's approval of the current plan digest; enough of them approve the proposal."""
        self._reader.get(proposal_id)  # expire it first, so refusing below does not roll the expiry back
        with self._store.transaction() as tx:
            proposal = self._reader.open(tx, proposal_id)
            leaving(TransitionName.APPROVE, proposal.status, proposal.id)
            check = self.check(proposal, actor)
            if not check.counts:
                # Who may not approve at all (agents, the proposer) is forbidden; a person who
                # simply does not count (yet, or any more) is a conflict with the proposal's state.
                forbidden = check.reason in ("not-a-person", "own-proposal")
                raise (ForbiddenError if forbidden else RefusedError)(refusal(check, proposal, actor))
            approval = Approval(actor.id, utc_timestamp(self._clock()), proposal.plan_digest, comment)
            tx.proposals.add_approval(proposal.id, approval)
            done = check.after.met
            transition = TransitionName.APPROVE if done else TransitionName.COUNT_APPROVAL
            status = ProposalStatus.APPROVED if done else ProposalStatus.PENDING
            before = replace(proposal, approvals=(*proposal.approvals, approval))
            proposal = before.transition(transition, status, proposal.result, approval.at)
            tx.proposals.save(proposal)
            record_transition(
                tx,
                actor,
                "proposal.approve",
                transition,
                before,
                proposal,
                {
                    "plan_digest": proposal.plan_digest,
                    "comment": comment,
                    "status": status.value,
                    "still_needs": check.after.describe(),
                },
            )
            return proposal

    def reject(self, proposal_id: str, actor: Actor, reason: str) -> Proposal:
        """A person rejects the proposal; it can no longer be approved or applied."""
        if actor.kind != "human":
            raise ForbiddenError(f"{actor}: only people reject proposals")
        if not reason.strip():
            raise InputError.from_problems([Problem("", "reason", "say why the proposal is rejected")])
        self._reader.get(proposal_id)  # expire it first, so refusing below does not roll the expiry back
        with self._store.transaction() as tx:
            before = self._reader.open(tx, proposal_id)
            rejected = before.transition(
                TransitionName.REJECT, ProposalStatus.REJECTED, reason, utc_timestamp(self._clock())
            )
            tx.proposals.save(rejected)
            record_transition(tx, actor, "proposal.reject", TransitionName.REJECT, before, rejected, {"reason": reason})
            return rejected
