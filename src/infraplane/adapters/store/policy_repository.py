"""Published policy bundles in SQL."""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from infraplane.adapters.store.tables import PolicyBundleRow
from infraplane.core.records import PublishedBundle

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
