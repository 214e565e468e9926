"""A real SQLite store, a clock the test moves by hand, and proposals saved straight into the store."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from infraplane.adapters.store import SqlStore
from infraplane.core.approval import decide
from infraplane.core.audit import Actor, AuditEvent, utc_timestamp
from infraplane.core.proposal_lifecycle import ProposalStatus
from infraplane.core.proposals import BlastRadius, Proposal

START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
GROUPS = {"platform-team": ["bob", "carol"], "finops": ["dana"]}
PROD_RULE = {"rule": "APR-002", "count": 2, "group": "platform-team", "reason": "prod changes need the platform team"}


@dataclass
class HandClock:
    """Now is whatever the test says; `advance` moves it."""

    now: datetime = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, by: timedelta) -> None:
        self.now += by


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[SqlStore]:
    store = SqlStore(f"sqlite:///{tmp_path / 'infraplane.db'}")
    store.migrate()
    yield store
    store.dispose()


def saved_proposal(
    store: SqlStore,
    proposal_id: str,
    status: ProposalStatus = ProposalStatus.PENDING,
    expires_in: timedelta = timedelta(hours=1),
    rules: tuple[dict[str, object], ...] = (PROD_RULE,),
) -> Proposal:
    proposal = Proposal(
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
    with store.transaction() as tx:
        tx.proposals.save(proposal)
    return proposal


def events(store: SqlStore, action: str) -> list[AuditEvent]:
    with store.transaction() as tx:
        return list(tx.audit.events(action=action))


def stored_status(store: SqlStore, proposal_id: str) -> ProposalStatus:
    with store.transaction() as tx:
        found = tx.proposals.get(proposal_id)
    assert found is not None
    return found.status
