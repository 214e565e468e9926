"""Reading proposals: by id or by environment and status; reading expires what is past its time."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from infraplane.core.audit import utc_timestamp
from infraplane.core.clock import Clock, parse_time
from infraplane.core.ports import ProposalQuery, Store, Transaction
from infraplane.core.proposal_lifecycle import EXPIRABLE, ProposalStatus, is_expired
from infraplane.core.proposals import Proposal
from infraplane.core.tasks import NOT_PROPOSED, NoProposal
from infraplane.errors import InputError, NotFoundError, Problem
from infraplane.services.proposals.expiry import expire_due

__all__ = ["ProposalReader"]


class ProposalReader:
    def __init__(self, store: Store, clock: Clock) -> None:
        self._store = store
        self._clock = clock

    def get(self, proposal_id: str) -> Proposal:
        with self._store.read() as tx:
            found = tx.proposals.get(proposal_id)
        if found is not None and not _due(found, self._clock()):
            return found  # the common case reads without the write lock
        with self._store.transaction() as tx:
            return self.open(tx, proposal_id, lock=False)

    def not_proposed(self, proposal_id: str) -> NoProposal | None:
        """Why `proposal_id` was never made, when its task ended without it (the newest try)."""
        with self._store.read() as tx:
            ended = list(tx.audit.events(action=NOT_PROPOSED, subject=f"proposal:{proposal_id}"))
        if not ended:
            return None
        payload = ended[-1].payload
        team, code, message, environment = (str(payload.get(k, "")) for k in ("team", "code", "message", "environment"))
        return NoProposal(proposal_id, team, code, message, ended[-1].time, environment)

    def proposals(self, environment: str | None = None, status: str | None = None) -> list[Proposal]:
        """Proposals, oldest first; any past its expiry is marked expired on the way."""
        _check_status(status)
        return self.find(ProposalQuery(environment, frozenset({status}) if status else None))

    def find(self, query: ProposalQuery, limit: int | None = None) -> list[Proposal]:
        """Proposals matching `query`, oldest first, at most `limit`, filtered and paged in the store.

        Those past their expiry are marked expired first, so a status filter is exact.
        """
        for status in query.statuses or ():
            _check_status(status)
        now = self._clock()
        due = replace(query, statuses=EXPIRABLE, after=None, expires_by=utc_timestamp(now))
        with self._store.read() as tx:
            if not tx.proposals.find(due, limit=1):
                return tx.proposals.find(query, limit)  # the common case reads without the write lock
        with self._store.transaction() as tx:
            for proposal in tx.proposals.find(due):
                expire_due(tx, proposal, now)
            return tx.proposals.find(query, limit)

    def open(self, tx: Transaction, proposal_id: str, lock: bool = True) -> Proposal:
        """The proposal (its row locked unless `lock` is False), expired first when it is due."""
        proposal = tx.proposals.lock(proposal_id) if lock else tx.proposals.get(proposal_id)
        if proposal is None:
            known = [p.id for p in tx.proposals.all()][-5:]
            hint = f" (latest: {', '.join(known)})" if known else ""
            raise NotFoundError(
                f"no proposal {proposal_id!r}{hint}", [Problem("", "proposal", f"no proposal {proposal_id!r}")]
            )
        return expire_due(tx, proposal, self._clock())


def _check_status(status: str | None) -> None:
    if status is not None and status not in set(ProposalStatus):
        known = ", ".join(ProposalStatus)
        raise InputError.from_problems([Problem("", "status", f"no status {status!r} (statuses: {known})")])


def _due(proposal: Proposal, now: datetime) -> bool:
    return is_expired(proposal.status, parse_time(proposal.expires_at), now)
