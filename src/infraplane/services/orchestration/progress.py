"""How orchestration reports what it is doing (a live table, JSON lines, or nothing)."""

from __future__ import annotations

from typing import Any, Protocol

from infraplane.core.runs import RunEvent

__all__ = ["NullProgress", "Progress"]


class Progress(Protocol):
    def component(self, name: str, **fields: Any) -> None:
        """A component's row changed: status, add, change, destroy, note."""

    def message(self, text: str) -> None:
        """A line for the person watching (stale locks, recoveries, re-plans)."""

    def event(self, event: RunEvent) -> None:
        """A runner's own event (resource started/finished)."""


class NullProgress:
    def component(self, name: str, **fields: Any) -> None:
        return None

    def message(self, text: str) -> None:
        return None

    def event(self, event: RunEvent) -> None:
        return None
