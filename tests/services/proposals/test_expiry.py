"""Expiry with a clock the test moves: an undecided or unapplied proposal expires when it is next read, once."""

from __future__ import annotations

from datetime import timedelta

import pytest

from infraplane.core.audit import Actor
from infraplane.core.ports import ProposalQuery
from infraplane.core.proposal_lifecycle import ProposalStatus
from infraplane.errors import IllegalTransitionError, InputError
from infraplane.services.proposals.deciding import ProposalDecider
from infraplane.services.proposals.reading import ProposalReader
from tests.services.proposals.conftest import HandClock, Proposals

S = ProposalStatus


def test_a_pending_proposal_expires_when_read_after_its_time_and_records_it_once(
    stored: Proposals, reader: ProposalReader, clock: HandClock
) -> None:
    saved = stored.save("p-expiring", expires_in=timedelta(hours=1))

    clock.advance(timedelta(minutes=59, seconds=59))
    assert reader.get("p-expiring").status == S.PENDING
    assert stored.events("proposal.expire") == []

    clock.advance(timedelta(seconds=1))
    expired = reader.get("p-expiring")
    assert expired.status == S.EXPIRED and expired.result == f"expired at {saved.expires_at}"
    assert expired.updated_at == "2026-12-01T10:00:00.000000Z"
    assert stored.status("p-expiring") == S.EXPIRED

    clock.advance(timedelta(days=1))
    assert reader.get("p-expiring").status == S.EXPIRED
    [event] = stored.events("proposal.expire")
    assert event.subject == "proposal:p-expiring" and event.actor == Actor("system", "infraplane")
    assert event.payload == {
        "expires_at": saved.expires_at,
        "transition": "expire",
        "from": "pending",
        "to": "expired",
    }


def test_listing_expires_only_undecided_or_unapplied_proposals(
    stored: Proposals, reader: ProposalReader, clock: HandClock
) -> None:
    for status in ProposalStatus:
        stored.save(f"p-{status}", status=status, expires_in=timedelta(minutes=5))
    clock.advance(timedelta(minutes=5))

    listed = {p.id: p.status for p in reader.proposals()}
    expected = {f"p-{s}": S.EXPIRED if s in (S.PENDING, S.APPROVED, S.BLOCKED) else s for s in ProposalStatus}
    assert listed == expected
    assert {e.subject for e in stored.events("proposal.expire")} == {
        "proposal:p-pending",
        "proposal:p-approved",
        "proposal:p-blocked",
    }
    assert sorted(p.id for p in reader.proposals(status="expired")) == [
        "p-approved",
        "p-blocked",
        "p-expired",
        "p-pending",
    ]
    assert reader.proposals(environment="elsewhere") == []


def test_an_unknown_status_filter_names_the_field_and_the_statuses(reader: ProposalReader) -> None:
    with pytest.raises(InputError) as raised:
        reader.proposals(status="done")
    assert raised.value.problems[0].field == "status"
    assert "pending, approved, blocked, rejected, applying, applied, failed, expired" in raised.value.message


def test_an_expired_proposal_can_no_longer_be_approved_or_rejected(
    stored: Proposals, decider: ProposalDecider, clock: HandClock
) -> None:
    stored.save("p-late", expires_in=timedelta(seconds=30))
    clock.advance(timedelta(seconds=31))

    with pytest.raises(IllegalTransitionError, match="p-late is expired; only a pending proposal can be approved"):
        decider.approve("p-late", Actor("human", "bob"))
    with pytest.raises(IllegalTransitionError, match="p-late is expired; it can no longer be rejected"):
        decider.reject("p-late", Actor("human", "bob"), "too late")
    # The refusal does not roll the expiry back.
    assert stored.status("p-late") == S.EXPIRED
    assert len(stored.events("proposal.expire")) == 1


def test_a_page_of_pending_proposals_holds_none_that_expired_since_the_last_read(
    stored: Proposals, reader: ProposalReader, clock: HandClock
) -> None:
    for number in range(4):
        stored.save(f"p-{number}", expires_in=timedelta(minutes=5 if number < 2 else 60))
    clock.advance(timedelta(minutes=5))

    page = reader.find(ProposalQuery(statuses=frozenset({"pending"})), limit=2)
    assert [p.id for p in page] == ["p-2", "p-3"]  # p-0 and p-1 were expired before the page was cut
    assert len(stored.events("proposal.expire")) == 2
