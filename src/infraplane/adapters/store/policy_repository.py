"""Published policy bundles, and policy replay reports, in SQL."""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from infraplane.adapters.store.tables import PolicyBundleRow, PolicyReplayRow
from infraplane.core.records import PolicyReplayRecord, PublishedBundle

__all__ = ["SqlPolicyRepository"]


def _bundle(row: PolicyBundleRow) -> PublishedBundle:
    return PublishedBundle(
        row.name, row.version, row.digest, json.loads(row.manifest), row.published_at, row.published_by
    )


class SqlPolicyRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def get(self, name: str, version: str) -> PublishedBundle | None:
        query = select(PolicyBundleRow).where(PolicyBundleRow.name == name, PolicyBundleRow.version == version)
        row = self._session.execute(query).scalar_one_or_none()
        return _bundle(row) if row else None

    def all(self) -> list[PublishedBundle]:
        query = select(PolicyBundleRow).order_by(PolicyBundleRow.name, PolicyBundleRow.id)
        return [_bundle(row) for row in self._session.execute(query).scalars()]

    def add(self, bundle: PublishedBundle) -> None:
        self._session.add(
            PolicyBundleRow(
                name=bundle.name,
                version=bundle.version,
                digest=bundle.digest,
                manifest=json.dumps(dict(bundle.manifest), sort_keys=True),
                published_at=bundle.published_at,
                published_by=bundle.published_by,
            )
        )
        self._session.flush()

    def add_replay(self, replay: PolicyReplayRecord) -> None:
        self._session.add(
            PolicyReplayRow(
                id=replay.id,
                name=replay.name,
                version=replay.version,
                digest=replay.digest,
                created_at=replay.created_at,
                created_by=replay.created_by,
                report=json.dumps(dict(replay.report), sort_keys=True),
            )
        )
        self._session.flush()

    def get_replay(self, replay_id: str) -> PolicyReplayRecord | None:
        row = self._session.get(PolicyReplayRow, replay_id)
        return _replay(row) if row else None

    def replays(self, name: str | None = None) -> list[PolicyReplayRecord]:
        query = select(PolicyReplayRow).order_by(PolicyReplayRow.created_at, PolicyReplayRow.id)
        if name is not None:
            query = query.where(PolicyReplayRow.name == name)
        return [_replay(row) for row in self._session.execute(query).scalars()]


def _replay(row: PolicyReplayRow) -> PolicyReplayRecord:
    return PolicyReplayRecord(
        row.id, row.name, row.version, row.digest, row.created_at, row.created_by, json.loads(row.report)
    )
