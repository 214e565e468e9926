"""Proposal lists filter and page in the store (SQLite and PostgreSQL), and stores made before that are backfilled."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta

from alembic import command
from alembic.config import Config

from infraplane.adapters.store import SqlStore
from infraplane.adapters.store.revision import MIGRATIONS
from infraplane.core.audit import utc_timestamp
from infraplane.core.ports import ProposalQuery
from infraplane.core.proposal_lifecycle import ProposalStatus
from tests.support.proposals import START, build_proposal


def _fill(store: SqlStore) -> list[str]:
    """Twelve proposals over two teams, three environments and two statuses; three share a created_at."""
    ids = []
    with store.transaction() as tx:
        for i in range(12):
            created = utc_timestamp(START + timedelta(seconds=i // 3 * 3 if i < 3 else i))
            proposal = replace(
                build_proposal(f"p-{i:010d}"),
                team="shop" if i % 2 else "payments",
                environment=f"env-{i % 3}",
                status=ProposalStatus.APPROVED if i % 4 == 0 else ProposalStatus.PENDING,
                created_at=created,
            )
            tx.proposals.save(proposal)
            ids.append(proposal.id)
    return ids


def test_find_filters_in_the_store_and_pages_by_created_at_then_id(store: SqlStore) -> None:
    ids = _fill(store)
    with store.transaction() as tx:
        everything = [p.id for p in tx.proposals.find(ProposalQuery())]
        assert everything == ids  # oldest first; the three made at once by id
        shop = tx.proposals.find(ProposalQuery(teams=frozenset({"shop"})))
        assert [p.id for p in shop] == ids[1::2] and {p.team for p in shop} == {"shop"}
        assert tx.proposals.find(ProposalQuery(teams=frozenset())) == []
        approved = tx.proposals.find(ProposalQuery(statuses=frozenset({"approved"})))
        assert [p.id for p in approved] == [ids[0], ids[4], ids[8]]
        in_env = tx.proposals.find(ProposalQuery(environment="env-1", teams=frozenset({"payments"})))
        assert [p.id for p in in_env] == [ids[4], ids[10]]
        # Keyset pages of 5 meet every proposal once, across the created_at shared by the first three.
        seen: list[str] = []
        after = None
        while True:
            chosen = tx.proposals.find(ProposalQuery(after=after), limit=5)
            seen += [p.id for p in chosen]
            if len(chosen) < 5:
                break
            after = (chosen[-1].created_at, chosen[-1].id)
        assert seen == ids
        first = tx.proposals.find(ProposalQuery(after=(utc_timestamp(START), ids[1])))
        assert [p.id for p in first][:2] == [ids[2], ids[3]]


def test_find_by_expiry_names_only_those_due(store: SqlStore) -> None:
    with store.transaction() as tx:
        tx.proposals.save(build_proposal("p-soon", expires_in=timedelta(minutes=5)))
        tx.proposals.save(build_proposal("p-later", expires_in=timedelta(days=2)))
        due = tx.proposals.find(ProposalQuery(expires_by=utc_timestamp(START + timedelta(hours=1))))
    assert [p.id for p in due] == ["p-soon"]


def test_a_store_made_before_the_columns_gets_team_and_expiry_from_each_document(store_url: str) -> None:
    store = SqlStore(store_url)
    try:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        with store.engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "0005")
        document = build_proposal("p-old").stored()
        with store.engine.begin() as connection:
            connection.exec_driver_sql(
                "INSERT INTO proposals (id, environment, kind, status, created_at, updated_at, document) "
                "VALUES (%(id)s, 'orders-prod', 'create', 'pending', %(at)s, %(at)s, %(doc)s)"
                if store.engine.dialect.name == "postgresql"
                else "INSERT INTO proposals (id, environment, kind, status, created_at, updated_at, document) "
                "VALUES (:id, 'orders-prod', 'create', 'pending', :at, :at, :doc)",
                {"id": "p-old", "at": document["created_at"], "doc": json.dumps(document)},
            )
        store.migrate()
        with store.transaction() as tx:
            found = tx.proposals.find(ProposalQuery(teams=frozenset({"shop"}), expires_by=document["expires_at"]))
        assert [p.id for p in found] == ["p-old"]
    finally:
        store.dispose()
