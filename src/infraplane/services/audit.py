"""The one way state changes are recorded: redact, then append to the hash chain."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from infraplane.core.audit import EMPTY_HEAD, Actor, AuditEvent, ChainHead, first_broken, last_of, redact
from infraplane.errors import AuditChainBrokenError, InputError, Problem

if TYPE_CHECKING:
    from infraplane.core.ports import Store, Transaction

__all__ = ["AuditService", "VerifyResult", "parse_head", "read_export", "record"]

# The last line of an export: the head it was taken at, so a cut-off export is told from a whole one.
_HEAD_KEY = "head"


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
    head: ChainHead


def parse_head(text: str, field: str = "head") -> ChainHead:
    """A head as `audit verify` prints it: `SEQUENCE:HASH` (the hash may be a prefix of 12+ hex digits)."""
    sequence, _, digest = text.strip().partition(":")
    digest = digest.lower()
    if not sequence.isdigit() or (digest and (len(digest) < 12 or any(c not in "0123456789abcdef" for c in digest))):
        raise InputError.from_problems(
            [Problem("", field, "expected SEQUENCE:HASH as `audit verify` prints it, e.g. 21:3fa2c0d1e4b5")]
        )
    return ChainHead(int(sequence), digest)


def _event_from_line(data: Any, position: int) -> AuditEvent:
    """One exported line back into an event; anything unreadable becomes a malformed event at that position."""
    try:
        actor = data["actor"]
        return AuditEvent(
            sequence=int(data["sequence"]),
            time=str(data["time"]),
            actor=Actor(actor["kind"], str(actor["id"])),
            action=str(data["action"]),
            subject=str(data["subject"]),
            payload=dict(data["payload"]),
            previous_hash=str(data["previous_hash"]),
            hash=str(data["hash"]),
        )
    except (KeyError, TypeError, ValueError) as exc:
        return AuditEvent(position, "", Actor("system", "?"), "", "", malformed=f"a field is missing or wrong ({exc})")


def read_export(path: Path) -> tuple[list[AuditEvent], ChainHead | None]:
    """The events of an export file and the head it recorded (None when its last line is not a head)."""
    if not path.is_file():
        reason = "is a directory" if path.is_dir() else "no such file"
        raise InputError.from_problems([Problem(str(path), "", reason)])
    events: list[AuditEvent] = []
    head: ChainHead | None = None
    with path.open("rb") as handle:
        for raw in handle:
            position = (events[-1].sequence if events else 0) + 1
            if head is not None:
                events.append(_malformed(position, "a line follows the export's head line"))
                break
            try:
                data = json.loads(raw)
            except (UnicodeDecodeError, ValueError):
                events.append(_malformed(position, "the exported line is not JSON (a cut-off or altered export)"))
                break
            if isinstance(data, dict) and set(data) == {_HEAD_KEY}:
                recorded = data[_HEAD_KEY]
                try:
                    head = ChainHead(int(recorded["sequence"]), str(recorded["hash"]))
                except (KeyError, TypeError, ValueError):
                    events.append(_malformed(position, "the export's head line is not readable"))
                    break
                continue
            events.append(_event_from_line(data, position))
    return events, head


def _malformed(position: int, reason: str) -> AuditEvent:
    return AuditEvent(position, "", Actor("system", "?"), "", "", malformed=reason)


class AuditService:
    """Reading, verifying and exporting the audit log."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def events(self, limit: int | None = None, action: str | None = None) -> list[AuditEvent]:
        with self._store.transaction() as tx:
            events = list(tx.audit.events(action=action))
        return events[-limit:] if limit else events

    def verify(self, noted_head: ChainHead | None = None) -> VerifyResult:
        """Recompute the whole chain and check that it ends at the recorded head and reaches `noted_head`.

        Raises AuditChainBrokenError naming the first broken event.
        """
        with self._store.transaction() as tx:
            events = list(tx.audit.events())
            recorded = tx.audit.head()
        if recorded is None:
            raise AuditChainBrokenError("audit chain broken: the record of its head is missing", 0)
        return _verified(events, recorded, noted_head)

    def verify_export(self, path: Path, noted_head: ChainHead | None = None) -> VerifyResult:
        """Verify an export on its own, against the head it recorded and, if given, a head noted elsewhere."""
        events, recorded = read_export(path)
        if recorded is None and not any(e.malformed for e in events):
            position = (events[-1].sequence if events else 0) + 1
            raise AuditChainBrokenError(
                f"audit chain broken at event {position}: the export has no head line (cut off after event "
                f"{position - 1}?)",
                position,
            )
        return _verified(events, recorded or EMPTY_HEAD, noted_head)

    def export(self, target: Path) -> int:
        """Write every event as JSON Lines, then the head line; returns how many events."""
        with self._store.transaction() as tx:
            events = list(tx.audit.events())
            head = tx.audit.head() or EMPTY_HEAD
        with target.open("w", encoding="utf-8") as handle:
            for event in events:
                handle.write(json.dumps(event.as_dict(), sort_keys=True, ensure_ascii=False) + "\n")
            handle.write(json.dumps({_HEAD_KEY: {"sequence": head.sequence, "hash": head.hash}}) + "\n")
        return len(events)


def _verified(events: list[AuditEvent], recorded: ChainHead, noted: ChainHead | None) -> VerifyResult:
    """The chain must end at the head recorded with it and reach the head a person noted (if any)."""
    checks = [(recorded, True)] + ([(noted, False)] if noted is not None else [])
    for head, ends_at_head in checks:
        broken = first_broken(events, head, ends_at_head=ends_at_head)
        if broken is not None:
            sequence, reason = broken
            raise AuditChainBrokenError(f"audit chain broken at event {sequence}: {reason}", sequence)
    return VerifyResult(len(events), last_of(events[-1]) if events else EMPTY_HEAD)
