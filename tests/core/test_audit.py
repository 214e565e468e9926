from __future__ import annotations

from dataclasses import replace

from infraplane.core.audit import GENESIS_HASH, REDACTED, Actor, AuditEvent, event_hash, first_broken, redact


def _chain(count: int) -> list[AuditEvent]:
    events: list[AuditEvent] = []
    previous = GENESIS_HASH
    for sequence in range(1, count + 1):
        event = AuditEvent(
            sequence,
            f"2026-01-01T00:00:0{sequence}.000000Z",
            Actor("human", "a"),
            "x.y",
            "s",
            {"n": sequence},
            previous,
        )
        event = replace(event, hash=event_hash(event))
        events.append(event)
        previous = event.hash
    return events


def test_a_valid_chain_verifies() -> None:
    assert first_broken(_chain(5)) is None


def test_an_altered_event_is_named() -> None:
    events = _chain(5)
    events[2] = replace(events[2], payload={"n": 42})
    assert first_broken(events) == (3, "its content does not match its hash (the event was altered)")


def test_a_rehashed_alteration_breaks_the_next_link() -> None:
    events = _chain(5)
    altered = replace(events[1], actor=Actor("human", "mallory"))
    events[1] = replace(altered, hash=event_hash(altered))
    assert first_broken(events)[0] == 3  # type: ignore[index]


def test_hash_depends_on_every_field() -> None:
    event = _chain(1)[0]
    for changed in (
        replace(event, time="2026-01-01T00:00:02.000000Z"),
        replace(event, action="x.z"),
        replace(event, subject="t"),
        replace(event, actor=Actor("agent", "a")),
    ):
        assert event_hash(changed) != event_hash(event)


def test_redaction_masks_secret_keys_and_named_keys() -> None:
    payload = {"inputs": {"password": "p", "api_key": "k", "size": "small", "custom": "c"}, "items": [{"token": "t"}]}
    redacted = redact(payload, sensitive_keys={"custom"})
    assert redacted == {
        "inputs": {"password": REDACTED, "api_key": REDACTED, "size": "small", "custom": REDACTED},
        "items": [{"token": REDACTED}],
    }
