"""Plan documents kept with proposals (encrypted) and policy replay reports, on SQLite and PostgreSQL."""

from __future__ import annotations

from infraplane.adapters.store import SqlStore
from infraplane.core.records import PolicyReplayRecord
from tests.support.proposals import PLANS, build_proposal


def test_plan_documents_round_trip_encrypted_and_a_replan_replaces_them(store: SqlStore) -> None:
    proposal = build_proposal("p-docs000001")
    queue = (PLANS / "service-stack" / "queue-create.json").read_bytes()
    with store.transaction() as tx:
        tx.proposals.save(proposal)
        tx.proposals.put_plan_documents(proposal.id, {"queue": queue, "bucket": b"{}"})
    with store.transaction() as tx:
        assert tx.proposals.plan_documents(proposal.id) == {"queue": queue, "bucket": b"{}"}
        tx.proposals.put_plan_documents(proposal.id, {"queue": b"{}"})
    with store.engine.connect() as connection:
        stored = [bytes(row[0]) for row in connection.exec_driver_sql("SELECT ciphertext FROM proposal_plan_documents")]
    assert stored and all(b"aws_sqs_queue" not in c and c != b"{}" for c in stored)  # encrypted at rest
    with store.transaction() as tx:
        assert tx.proposals.plan_documents(proposal.id) == {"queue": b"{}"}
        assert tx.proposals.plan_documents("p-unknown") == {}


def test_replay_reports_are_kept_and_listed_by_bundle(store: SqlStore) -> None:
    first = PolicyReplayRecord(
        "r-1",
        "retention",
        "1.0.0",
        "sha256:a",
        "2026-12-07T05:00:00.000000Z",
        "human:root",
        {"changes": [], "denied_environments": ["orders-dev"]},
    )
    other = PolicyReplayRecord(
        "r-2", "team-rules", "1.0.0", "sha256:b", "2026-12-07T05:01:00.000000Z", "human:root", {}
    )
    with store.transaction() as tx:
        tx.policies.add_replay(first)
        tx.policies.add_replay(other)
    with store.transaction() as tx:
        assert tx.policies.get_replay("r-1") == first
        assert tx.policies.get_replay("r-3") is None
        assert [r.id for r in tx.policies.replays()] == ["r-1", "r-2"]
        assert tx.policies.replays("retention") == [first]
