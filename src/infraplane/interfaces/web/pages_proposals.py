"""Proposal pages: the list, and the two-minute review with approve and reject for those who may."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from infraplane.core.identity import Action, Identity
from infraplane.core.ports import ProposalQuery
from infraplane.core.proposals import Proposal
from infraplane.errors import InfraplaneError, NotFoundError
from infraplane.interfaces.api.background import RunPool, ended_event
from infraplane.interfaces.api.deps import not_proposed, require, visible_proposal
from infraplane.interfaces.mcp.views import proposal_view
from infraplane.interfaces.views import proposal_summary
from infraplane.interfaces.web.app import CsrfForm, PageIdentity, PageRoute, render

__all__ = ["router"]

router = APIRouter(route_class=PageRoute, include_in_schema=False)

_SEVERITIES = ("deny", "warn", "info")


def _runs(request: Request) -> RunPool:
    runs: RunPool = request.app.state.runs
    return runs


@router.get("/proposals")
def proposals(request: Request, identity: PageIdentity, status: str = "", environment: str = "") -> Response:
    container = request.app.state.container
    require(container, identity, Action.READ)
    teams = None if identity.all_teams else frozenset(identity.teams)
    query = ProposalQuery(environment[:100] or None, frozenset({status[:40]}) if status else None, None, teams)
    rows = [proposal_summary(p) for p in container.proposals.find(query, 500)]
    rows.reverse()  # newest first
    return render(request, "proposals.html", {"rows": rows, "status": status, "environment": environment})


def _refusals(identity: Identity, proposal: Proposal) -> list[str]:
    """Why this person cannot decide, said before they try (the service refuses it anyway; a stale plan it tells)."""
    reasons = []
    if proposal.actor.id == identity.name:
        reasons.append("you proposed this: someone else must approve or reject it")
    if any(a.approver == identity.name for a in proposal.approvals):
        reasons.append("you have approved this already")
    return reasons


@router.get("/proposals/{proposal_id}")
def proposal(request: Request, identity: PageIdentity, proposal_id: str, message: str = "") -> Response:
    container = request.app.state.container
    require(container, identity, Action.READ)
    channel = _runs(request).channel(proposal_id)
    try:
        found = visible_proposal(container, identity, proposal_id)
    except NotFoundError:
        if channel is not None and channel.run == "plan" and identity.sees(channel.team):
            events, done = channel.read(0, 0)
            context = {"proposal_id": proposal_id, "events": events[-30:], "done": done}
            return render(request, "planning.html", context)
        if channel is None and _runs(request).running(proposal_id):  # a worker has it (team mode)
            return render(request, "planning.html", {"proposal_id": proposal_id, "events": [], "done": False})
        ended = not_proposed(_runs(request), identity, proposal_id)
        if ended is not None:  # its plan ended without it (planned by a worker, or before a restart)
            context = {"proposal_id": proposal_id, "events": [ended_event(ended)], "done": True}
            return render(request, "planning.html", context)
        raise
    view = proposal_view(found, container.proposals.missing(found), container.proposals.summary(found))
    findings = {sev: [f for f in view["findings"] if f["severity"] == sev] for sev in _SEVERITIES}
    diff_by_component: dict[str, list[dict[str, Any]]] = {}
    for d in view["diff"]:
        diff_by_component.setdefault(d["component"], []).append(d)
    run_events: list[dict[str, Any]] = []
    running = False
    if channel is not None and identity.sees(channel.team):
        run_events, done = channel.read(0, 0)
        running = not done
    context = {
        "p": view,
        "paragraph": view["plain_summary"],
        "findings": findings,
        "diff_by_component": diff_by_component,
        "refusals": _refusals(identity, found),
        "run_events": run_events[-40:],
        "running": running,
        "message": message[:300],
    }
    return render(request, "proposal.html", context)


@router.post("/proposals/{proposal_id}/approve")
def approve(request: Request, identity: PageIdentity, proposal_id: str, form: CsrfForm) -> Response:
    """Approve as the signed-in person (as `POST /api/v1/proposals/{id}/approve`); with `apply`, start the apply."""
    container = request.app.state.container
    found = visible_proposal(container, identity, proposal_id)
    subject = f"proposal:{found.id}"
    require(container, identity, Action.APPROVE, found.team, subject)
    apply = form.get("apply") == "yes"
    if apply:
        require(container, identity, Action.APPLY, found.team, subject)
    try:
        approved = container.proposals.approve(found.id, identity.actor, form.get("comment", "")[:2000])
    except InfraplaneError as exc:
        if exc.http_status >= 500:
            raise
        return RedirectResponse(f"/proposals/{found.id}?message=" + _q(exc.message), status_code=303)
    if apply and approved.status == "approved":
        _runs(request).start_apply(approved, identity.actor)
    return RedirectResponse(f"/proposals/{found.id}", status_code=303)


@router.post("/proposals/{proposal_id}/reject")
def reject(request: Request, identity: PageIdentity, proposal_id: str, form: CsrfForm) -> Response:
    container = request.app.state.container
    found = visible_proposal(container, identity, proposal_id)
    require(container, identity, Action.REJECT, found.team, f"proposal:{found.id}")
    reason = form.get("reason", "").strip()[:2000]
    if not reason:
        return RedirectResponse(f"/proposals/{found.id}?message=" + _q("say why you reject it"), status_code=303)
    try:
        container.proposals.reject(found.id, identity.actor, reason)
    except InfraplaneError as exc:
        if exc.http_status >= 500:
            raise
        return RedirectResponse(f"/proposals/{found.id}?message=" + _q(exc.message), status_code=303)
    return RedirectResponse(f"/proposals/{found.id}", status_code=303)


@router.post("/proposals/{proposal_id}/apply")
def apply(request: Request, identity: PageIdentity, proposal_id: str, form: CsrfForm) -> Response:
    container = request.app.state.container
    found = visible_proposal(container, identity, proposal_id)
    require(container, identity, Action.APPLY, found.team, f"proposal:{found.id}")
    try:
        _runs(request).start_apply(found, identity.actor)
    except InfraplaneError as exc:
        if exc.http_status >= 500:
            raise
        return RedirectResponse(f"/proposals/{found.id}?message=" + _q(exc.message), status_code=303)
    return RedirectResponse(f"/proposals/{found.id}", status_code=303)


def _q(text: str) -> str:
    from urllib.parse import quote

    return quote(text[:300], safe="")
