"""API tokens in SQL: a row per token, found by name or by the digest of its secret."""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from infraplane.adapters.store.tables import TokenRow
from infraplane.core.identity import Role, TokenRecord

__all__ = ["SqlTokenRepository"]


def _record(row: TokenRow) -> TokenRecord:
    return TokenRecord(
        name=row.name,
        role=Role.parse(row.role),
        teams=frozenset(json.loads(row.teams)),
        agent=row.agent,
        created_at=row.created_at,
        created_by=row.created_by,
        expires_at=row.expires_at,
        revoked_at=row.revoked_at,
    )


class SqlTokenRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def get(self, name: str) -> TokenRecord | None:
        row = self._session.get(TokenRow, name)
        return _record(row) if row else None

    def by_digest(self, digest: str) -> TokenRecord | None:
        row = self._session.scalars(select(TokenRow).where(TokenRow.digest == digest)).first()
        return _record(row) if row else None

    def all(self) -> list[TokenRecord]:
        return [_record(row) for row in self._session.scalars(select(TokenRow).order_by(TokenRow.name))]

    def add(self, token: TokenRecord, digest: str) -> None:
        self._session.add(
            TokenRow(
                name=token.name,
                digest=digest,
                role=token.role.label,
                teams=json.dumps(sorted(token.teams)),
                agent=token.agent,
                created_at=token.created_at,
                created_by=token.created_by,
                expires_at=token.expires_at,
                revoked_at=token.revoked_at,
            )
        )
        self._session.flush()

    def revoke(self, name: str, at: str) -> None:
        row = self._session.get(TokenRow, name)
        if row is not None and row.revoked_at is None:
            row.revoked_at = at
            self._session.flush()
