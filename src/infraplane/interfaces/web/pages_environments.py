"""Environments (list, graph, outputs, revisions; rollback and destroy proposals) and the dashboard."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from infraplane.core.identity import Action, Identity
from infraplane.core.proposal_lifecycle import OPEN_STATUSES
from infraplane.errors import InfraplaneError
from infraplane.interfaces.api.deps import require, visible_environment
from infraplane.interfaces.mcp.views import environment_view
from infraplane.interfaces.views import proposal_summary, revision_rows, upstream_view
from infraplane.interfaces.web.app import CsrfForm, PageIdentity, PageRoute, render
from infraplane.interfaces.web.dashboard_drift import drift_figures
from infraplane.interfaces.web.dashboard_figures import dashboard_figures
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


def _environment_page(
    request: Request,
    identity: Identity,
    name: str,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    container = request.app.state.container
    env = visible_environment(container, identity, name)
    require(container, identity, Action.READ, env.team)
    env, components, revisions = container.environments.get(name)
    history = container.proposals.proposals(name)
    open_proposals = [proposal_summary(p) for p in history if p.status in OPEN_STATUSES]
    view = environment_view(env, components, revisions, open_proposals)
    rows = revision_rows(env, revisions, history)
    context = {
        "env": view,
        "graph": layout(components),
        "revisions": list(reversed(rows)),  # newest first
        "rollback_to": [r for r in reversed(rows) if not r["current"]],
        "destroyable": env.status != "destroyed" and any(c.status != "destroyed" for c in components),
        "errors": errors or {},
        "values": values or {},
        "upstream": upstream_view(container.environments.upstream(name), history, identity.sees),
    }
    return render(request, "environment.html", context, status)


@router.get("/environments/{name}")
def environment(request: Request, identity: PageIdentity, name: str) -> Response:
    return _environment_page(request, identity, name)


def _may_propose(request: Request, identity: Identity, name: str) -> str:
    """The environment's team, once the identity may propose changes to it (404 for another team's, else 403)."""
    container = request.app.state.container
    env = visible_environment(container, identity, name)
    require(container, identity, Action.PROPOSE, env.team, f"environment:{env.name}")
    return env.team


def _justification(identity: Identity, form: dict[str, str], field: str) -> tuple[str, dict[str, str]]:
    """The form's justification, and the error for `field` when an agent gave none (the service refuses it too)."""
    justification = form.get("justification", "").strip()[:2000]
    if identity.agent and not justification:
        return justification, {field: "agents must say why they propose a change (a sentence or two)"}
    return justification, {}


@router.post("/environments/{name}/rollback")
def rollback(request: Request, identity: PageIdentity, name: str, form: CsrfForm) -> Response:
    """Propose going back to an earlier revision (planned in the background, as `env rollback NAME --to N`)."""
    container = request.app.state.container
    team = _may_propose(request, identity, name)
    justification, errors = _justification(identity, form, "rollback-justification")
    _, _, revisions = container.environments.get(name)
    known = {r.number for r in revisions}
    chosen = form.get("revision", "").strip()
    if not chosen.isdigit() or int(chosen) not in known:
        listed = ", ".join(str(n) for n in sorted(known)) or "none"
        errors["rollback-revision"] = f"choose one of the revisions: {listed}"
    values = {"rollback-revision": chosen, "rollback-justification": justification}
    if errors:
        return _environment_page(request, identity, name, errors, values, 422)
    proposal_id = request.app.state.runs.start_rollback(name, team, int(chosen), identity.actor, justification)
    return RedirectResponse(f"/proposals/{proposal_id}", status_code=303)


@router.post("/environments/{name}/destroy")
def destroy(request: Request, identity: PageIdentity, name: str, form: CsrfForm) -> Response:
    """Propose destroying the environment; like any proposal it is applied only once approved."""
    container = request.app.state.container
    _may_propose(request, identity, name)
    justification, errors = _justification(identity, form, "destroy-justification")
    values = {"destroy-justification": justification}
    if errors:
        return _environment_page(request, identity, name, errors, values, 422)
    try:
        proposal = container.proposals.propose_destroy(name, identity.actor, justification)
    except InfraplaneError as exc:
        if exc.http_status >= 500:
            raise
        return _environment_page(request, identity, name, {"destroy": exc.message}, values, exc.http_status)
    return RedirectResponse(f"/proposals/{proposal.id}", status_code=303)


@router.get("/dashboard")
def dashboard(request: Request, identity: PageIdentity) -> Response:
    container = request.app.state.container
    require(container, identity, Action.READ)
    context = {**dashboard_figures(container, identity), **drift_figures(container, identity)}
    return render(request, "dashboard.html", context)
