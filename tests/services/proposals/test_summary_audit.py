"""The plain-words summary is what the audit trail records with a proposal's decision, on a real store."""

from __future__ import annotations

from infraplane.core.approval import approval_state
from infraplane.core.summary import plain_summary
from infraplane.services.proposals.recording import record_created
from tests.services.proposals.conftest import Proposals
from tests.support.summary_cases import CASES


def test_the_decision_event_records_the_summary_of_the_stored_proposal(stored: Proposals) -> None:
    proposal = CASES["service-stack-create"]()
    with stored.store.transaction() as tx:
        tx.proposals.save(proposal)
        record_created(tx, proposal)
    with stored.store.transaction() as tx:
        again = tx.proposals.get(proposal.id)
    assert again is not None
    (event,) = stored.events("proposal.decide")
    recorded = event.payload["summary"]
    assert recorded == plain_summary(again, approval_state(again.decision, (), again.plan_digest, {}))
    assert recorded.startswith("Creates payments-staging (staging, team payments) from service-stack@1.0.0.")
    assert recorded.endswith(
        "Needs 1 approval from any human (APR-001: changes to tier staging need one approval). No approval is in yet."
    )
