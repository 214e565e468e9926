"""A run's progress as plain lines: `vpc: applied after 12s (+3 ~0 -0)`, one per component event.

The CLI writes them into logs (cli/progress.py `PlainProgress`); the web page shows a proposal's plan
or apply with them (web/live.py), from the same events the API streams. One format, one home.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from infraplane.core.text import inert

__all__ = ["ENDED", "ComponentLines", "count_text", "event_line", "plain_line"]

# Component statuses that end a step: the time since the step started is said with them.
ENDED = frozenset({"applied", "failed", "unchanged", "destroyed", "planned", "skipped", "denied"})


def count_text(value: Any) -> str:
    return "?" if value is None else str(value)


def plain_line(name: str, status: str, elapsed: float | None, fields: Mapping[str, Any]) -> str:
    """One event as one line of plain text: `vpc: applied after 12s (+3 ~0 -0); note`."""
    line = f"{name}: {status}"
    if elapsed is not None:
        line += f" after {elapsed:.0f}s"
    if any(k in fields for k in ("add", "change", "destroy")):
        counts = (count_text(fields.get(k)) for k in ("add", "change", "destroy"))
        line += " (+{} ~{} -{})".format(*counts)
    note = str(fields.get("note") or "")
    if note:
        line += f"; {note}"
    # No control characters from notes (terraform errors, requesters' words) reach the log.
    return inert(" ".join(line.split()))


class ComponentLines:
    """Turns component events into lines, remembering when each component's step started (not thread-safe)."""

    def __init__(self) -> None:
        self._started: dict[str, float] = {}
        self._status: dict[str, str] = {}

    def line(self, name: str, fields: Mapping[str, Any], now: float) -> str | None:
        """The line for a component event at `now` (seconds); None for an update without a status."""
        status = fields.get("status")
        if status is None:
            return None  # a note or count update only: the next status line carries it
        previous = self._status.get(name)
        self._status[name] = str(status)
        elapsed = None
        if status not in ENDED:
            if previous is None or previous in ENDED:
                self._started[name] = now
        else:
            start = self._started.pop(name, None)
            elapsed = None if start is None else now - start
        return plain_line(name, str(status), elapsed, fields)


def event_line(event: Mapping[str, Any], components: ComponentLines) -> str | None:
    """One event of a proposal's run (as `/api/v1/proposals/{id}/events` streams it) as a line; None to skip it."""
    kind = event.get("event")
    if kind == "component":
        return components.line(str(event.get("component", "")), event, float(event.get("time") or 0.0))
    if kind == "resource":
        text = (
            f"{event.get('component', '')}: {event.get('address', '')} {event.get('state') or event.get('action', '')}"
        )
    elif kind in ("message", "retry"):
        text = f"- {event.get('message', '')}"
    elif kind == "result":
        if event.get("changes") is False:
            text = f"no changes: {event.get('environment', 'the environment')} already is as proposed"
        elif event.get("run") == "plan":
            text = f"planned: the proposal is {event.get('status')}"
        else:
            revision = event.get("revision")
            text = f"{event.get('status')}" + (f" (revision {revision})" if revision else "")
    elif kind == "error":
        error = event.get("error") or {}
        text = f"error: {error.get('message', '') if isinstance(error, Mapping) else error}"
    elif kind == "status":
        text = f"status: {event.get('status')}"
    else:
        return None
    return inert(" ".join(text.split()))
