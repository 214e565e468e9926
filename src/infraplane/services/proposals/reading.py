"""Reading proposals: by id or by environment and status; reading expires what is past its time."""

from __future__ import annotations

from infraplane.core.clock import Clock
from infraplane.core.ports import Store, Transaction
from infraplane.core.proposal_lifecycle import ProposalStatus
from infraplane.core.proposals import Proposal
from infraplane.errors import InputError, NotFoundError, Problem
from infraplane.services.proposals.expiry import expire_due

__all__ = ["ProposalReader"]


class ProposalReader:
    def __init__(self, store: Store, clock: Clock) -> None:
        self._store = store
        self._clock = clock

    def get(self, proposal_id: str) -> Proposal:
        with self._store.transaction() as tx:
            return self.open(tx, proposal_id, lock=False)

    def proposals(self, environment: str | None = None, status: str | None = None) -> list[Proposal]:
        """Proposals, oldest first; any past its expiry is marked expired on the way."""
        if status is not None and status not in set(ProposalStatus):
            known = ", ".join(ProposalStatus)
            raise InputError.from_problems([Problem("", "status", f"no status {status!r} (statuses: {known})")])
        now = self._clock()
        with self._store.transaction() as tx:
            found = [expire_due(tx, p, now) for p in tx.proposals.all(environment)]
        return [p for p in found if status is None or p.status == status]

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
