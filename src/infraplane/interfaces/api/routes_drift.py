"""Drift remediation, unmanaged resources and the KPIs: propose a revert or an accept, list, measure.

A revert or an accept is a proposal planned in the background (202, follow `events`), then approved and
applied through the normal approval rules; an open revert of the environment is answered instead of a
second one. The last drift check is read with `GET /api/v1/environments/{name}/drift`.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from infraplane.core.environment import parse_duration
from infraplane.core.identity import Action, Identity
from infraplane.errors import ForbiddenError, InputError, Problem
from infraplane.interfaces.api.background import RunPool
from infraplane.interfaces.api.deps import ContainerDep, IdentityDep, require, visible_environment
from infraplane.interfaces.api.schemas import (
    ERRORS,
    DriftAcceptBody,
    DriftRevertBody,
    KpiOut,
    RunAccepted,
    UnmanagedPage,
)
from infraplane.interfaces.container import Container
from infraplane.services.audit import record

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["drift"], responses=ERRORS)


def _runs(request: Request) -> RunPool:
    runs: RunPool = request.app.state.runs
    return runs


def _accepted(proposal_id: str, status: str, existing: bool = False) -> RunAccepted:
    events = f"/api/v1/proposals/{proposal_id}/events"
    return RunAccepted(id=proposal_id, run="plan", status=status, events=events, existing=existing)


def _may_propose(container: Container, identity: Identity, name: str, justification: str) -> str:
    env = visible_environment(container, identity, name)
    require(container, identity, Action.PROPOSE, env.team, f"environment:{name}")
    if identity.agent and not justification.strip():
        raise InputError.from_problems(
            [Problem("", "justification", "agents must say why they propose a change (a sentence or two)")]
        )
    return env.team


@router.post("/environments/{name}/drift/revert", response_model=RunAccepted, status_code=202)
def propose_revert(
    name: str, request: Request, container: ContainerDep, identity: IdentityDep, body: DriftRevertBody | None = None
) -> RunAccepted:
    """Propose applying the environment's code again (kind drift-revert), planned in the background.

    Every component is planned; a resource whose drift a plain apply would keep is planned replaced. When a
    revert of the environment is already open, that proposal is answered (`existing: true`) and nothing runs.
    """
    body = body or DriftRevertBody()
    team = _may_propose(container, identity, name, body.justification)
    remediation = container.drift_remediation
    existing = remediation.open_revert(name)
    if existing is not None:
        return _accepted(existing.id, existing.status.value, existing=True)

    proposal_id = _runs(request).start_drift_revert(name, team, identity.actor, body.justification)
    return _accepted(proposal_id, "planning")


@router.post("/environments/{name}/drift/accept", response_model=RunAccepted, status_code=202)
def propose_accept(
    name: str, body: DriftAcceptBody, request: Request, container: ContainerDep, identity: IdentityDep
) -> RunAccepted:
    """Propose inputs that keep the cloud's drifted values (kind drift-accept), checked and planned in the background.

    When a drifted value maps to no input the environment decides, the run ends with a `drift_not_accepted`
    error event naming each value and why the blueprint fixes it.
    """
    team = _may_propose(container, identity, name, body.justification)
    remediation = container.drift_remediation
    remediation.known_component(name, body.component)

    proposal_id = _runs(request).start_drift_accept(name, body.component, team, identity.actor, body.justification)
    return _accepted(proposal_id, "planning")


@router.get("/unmanaged", response_model=UnmanagedPage)
def list_unmanaged(container: ContainerDep, identity: IdentityDep) -> dict[str, Any]:
    """What the server's last scan found in the cloud that no component's state manages; admins only.

    The scan runs on the server's schedule (`unmanaged.scan_seconds`); `infraplane unmanaged list` scans now.
    Such resources belong to no team, so only an identity that sees every team may list them.
    """
    require(container, identity, Action.READ)
    if not identity.all_teams:
        with container.store.transaction() as tx:
            reason = f"{identity.name}: unmanaged resources belong to no team; only admins list them"
            record(tx, identity.actor, "api.refused", "cloud:inventory", {"action": "read", "reason": reason})
        raise ForbiddenError(reason)
    scan = container.unmanaged.last_scan()
    return {
        "scanned_at": scan.scanned_at,
        "scanned_by": scan.actor,
        "count": scan.count,
        "items": list(scan.items),
        "problems": list(scan.problems),
    }


@router.get("/kpi", response_model=KpiOut)
def kpis(
    container: ContainerDep,
    identity: IdentityDep,
    since: Annotated[str, Query(max_length=16, description="The window: 30d, 12h, 2w, ...")] = "30d",
) -> dict[str, Any]:
    """Drift rate, time to detect and to remediate, policy hit rate, approval lead time, the DORA four.

    Over the caller's teams (every team for an admin); docs/kpi.md has every formula.
    """
    require(container, identity, Action.READ)
    try:
        window = timedelta(seconds=parse_duration(since))
    except ValueError as exc:
        raise InputError.from_problems([Problem("", "since", str(exc))]) from None
    teams = None if identity.all_teams else frozenset(identity.teams)
    return container.kpi.report(window, teams).as_dict()
