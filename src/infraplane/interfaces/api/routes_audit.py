"""The audit trail: events with filters (a page at a time), verification of the hash chain, export as JSON Lines.

A non-admin reads the events about its teams' environments and proposals, and its own.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse

from infraplane.core.audit import AuditEvent
from infraplane.core.identity import Action, Identity
from infraplane.errors import AuditChainBrokenError
from infraplane.interfaces.api.deps import ContainerDep, IdentityDep, require
from infraplane.interfaces.api.schemas import ERRORS, AuditPage, AuditVerifyOut
from infraplane.interfaces.container import Container

__all__ = ["router", "visible_events"]

router = APIRouter(prefix="/api/v1/audit", tags=["audit"], responses=ERRORS)


def visible_events(container: Container, identity: Identity, events: list[AuditEvent]) -> list[AuditEvent]:
    if identity.all_teams:
        return events
    with container.store.transaction() as tx:
        environments = {e.name for e in tx.environments.all() if identity.sees(e.team)}
        proposals = {p.id for p in tx.proposals.all() if identity.sees(p.team)}
    subjects = (
        {f"environment:{name}" for name in environments}
        | {f"proposal:{pid}" for pid in proposals}
        | {f"token:{identity.name}"}
    )

    def shown(event: AuditEvent) -> bool:
        if event.subject in subjects or event.actor == identity.actor:
            return True
        kind, _, rest = event.subject.partition(":")
        return kind == "component" and rest.split("/", 1)[0] in environments

    return [e for e in events if shown(e)]


@router.get("", response_model=AuditPage)
def list_events(
    container: ContainerDep,
    identity: IdentityDep,
    action: Annotated[
        str | None, Query(max_length=100, description="Actions starting with this, e.g. proposal.")
    ] = None,
    actor: Annotated[str | None, Query(max_length=200, description="Only this actor's (its id, e.g. alice).")] = None,
    subject: Annotated[
        str | None, Query(max_length=300, description="Only about this, e.g. proposal:p-1234567890.")
    ] = None,
    after: Annotated[int, Query(ge=0, le=2**62, description="Only events after this sequence (the cursor).")] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> dict[str, Any]:
    """Audit events, oldest first; `next_cursor` is the `after` of the next page."""
    require(container, identity, Action.READ)
    events = [
        e
        for e in container.audit.events(action=action)
        if e.sequence > after and (actor is None or e.actor.id == actor) and (subject is None or e.subject == subject)
    ]
    events = visible_events(container, identity, events)
    chosen = events[:limit]
    more = len(events) > limit
    return {"items": [e.as_dict() for e in chosen], "next_cursor": str(chosen[-1].sequence) if more else None}


@router.get("/verify", response_model=AuditVerifyOut)
def verify(container: ContainerDep, identity: IdentityDep) -> AuditVerifyOut:
    """Recompute the whole hash chain and check it ends at the recorded head; a broken chain says where."""
    require(container, identity, Action.READ)
    try:
        result = container.audit.verify()
    except AuditChainBrokenError as exc:
        return AuditVerifyOut(verified=False, events=0, head="", broken_at=exc.sequence, message=exc.message)
    return AuditVerifyOut(verified=True, events=result.events, head=str(result.head))


@router.get(
    "/export",
    response_class=StreamingResponse,
    responses={200: {"description": "JSON Lines: one event per line", "content": {"application/x-ndjson": {}}}},
)
def export(container: ContainerDep, identity: IdentityDep) -> StreamingResponse:
    """Every event as one JSON object per line (what `infraplane audit export` writes, without the head line)."""
    require(container, identity, Action.READ)
    events = visible_events(container, identity, container.audit.events())

    def lines() -> Iterator[str]:
        for event in events:
            yield json.dumps(event.as_dict(), sort_keys=True, ensure_ascii=False) + "\n"

    return StreamingResponse(lines(), media_type="application/x-ndjson")
