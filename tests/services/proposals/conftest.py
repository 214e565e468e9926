"""A real SQLite store, a clock the test moves by hand, and the reading and deciding use cases over them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from infraplane.adapters.store import SqlStore
from infraplane.core.audit import AuditEvent
from infraplane.core.proposal_lifecycle import ProposalStatus
from infraplane.core.proposals import Proposal
from infraplane.services.proposals.deciding import ProposalDecider
from infraplane.services.proposals.reading import ProposalReader
from tests.support.proposals import START, build_proposal

GROUPS = {"platform-team": ["bob", "carol"], "finops": ["dana"]}


@dataclass
class HandClock:
    """Now is whatever the test says; `advance` moves it."""

    now: datetime = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, by: timedelta) -> None:
        self.now += by


@dataclass
class Proposals:
    """The store with helpers to put proposals in and read what was recorded."""

    store: SqlStore

    def save(
        self,
        proposal_id: str,
        status: ProposalStatus = ProposalStatus.PENDING,
        expires_in: timedelta = timedelta(hours=1),
    ) -> Proposal:
        proposal = build_proposal(proposal_id, status, expires_in)
        with self.store.transaction() as tx:
            tx.proposals.save(proposal)
        return proposal

    def events(self, action: str) -> list[AuditEvent]:
        with self.store.transaction() as tx:
            return list(tx.audit.events(action=action))

    def status(self, proposal_id: str) -> ProposalStatus:
        with self.store.transaction() as tx:
            found = tx.proposals.get(proposal_id)
        assert found is not None
        return found.status


@pytest.fixture
def clock() -> HandClock:
    return HandClock()


@pytest.fixture
def stored(tmp_path: Path) -> Iterator[Proposals]:
    store = SqlStore(f"sqlite:///{tmp_path / 'infraplane.db'}")
    store.migrate()
    yield Proposals(store)
    store.dispose()


@pytest.fixture
def reader(stored: Proposals, clock: HandClock) -> ProposalReader:
    return ProposalReader(stored.store, clock)


@pytest.fixture
def decider(stored: Proposals, reader: ProposalReader, clock: HandClock) -> ProposalDecider:
    return ProposalDecider(stored.store, reader, GROUPS, clock)
