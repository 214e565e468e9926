"""Lease rows in SQL; the locking policy (takeover, waiting) lives in services/locks.py."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from sqlalchemy import delete
from sqlalchemy.orm import Session

from infraplane.adapters.store.tables import LockRow
from infraplane.core.records import LockHolder

__all__ = ["SqlLockRepository"]


class SqlLockRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def get(self, key: str) -> LockHolder | None:
        row = self._session.get(LockRow, key, with_for_update=True)
        return LockHolder(**json.loads(row.holder)) if row else None

    def put(self, key: str, holder: LockHolder) -> None:
        self._session.merge(
            LockRow(
                key=key,
                holder=json.dumps(asdict(holder)),
                acquired_at=holder.acquired_at,
                lease_expires=holder.lease_expires,
            )
        )
        self._session.flush()

    def claim(self, key: str, holder: LockHolder) -> bool:
        values = {
            "key": key,
            "holder": json.dumps(asdict(holder)),
            "acquired_at": holder.acquired_at,
            "lease_expires": holder.lease_expires,
        }
        dialect = self._session.get_bind().dialect.name
        statement: Any
        if dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as pg_insert

            statement = pg_insert(LockRow).values(**values).on_conflict_do_nothing(index_elements=["key"])
        else:
            from sqlalchemy.dialects.sqlite import insert as sqlite_insert

            statement = sqlite_insert(LockRow).values(**values).on_conflict_do_nothing(index_elements=["key"])
        inserted = self._session.execute(statement.returning(LockRow.key)).scalar_one_or_none()
        return inserted is not None

    def delete(self, key: str) -> None:
        self._session.execute(delete(LockRow).where(LockRow.key == key))
