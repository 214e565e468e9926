"""Expiry with a clock the test moves: an undecided or unapplied proposal expires when it is next read, once."""

from __future__ import annotations

from datetime import timedelta

import pytest

from infraplane.adapters.store import SqlStore
from infraplane.core.audit import Actor
from infraplane.core.proposal_lifecycle import ProposalStatus
from infraplane.errors import IllegalTransitionError, InputError
from infraplane.services.proposals.deciding import ProposalDecider
from infraplane.services.proposals.reading import ProposalReader
from tests.services.proposals.support import (
    GROUPS,
    HandClock,
    events,
    saved_proposal,
    sqlite_store,
    stored_status,
)

__all__ = ["sqlite_store"]

S = ProposalStatus


def test_a_pending_proposal_expires_when_read_after_its_time_and_records_it_once(sqlite_store: SqlStore) -> None:
    clock = HandClock()
    reader = ProposalReader(sqlite_store, clock)
    saved = saved_proposal(sqlite_store, "p-expiring", expires_in=timedelta(hours=1))

    clock.advance(timedelta(minutes=59, seconds=59))
    assert reader.get("p-expiring").status == S.PENDING
    assert events(sqlite_store, "proposal.expire") == []

    clock.advance(timedelta(seconds=1))
    expired = reader.get("p-expiring")
    assert expired.status == S.EXPIRED and expired.result == f"expired at {saved.expires_at}"
    assert expired.updated_at == "2026-12-01T10:00:00.000000Z"
    assert stored_status(sqlite_store, "p-expiring") == S.EXPIRED

    clock.advance(timedelta(days=1))
    assert reader.get("p-expiring").status == S.EXPIRED
    [event] = events(sqlite_store, "proposal.expire")
    assert event.subject == "proposal:p-expiring" and event.actor == Actor("system", "infraplane")
    assert event.payload == {"expires_at": saved.expires_at}


def test_listing_expires_only_undecided_or_unapplied_proposals(sqlite_store: SqlStore) -> None:
    clock = HandClock()
    reader = ProposalReader(sqlite_store, clock)
    for status in ProposalStatus:
        saved_proposal(sqlite_store, f"p-{status}", status=status, expires_in=timedelta(minutes=5))
    clock.advance(timedelta(minutes=5))

    listed = {p.id: p.status for p in reader.proposals()}
    expected = {f"p-{s}": S.EXPIRED if s in (S.PENDING, S.APPROVED, S.BLOCKED) else s for s in ProposalStatus}
    assert listed == expected
    assert {e.subject for e in events(sqlite_store, "proposal.expire")} == {
        "proposal:p-pending",
        "proposal:p-approved",
        "proposal:p-blocked",
    }
    assert [p.id for p in reader.proposals(status="expired")] == sorted(
        ["p-pending", "p-approved", "p-blocked", "p-expired"]
    )
    assert reader.proposals(environment="elsewhere") == []


def test_an_unknown_status_filter_names_the_field_and_the_statuses(sqlite_store: SqlStore) -> None:
    with pytest.raises(InputError) as raised:
        ProposalReader(sqlite_store, HandClock()).proposals(status="done")
    assert raised.value.problems[0].field == "--status"
    assert "pending, approved, blocked, rejected, applying, applied, failed, expired" in raised.value.message


def test_an_expired_proposal_can_no_longer_be_approved_or_rejected(sqlite_store: SqlStore) -> None:
    clock = HandClock()
    reader = ProposalReader(sqlite_store, clock)
    decider = ProposalDecider(sqlite_store, reader, GROUPS, clock)
    saved_proposal(sqlite_store, "p-late", expires_in=timedelta(seconds=30))
    clock.advance(timedelta(seconds=31))

    with pytest.raises(IllegalTransitionError, match="p-late is expired; only a pending proposal can be approved"):
        decider.approve("p-late", Actor("human", "bob"))
    with pytest.raises(IllegalTransitionError, match="p-late is expired; it can no longer be rejected"):
        decider.reject("p-late", Actor("human", "bob"), "too late")
    assert stored_status(sqlite_store, "p-late") == S.EXPIRED
    assert len(events(sqlite_store, "proposal.expire")) == 1
