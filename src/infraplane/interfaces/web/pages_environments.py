"""Environments (list, graph, outputs, revisions), the audit trail and the dashboard."""

from __future__ import annotations

import json
import statistics
from collections import Counter, defaultdict
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response, StreamingResponse

from infraplane.core.identity import Action
from infraplane.core.ports import ProposalQuery
from infraplane.errors import AuditChainBrokenError
from infraplane.interfaces.api.deps import require, visible_environment
from infraplane.interfaces.api.routes_audit import visible_events
from infraplane.interfaces.mcp.views import environment_view
from infraplane.interfaces.views import revision_rows, upstream_view
from infraplane.interfaces.web.app import PageIdentity, PageRoute, render
from infraplane.interfaces.web.graph import layout

__all__ = ["router"]

router = APIRouter(route_class=PageRoute, include_in_schema=False)


@router.get("/environments")
def environments(request: Request, identity: PageIdentity) -> Response:
    container = request.app.state.container
    require(container, identity, Action.READ)
    rows = [
        {
            "name": env.name,
            "status": env.status,
            "tier": env.tier,
            "team": env.team,
            "ttl": env.ttl or "",
            "blueprint": env.blueprint,
            "changed": max((c.updated_at for c in components), default=""),
        }
        for env, components in container.environments.environments()
        if identity.sees(env.team)
    ]
    return render(request, "environments.html", {"rows": rows})


@router.get("/environments/{name}")
def environment(request: Request, identity: PageIdentity, name: str) -> Response:
    container = request.app.state.container
    env = visible_environment(container, identity, name)
    require(container, identity, Action.READ, env.team)
    env, components, revisions = container.environments.get(name)
    history = container.proposals.proposals(name)
    view = environment_view(env, components, revisions, [])
    upstream = upstream_view(container.environments.upstream(name), history, identity.sees)
    context = {
        "env": view,
        "graph": layout(components),
        "revisions": revision_rows(env, revisions, history),
        "upstream": upstream,
    }
    return render(request, "environment.html", context)


def _filtered(request: Request, identity: Any, actor: str, environment: str, action: str) -> list[Any]:
    container = request.app.state.container
    events = [
        e
        for e in container.audit.events(action=action or None)
        if (not actor or e.actor.id == actor)
        and (
            not environment
            or e.subject in (f"environment:{environment}",)
            or e.subject.startswith(f"component:{environment}/")
            or e.payload.get("environment") == environment
        )
    ]
    return visible_events(container, identity, events)


@router.get("/audit")
def audit(
    request: Request, identity: PageIdentity, actor: str = "", environment: str = "", action: str = ""
) -> Response:
    container = request.app.state.container
    require(container, identity, Action.READ)
    actor, environment, action = actor[:200], environment[:100], action[:100]
    events = _filtered(request, identity, actor, environment, action)
    try:
        result = container.audit.verify()
        chain = {"verified": True, "events": result.events, "message": ""}
    except AuditChainBrokenError as exc:
        chain = {"verified": False, "events": 0, "message": exc.message}
    rows = [
        {**e.as_dict(), "payload_text": json.dumps(dict(e.payload), default=str, sort_keys=True)[:400]}
        for e in reversed(events[-500:])
    ]
    filters = {"actor": actor, "environment": environment, "action": action}
    return render(request, "audit.html", {"rows": rows, "chain": chain, "filters": filters})


@router.get("/audit/export")
def audit_export(
    request: Request, identity: PageIdentity, actor: str = "", environment: str = "", action: str = ""
) -> Response:
    """The filtered trail as JSON Lines, one event per line (as `GET /api/v1/audit/export`)."""
    require(request.app.state.container, identity, Action.READ)
    events = _filtered(request, identity, actor[:200], environment[:100], action[:100])
    lines = (json.dumps(e.as_dict(), sort_keys=True, ensure_ascii=False) + "\n" for e in events)
    headers = {"Content-Disposition": 'attachment; filename="audit.jsonl"'}
    return StreamingResponse(lines, media_type="application/x-ndjson", headers=headers)


def _hours(start: str, end: str) -> float | None:
    try:
        return (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds() / 3600
    except ValueError:
        return None


@router.get("/dashboard")
def dashboard(request: Request, identity: PageIdentity) -> Response:
    container = request.app.state.container
    require(container, identity, Action.READ)
    teams = None if identity.all_teams else frozenset(identity.teams)
    found = container.proposals.find(ProposalQuery(None, None, None, teams), 10000)
    by_status = Counter(p.status.value for p in found)
    leads = [h for p in found if p.approvals if (h := _hours(p.created_at, p.approvals[-1].at)) is not None]
    hit = [p for p in found if p.findings]
    denying = Counter(f.rule for p in found for f in p.findings if f.severity == "deny")
    cost: dict[tuple[str, str], float] = defaultdict(float)
    latest: dict[str, Any] = {}
    for p in found:
        if p.status.value == "applied" and p.cost is not None:
            latest[p.environment] = p
    for p in latest.values():
        cost[(p.team, p.tier)] += p.cost.after
    envs = [env for env, _ in container.environments.environments() if identity.sees(env.team)]
    context = {
        "by_status": sorted(by_status.items()),
        "total": len(found),
        "lead_median": round(statistics.median(leads), 2) if leads else None,
        "lead_count": len(leads),
        "hit_rate": round(100 * len(hit) / len(found)) if found else None,
        "top_denying": denying.most_common(5),
        "cost": sorted((team, tier, round(v, 2)) for (team, tier), v in cost.items()),
        "env_tiers": sorted(Counter(e.tier for e in envs).items()),
        "env_ttl": len([e for e in envs if e.ttl]),
        "env_total": len(envs),
    }
    return render(request, "dashboard.html", context)
