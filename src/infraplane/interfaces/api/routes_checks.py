"""Checks of a plan made anywhere: the guardrails (policy check) and the cost estimate of an uploaded plan JSON."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query

from infraplane.core.identity import Action
from infraplane.core.policy import plan_input
from infraplane.interfaces.api.deps import ContainerDep, IdentityDep, require
from infraplane.interfaces.api.schemas import ERRORS
from infraplane.services.policy import plan_from_document

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["checks"], responses=ERRORS)

PlanBody = Annotated[dict[str, Any], Body(description="Plan JSON: `terraform show -json PLANFILE`.")]


@router.post("/policy/check")
def policy_check(
    plan: PlanBody,
    container: ContainerDep,
    identity: IdentityDep,
    tier: Annotated[str, Query(max_length=64, description="The tier the plan is for (scopes tier rules).")] = "dev",
    team: Annotated[str, Query(max_length=64, description="The team the plan is for.")] = "",
) -> dict[str, Any]:
    """Run the guardrails over an uploaded plan: every finding (deny or warn) with rule, message and remediation."""
    require(container, identity, Action.READ)
    normalized = plan_from_document(plan)
    document = plan_input(normalized, {"name": "", "team": team, "tier": tier, "owner": team}, {"name": "plan"}, {})
    return container.policies.decide("plan", document, tier, team, "", None).as_dict()


@router.post("/cost")
def plan_cost(plan: PlanBody, container: ContainerDep, identity: IdentityDep) -> dict[str, Any]:
    """The estimated monthly cost of an uploaded plan: per resource, total before and after, and what is unpriced."""
    require(container, identity, Action.READ)
    return container.costs.estimate_plan(plan_from_document(plan)).as_dict()
