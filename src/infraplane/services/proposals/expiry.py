"""Expiry: a proposal neither applied nor rejected in time moves to expired when it is next read."""

from __future__ import annotations

from datetime import datetime

from infraplane.core.audit import SYSTEM, utc_timestamp
from infraplane.core.clock import parse_time
from infraplane.core.ports import Transaction
from infraplane.core.proposal_lifecycle import ProposalStatus, TransitionName, is_expired
from infraplane.core.proposals import Proposal
from infraplane.services.proposals.recording import record_transition

__all__ = ["expire_due"]


def expire_due(tx: Transaction, proposal: Proposal, now: datetime) -> Proposal:
    """The proposal as of `now`: past its expiry (and still undecided or unapplied) it is saved as expired."""
    if not is_expired(proposal.status, parse_time(proposal.expires_at), now):
        return proposal
    expired = proposal.transition(
        TransitionName.EXPIRE, ProposalStatus.EXPIRED, f"expired at {proposal.expires_at}", utc_timestamp(now)
    )
    tx.proposals.save(expired)
    record_transition(
        tx, SYSTEM, "proposal.expire", TransitionName.EXPIRE, proposal, expired, {"expires_at": expired.expires_at}
    )
    return expired
