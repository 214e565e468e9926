"""What every route depends on: the container, the caller's identity (Bearer token), and one authorization check.

Authentication and roles are declared once here, as FastAPI dependencies (the full-stack template's
`api/deps.py`); routes never read headers or compare roles themselves. A refusal is audited
(`api.refused`, naming the identity and what it tried); something of another team is "not found",
so its name does not leak.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from infraplane.core.identity import Action, Identity, authorize
from infraplane.core.proposals import Proposal
from infraplane.core.records import EnvironmentRecord
from infraplane.core.tasks import NoProposal
from infraplane.errors import ForbiddenError, NotFoundError, Problem, UnauthenticatedError
from infraplane.interfaces.api.background import RunPool
from infraplane.interfaces.container import Container
from infraplane.services.audit import record

__all__ = [
    "ContainerDep",
    "IdentityDep",
    "get_container",
    "get_identity",
    "not_proposed",
    "require",
    "visible_environment",
    "visible_proposal",
]

_bearer = HTTPBearer(auto_error=False, description="An infraplane token: `Authorization: Bearer ipl_...`.")


def get_container(request: Request) -> Container:
    container: Container = request.app.state.container
    return container


ContainerDep = Annotated[Container, Depends(get_container)]


def get_identity(
    request: Request,
    container: ContainerDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Identity:
    """The identity behind the request's Bearer token; 401 when there is none or it is not valid."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise UnauthenticatedError("a token is required: send `Authorization: Bearer ipl_...`")
    identity = container.tokens.authenticate(credentials.credentials)
    request.state.identity = identity
    return identity


IdentityDep = Annotated[Identity, Depends(get_identity)]


def require(
    container: Container, identity: Identity, action: Action, team: str | None = None, subject: str = ""
) -> None:
    """Go on only if `identity` may do `action` (on something of `team`); 404 when it is another team's, else 403.

    A refusal on role or kind (an agent asking to approve) is an audit event, so attempts are visible.
    """
    decision = authorize(identity, action, team)
    if decision.allowed:
        return
    if decision.hidden:
        raise NotFoundError(f"no {subject or 'such thing'}", [Problem("", "", "unknown or not yours")])
    with container.store.transaction() as tx:
        record(
            tx,
            identity.actor,
            "api.refused",
            subject or f"action:{action.value}",
            {"action": action.value, "role": identity.role.label, "agent": identity.agent, "reason": decision.reason},
        )
    raise ForbiddenError(decision.reason)


def visible_environment(container: Container, identity: Identity, name: str) -> EnvironmentRecord:
    """The environment `name` if the identity may see it; the same 404 whether it is unknown or another team's."""
    with container.store.read() as tx:
        env = tx.environments.get(name)
    if env is None or not identity.sees(env.team):
        raise NotFoundError(f"no environment {name!r}", [Problem("", "environment", "unknown or not yours")])
    return env


def visible_proposal(container: Container, identity: Identity, proposal_id: str) -> Proposal:
    """The proposal if the identity may see it; the same 404 whether it is unknown or another team's."""
    unknown = NotFoundError(f"no proposal {proposal_id!r}", [Problem("", "proposal", "unknown or not yours")])
    try:
        proposal = container.proposals.get(proposal_id)  # through the service: one past its time expires
    except NotFoundError:
        raise unknown from None  # not the service's hint, which names other proposals
    if not identity.sees(proposal.team):
        raise unknown
    return proposal


def not_proposed(runs: RunPool, identity: Identity, proposal_id: str) -> NoProposal | None:
    """Why the proposal was never made (nothing to change, or its plan failed), if the identity may know."""
    ended = runs.ended(proposal_id)
    return ended if ended is not None and identity.sees(ended.team) else None
