"""`/api/v1/tokens`: an admin creates, lists and revokes tokens over the API, as `infraplane token` does on the CLI.

The secret is in the creation's answer and nowhere else. Agents never manage tokens, whatever
their role: an agent that could mint a person's token could approve through it.
"""

from __future__ import annotations

from fastapi import APIRouter

from infraplane.core.audit import utc_timestamp
from infraplane.core.identity import Action, Role
from infraplane.errors import InputError, Problem
from infraplane.interfaces.api.deps import ContainerDep, IdentityDep, require
from infraplane.interfaces.api.schemas import ERRORS, TokenCreated, TokenOut, TokenRequest

__all__ = ["router"]

router = APIRouter(prefix="/api/v1/tokens", tags=["tokens"], responses=ERRORS)


@router.get("", response_model=list[TokenOut])
def list_tokens(container: ContainerDep, identity: IdentityDep) -> list[dict[str, object]]:
    """Every token (never a secret): role, teams, agent, state and expiry."""
    require(container, identity, Action.MANAGE_TOKENS, subject="tokens")
    now = utc_timestamp()
    return [token.as_dict(now) for token in container.tokens.list()]


@router.post("", response_model=TokenCreated, status_code=201)
def create_token(body: TokenRequest, container: ContainerDep, identity: IdentityDep) -> dict[str, object]:
    """Create a token; the answer holds its secret, the only time it is shown."""
    from infraplane.services.tokens import parse_expires

    require(container, identity, Action.MANAGE_TOKENS, subject=f"token:{body.name}")
    try:
        role = Role.parse(body.role)
    except ValueError as exc:
        raise InputError(f"role: {exc}", [Problem("", "role", str(exc))]) from None
    lifetime = parse_expires(body.expires) if body.expires else None
    token, secret = container.tokens.create(body.name, role, body.teams, body.agent, lifetime, identity.actor)
    return {**token.as_dict(utc_timestamp()), "token": secret}


@router.delete("/{name}", response_model=TokenOut)
def revoke_token(name: str, container: ContainerDep, identity: IdentityDep) -> dict[str, object]:
    """Revoke a token: it stops working at once; its name stays taken, so the audit trail stays clear."""
    require(container, identity, Action.MANAGE_TOKENS, subject=f"token:{name}")
    return container.tokens.revoke(name, identity.actor).as_dict(utc_timestamp())
