"""The one way state changes are recorded: redact, then append to the hash chain."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from infraplane.core.audit import Actor, AuditEvent, first_broken, redact
from infraplane.core.ports import Store, Transaction
from infraplane.errors import AuditChainBrokenError

__all__ = ["AuditService", "VerifyResult", "record"]


def record(
    tx: Transaction,
    actor: Actor,
    action: str,
    subject: str,
    payload: Mapping[str, Any] | None = None,
    sensitive_keys: Iterable[str] = (),
) -> AuditEvent:
    """Append an audit event in the same transaction as the change it records; secrets are redacted first."""
    return tx.audit.append(actor, action, subject, redact(dict(payload or {}), sensitive_keys))


@dataclass(frozen=True)
class VerifyResult:
    events: int
    head: str


class AuditService:
    """Reading, verifying and exporting the audit log."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def events(self, limit: int | None = None, action: str | None = None) -> list[AuditEvent]:
        with self._store.transaction() as tx:
            events = list(tx.audit.events(action=action))
        return events[-limit:] if limit else events

    def verify(self) -> VerifyResult:
        """Recompute the whole chain; raise AuditChainBrokenError naming the first broken event."""
        with self._store.transaction() as tx:
            events = list(tx.audit.events())
        broken = first_broken(events)
        if broken is not None:
            sequence, reason = broken
            raise AuditChainBrokenError(f"audit chain broken at event {sequence}: {reason}", sequence)
        return VerifyResult(len(events), events[-1].hash if events else "")

    def export(self, target: Path) -> int:
        """Write every event as JSON Lines; returns how many."""
        events = self.events()
        with target.open("w", encoding="utf-8") as handle:
            for event in events:
                handle.write(json.dumps(event.as_dict(), sort_keys=True, ensure_ascii=False) + "\n")
        return len(events)
