"""The audit page: the trail with filters (actor, environment, action, time), the chain's state, and export.

A non-admin sees the events about its teams' environments and proposals, and its own (as the API's
`visible_events`). Times are UTC: a day (`2026-12-01`) or a minute (`2026-12-01T09:30`, what a
browser's date-time field sends) or a full timestamp; `until` includes the day or minute it names.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response, StreamingResponse

from infraplane.core.audit import AuditEvent, utc_timestamp
from infraplane.core.identity import Action, Identity
from infraplane.errors import AuditChainBrokenError, InputError, Problem
from infraplane.interfaces.api.deps import require
from infraplane.interfaces.api.routes_audit import visible_events
from infraplane.interfaces.web.app import PageIdentity, PageRoute, render

__all__ = ["AuditFilters", "router"]

router = APIRouter(route_class=PageRoute, include_in_schema=False)

SHOWN = 500  # the newest events a page shows; export has them all
# What `until` includes past the moment it names: the whole day, the whole minute, or the instant itself.
_INCLUDED = {len("2026-12-01"): timedelta(days=1), len("2026-12-01T09:30"): timedelta(minutes=1)}


def _bound(text: str, field: str, end: bool) -> str | None:
    """`text` as a stored timestamp (UTC) to compare with; the end of its day or minute when `end`."""
    text = text.strip()
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        if end:
            moment += _INCLUDED.get(len(text), timedelta(microseconds=1))
        return utc_timestamp(moment)
    except (ValueError, OverflowError):
        reason = "not a time: give a day (2026-12-01) or a day and time in UTC (2026-12-01T09:30)"
        raise InputError(f"{field}: {reason}", [Problem("", field, reason)]) from None


@dataclass(frozen=True)
class AuditFilters:
    """What the audit page's form asks for; every field may be empty (no filter)."""

    actor: str = ""
    environment: str = ""
    action: str = ""
    since: str = ""
    until: str = ""

    @classmethod
    def of(cls, actor: str, environment: str, action: str, since: str, until: str) -> AuditFilters:
        return cls(actor[:200].strip(), environment[:100].strip(), action[:100].strip(), since[:40], until[:40])

    def problems(self) -> dict[str, str]:
        """Per field, why it cannot be read (empty when all can)."""
        found = {}
        for field, end in (("since", False), ("until", True)):
            try:
                _bound(getattr(self, field), field, end)
            except InputError as exc:
                found[field] = exc.problems[0].reason
        return found

    def about(self, event: AuditEvent) -> bool:
        """Whether the event is about the environment asked for (itself, its components, its proposals)."""
        name = self.environment
        return (
            event.subject == f"environment:{name}"
            or event.subject.startswith(f"component:{name}/")
            or event.payload.get("environment") == name
        )

    def select(self, request: Request, identity: Identity) -> list[AuditEvent]:
        """The events that match, of those the identity may read, oldest first."""
        container = request.app.state.container
        since = _bound(self.since, "since", False)
        until = _bound(self.until, "until", True)
        events = [
            e
            for e in container.audit.events(action=self.action or None)
            if (not self.actor or e.actor.id == self.actor)
            and (not self.environment or self.about(e))
            and (since is None or e.time >= since)
            and (until is None or e.time < until)
        ]
        return visible_events(container, identity, events)


def _choices(request: Request, identity: Identity) -> dict[str, list[str]]:
    """What the filter fields suggest: the actors, environments and actions of the events this identity reads."""
    container = request.app.state.container
    events = visible_events(container, identity, container.audit.events())
    environments = sorted(env.name for env, _ in container.environments.environments() if identity.sees(env.team))
    return {
        "actors": sorted({e.actor.id for e in events}),
        "environments": environments,
        "actions": sorted({e.action for e in events}),
    }


def _filters(
    actor: str = "", environment: str = "", action: str = "", since: str = "", until: str = ""
) -> AuditFilters:
    return AuditFilters.of(actor, environment, action, since, until)


Filters = Annotated[AuditFilters, Depends(_filters)]


@router.get("/audit")
def audit(request: Request, identity: PageIdentity, filters: Filters) -> Response:
    container = request.app.state.container
    require(container, identity, Action.READ)
    errors = filters.problems()
    events = [] if errors else filters.select(request, identity)
    try:
        result = container.audit.verify()
        chain = {"verified": True, "events": result.events, "message": ""}
    except AuditChainBrokenError as exc:
        chain = {"verified": False, "events": 0, "message": exc.message}
    rows = [_row(e) for e in reversed(events[-SHOWN:])]
    context: dict[str, Any] = {
        "rows": rows,
        "matched": len(events),
        "shown": SHOWN,
        "chain": chain,
        "filters": filters,
        "errors": errors,
        "choices": _choices(request, identity),
    }
    return render(request, "audit.html", context, 422 if errors else 200)


def _row(event: AuditEvent) -> dict[str, Any]:
    text = json.dumps(dict(event.payload), default=str, sort_keys=True, ensure_ascii=False)
    return {**event.as_dict(), "actor_id": event.actor.id, "payload_text": text[:2000], "preview": text[:90]}


@router.get("/audit/export")
def audit_export(request: Request, identity: PageIdentity, filters: Filters) -> Response:
    """The filtered trail as JSON Lines, one event per line (as `GET /api/v1/audit/export`), oldest first."""
    require(request.app.state.container, identity, Action.READ)
    events = filters.select(request, identity)
    lines = (json.dumps(e.as_dict(), sort_keys=True, ensure_ascii=False) + "\n" for e in events)
    headers = {"Content-Disposition": 'attachment; filename="audit.jsonl"'}
    return StreamingResponse(lines, media_type="application/x-ndjson", headers=headers)
