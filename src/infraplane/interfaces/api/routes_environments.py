"""Environments: list, show, graph, revisions, state history and cost; a non-admin sees only its teams'."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from infraplane.core.identity import Action
from infraplane.interfaces.api.deps import ContainerDep, IdentityDep, require, visible_environment
from infraplane.interfaces.api.schemas import (
    ERRORS,
    DriftCheckOut,
    EnvironmentDetailOut,
    EnvironmentSummaryOut,
    GraphOut,
    RevisionOut,
    StateVersionOut,
)
from infraplane.interfaces.views import (
    environment_cost,
    environment_detail,
    environment_summary,
    revision_rows,
    upstream_view,
)

__all__ = ["router"]

router = APIRouter(prefix="/api/v1/environments", tags=["environments"], responses=ERRORS)


@router.get("", response_model=list[EnvironmentSummaryOut])
def list_environments(container: ContainerDep, identity: IdentityDep) -> list[dict[str, Any]]:
    """Every environment of the caller's teams (every one for an admin), with its status."""
    require(container, identity, Action.READ)
    return [
        environment_summary(env, components)
        for env, components in container.environments.environments()
        if identity.sees(env.team)
    ]


@router.get("/{name}", response_model=EnvironmentDetailOut)
def show_environment(name: str, container: ContainerDep, identity: IdentityDep) -> dict[str, Any]:
    """Components, status, outputs (sensitive ones masked), the current revision, what it costs now, and
    `upstream`: the other environments' outputs it reads (`upstream_changed` when one changed since it was
    applied, with the update proposals the system made) and who reads its own."""
    env = visible_environment(container, identity, name)
    require(container, identity, Action.READ, env.team)
    env, components, revisions = container.environments.get(name)
    cost = environment_cost(container.costs.estimate_environment(name), components)
    upstream = upstream_view(container.environments.upstream(name), container.proposals.proposals(name), identity.sees)
    return {**environment_detail(env, components), "revisions": len(revisions), "cost": cost, "upstream": upstream}


@router.get("/{name}/graph", response_model=GraphOut)
def environment_graph(name: str, container: ContainerDep, identity: IdentityDep) -> dict[str, Any]:
    """The component graph: one node per component (with its status), one edge per "feeds"."""
    env = visible_environment(container, identity, name)
    require(container, identity, Action.READ, env.team)
    _, components, _ = container.environments.get(name)
    return {
        "environment": name,
        "nodes": [{"name": c.name, "blueprint": c.blueprint, "status": c.status} for c in components],
        "edges": [{"from": dep, "to": c.name} for c in components for dep in sorted(c.depends_on)],
    }


@router.get("/{name}/revisions", response_model=list[RevisionOut])
def environment_revisions(name: str, container: ContainerDep, identity: IdentityDep) -> list[dict[str, Any]]:
    """Every revision (exact blueprint versions), with the proposal that applied it."""
    env = visible_environment(container, identity, name)
    require(container, identity, Action.READ, env.team)
    env, _, revisions = container.environments.get(name)
    return revision_rows(env, revisions, container.proposals.proposals(name))


@router.get("/{name}/components/{component}/states", response_model=list[StateVersionOut])
def state_history(name: str, component: str, container: ContainerDep, identity: IdentityDep) -> list[dict[str, Any]]:
    """Every stored Terraform state version of a component: serial and time, never the content."""
    env = visible_environment(container, identity, name)
    require(container, identity, Action.READ, env.team)
    versions = container.environments.state_history(name, component)
    return [{"serial": serial, "created_at": created} for serial, created in versions]


@router.get("/{name}/drift", response_model=DriftCheckOut)
def last_drift_check(name: str, container: ContainerDep, identity: IdentityDep) -> dict[str, Any]:
    """The environment's last drift check (who ran it, when, what it found), from the audit trail."""
    env = visible_environment(container, identity, name)
    require(container, identity, Action.READ, env.team)
    last = None
    for event in container.audit.events(action="drift.check"):
        if event.subject == f"environment:{name}":
            last = event
    if last is None:
        return {"environment": name, "checked_at": None, "actor": None, "summary": None}
    return {"environment": name, "checked_at": last.time, "actor": str(last.actor), "summary": dict(last.payload)}
