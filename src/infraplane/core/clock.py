"""Time as a dependency: services ask a clock for now, so expiry tests need no sleep."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol

__all__ = ["Clock", "parse_time", "system_clock"]


class Clock(Protocol):
    """Returns the current moment, timezone-aware in UTC."""

    def __call__(self) -> datetime: ...


def system_clock() -> datetime:
    return datetime.now(UTC)


def parse_time(text: str) -> datetime:
    """A stored timestamp (`utc_timestamp`'s format) as an aware datetime."""
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
