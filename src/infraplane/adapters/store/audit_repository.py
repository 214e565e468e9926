"""The audit chain in SQL: appends serialize on the head row, so concurrent processes never fork it."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from infraplane.adapters.store.tables import AuditEventRow, AuditHeadRow
from infraplane.core.audit import Actor, AuditEvent, ChainHead, canonical_json, event_hash, utc_timestamp

__all__ = ["SqlAuditRepository"]


def _event(row: AuditEventRow) -> AuditEvent:
    malformed = ""
    try:
        payload = json.loads(row.payload)
    except (TypeError, ValueError) as exc:
        payload, malformed = {}, f"its payload is not JSON ({exc})"
    if not malformed and not isinstance(payload, dict):
        payload, malformed = {}, "its payload is not a JSON object"
    return AuditEvent(
        sequence=row.sequence,
        time=row.time,
        actor=Actor(row.actor_kind, row.actor_id),  # type: ignore[arg-type]
        action=row.action,
        subject=row.subject,
        payload=payload,
        previous_hash=row.previous_hash,
        hash=row.hash,
        malformed=malformed,
    )


class SqlAuditRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def append(self, actor: Actor, action: str, subject: str, payload: Mapping[str, Any]) -> AuditEvent:
        """Append one event inside the caller's transaction. The payload must already be redacted."""
        # FOR UPDATE locks the head row on PostgreSQL; on SQLite the transaction already holds the write lock.
        head = self._session.execute(select(AuditHeadRow).where(AuditHeadRow.id == 1).with_for_update()).scalar_one()
        # Round-trip the payload through JSON so what is hashed is exactly what is stored.
        stored_payload = json.loads(canonical_json(payload))
        event = AuditEvent(
            sequence=head.sequence + 1,
            time=utc_timestamp(),
            actor=actor,
            action=action,
            subject=subject,
            payload=stored_payload,
            previous_hash=head.hash,
        )
        event = AuditEvent(**{**event.__dict__, "hash": event_hash(event)})
        self._session.add(
            AuditEventRow(
                sequence=event.sequence,
                time=event.time,
                actor_kind=actor.kind,
                actor_id=actor.id,
                action=action,
                subject=subject,
                payload=canonical_json(stored_payload),
                previous_hash=event.previous_hash,
                hash=event.hash,
            )
        )
        head.sequence = event.sequence
        head.hash = event.hash
        self._session.flush()
        return event

    def head(self) -> ChainHead | None:
        """What the head row records as the newest event; None when the row itself is gone."""
        row = self._session.execute(select(AuditHeadRow).where(AuditHeadRow.id == 1)).scalar_one_or_none()
        return ChainHead(row.sequence, row.hash) if row is not None else None

    def events(
        self, after: int = 0, limit: int | None = None, action: str | None = None, subject: str | None = None
    ) -> Iterator[AuditEvent]:
        query = select(AuditEventRow).where(AuditEventRow.sequence > after).order_by(AuditEventRow.sequence)
        if action is not None:
            query = query.where(AuditEventRow.action.startswith(action, autoescape=True))
        if subject is not None:
            query = query.where(AuditEventRow.subject == subject)
        if limit is not None:
            query = query.limit(limit)
        for row in self._session.execute(query).scalars():
            yield _event(row)
