"""Audit events: canonical encoding, hash chaining, redaction, verification.

The hash of an event is SHA-256 over the canonical JSON encoding (sorted keys,
no whitespace, UTF-8) of every field except the hash itself, so the chain can
be recomputed from the stored rows alone by anyone.

A chain of events alone cannot show that its newest events were deleted, so
verification also checks the head: the sequence and hash of the newest event,
recorded apart from the events (the store's head row, or a head a person noted
down from `audit verify`).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

__all__ = [
    "EMPTY_HEAD",
    "GENESIS_HASH",
    "REDACTED",
    "Actor",
    "AuditEvent",
    "ChainHead",
    "canonical_json",
    "event_hash",
    "first_broken",
    "last_of",
    "redact",
    "utc_timestamp",
]

GENESIS_HASH = "0" * 64
REDACTED = "[redacted]"
ActorKind = Literal["human", "agent", "system"]

# Keys whose values are secret whatever the caller says.
_SECRET_KEY = re.compile(r"(pass(word|wd)?|secret|token|private[_-]?key|credential|api[_-]?key|access[_-]?key)", re.I)


@dataclass(frozen=True)
class Actor:
    """Who acted: a person, an AI agent, or infraplane itself."""

    kind: ActorKind
    id: str

    def __str__(self) -> str:
        return f"{self.kind}:{self.id}"


SYSTEM = Actor("system", "infraplane")


@dataclass(frozen=True)
class AuditEvent:
    """One link of the chain."""

    sequence: int
    time: str
    actor: Actor
    action: str
    subject: str
    payload: Mapping[str, Any] = field(default_factory=dict)
    previous_hash: str = GENESIS_HASH
    hash: str = ""
    # Set by a reader that could not decode the stored event; such an event never verifies.
    malformed: str = field(default="", compare=False)

    def hashed_fields(self) -> dict[str, Any]:
        return {
            "sequence": self.sequence,
            "time": self.time,
            "actor": {"kind": self.actor.kind, "id": self.actor.id},
            "action": self.action,
            "subject": self.subject,
            "payload": self.payload,
            "previous_hash": self.previous_hash,
        }

    def as_dict(self) -> dict[str, Any]:
        return {**self.hashed_fields(), "hash": self.hash}


def canonical_json(value: Any) -> str:
    """The one encoding hashes are computed over."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def event_hash(event: AuditEvent) -> str:
    """SHA-256 hex digest of the event's canonical encoding (without its own hash)."""
    return hashlib.sha256(canonical_json(event.hashed_fields()).encode("utf-8")).hexdigest()


def utc_timestamp(now: datetime | None = None) -> str:
    """An RFC 3339 UTC timestamp with microseconds, stored as text so hashes are stable."""
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def redact(payload: Any, sensitive_keys: Iterable[str] = ()) -> Any:
    """A copy of `payload` with secret-looking keys and the named sensitive keys masked."""
    extra = frozenset(sensitive_keys)

    def walk(value: Any) -> Any:
        if isinstance(value, Mapping):
            return {
                str(k): (REDACTED if (str(k) in extra or _SECRET_KEY.search(str(k))) and v is not None else walk(v))
                for k, v in value.items()
            }
        if isinstance(value, list | tuple):
            return [walk(v) for v in value]
        return value

    return walk(payload)


@dataclass(frozen=True)
class ChainHead:
    """The newest event of a chain: its sequence and hash (sequence 0 for an empty chain)."""

    sequence: int
    hash: str

    def __str__(self) -> str:
        return f"{self.sequence}:{self.hash}"

    def matches(self, other: ChainHead) -> bool:
        """Whether `other` names the same event; a noted hash may be a prefix of at least 12 hex digits."""
        if self.sequence != other.sequence:
            return False
        if not self.hash and not other.hash:
            return True
        shorter, longer = sorted((self.hash, other.hash), key=len)
        return len(shorter) >= 12 and longer.startswith(shorter)


EMPTY_HEAD = ChainHead(0, "")


def last_of(event: AuditEvent) -> ChainHead:
    """The head of a chain whose newest event is `event`."""
    return ChainHead(event.sequence, event.hash)


def first_broken(
    events: Iterable[AuditEvent], head: ChainHead | None = None, *, ends_at_head: bool = True
) -> tuple[int, str] | None:
    """The sequence number and reason of the first event that breaks the chain, or None.

    With `head` and `ends_at_head`, the chain must end exactly at that event, so deleting the
    newest events, or all of them, is reported at the first missing sequence. Without
    `ends_at_head` (a head someone noted earlier) the chain must reach it and may go on.
    """
    expected_previous = GENESIS_HASH
    expected_sequence = 1
    last = EMPTY_HEAD
    for event in events:
        if event.malformed:
            return event.sequence, f"it cannot be read: {event.malformed}"
        if event.sequence != expected_sequence:
            return event.sequence, f"expected sequence {expected_sequence} (a gap or a fork)"
        if event.previous_hash != expected_previous:
            return event.sequence, "previous_hash does not match the hash of the event before it"
        if event_hash(event) != event.hash:
            return event.sequence, "its content does not match its hash (the event was altered)"
        if head is not None and event.sequence == head.sequence and not head.matches(last_of(event)):
            return event.sequence, "its hash does not match the head's hash (the event was replaced)"
        expected_previous = event.hash
        expected_sequence += 1
        last = last_of(event)
    if head is None:
        return None
    if head.sequence > last.sequence:
        missing = f"events {last.sequence + 1} to {head.sequence} are missing"
        if head.sequence == last.sequence + 1:
            missing = f"event {head.sequence} is missing"
        return last.sequence + 1, f"the head records event {head.sequence}, but {missing} (deleted at the end)"
    if ends_at_head and head.sequence < last.sequence:
        return head.sequence + 1, f"the head records event {head.sequence}, but the chain goes on to {last.sequence}"
    return None
