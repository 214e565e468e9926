"""`GET /api/v1/me`: who the token says the caller is, and what it may do."""

from __future__ import annotations

from fastapi import APIRouter

from infraplane.core.identity import Action, authorize
from infraplane.interfaces.api.deps import IdentityDep
from infraplane.interfaces.api.schemas import ERRORS, MeOut

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["identity"], responses=ERRORS)


@router.get("/me", response_model=MeOut)
def me(identity: IdentityDep) -> MeOut:
    """The caller's identity: name, role, teams, whether it is an agent, and the actions it may take."""
    return MeOut(
        name=identity.name,
        role=identity.role.label,
        teams=sorted(identity.teams),
        agent=identity.agent,
        actor=str(identity.actor),
        allowed=[action.value for action in Action if authorize(identity, action).allowed],
    )
