"""Policy bundles over the API (admin): replay a bundle before publishing it, publish it, read a stored replay.

A bundle is uploaded as a .tar.gz of its directory (`bundle.yaml` and `.rego` files), as blueprints are.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from infraplane.core.identity import Action
from infraplane.interfaces.api.deps import ContainerDep, IdentityDep, require
from infraplane.interfaces.api.schemas import ERRORS, BundlePublishOut, ReplayOut
from infraplane.interfaces.api.uploads import unpacked

__all__ = ["router"]

router = APIRouter(prefix="/api/v1/policy", tags=["policy"], responses=ERRORS)

_ARCHIVE_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
    }
}


@router.post("/replay", response_model=ReplayOut, openapi_extra=_ARCHIVE_BODY)
async def replay_bundle(request: Request, container: ContainerDep, identity: IdentityDep) -> dict[str, Any]:
    """What publishing the uploaded bundle would change, per environment and rule (stored and audited)."""
    require(container, identity, Action.PUBLISH)
    with unpacked(await request.body(), "bundle", "a bundle directory") as directory:
        return container.policy_replay.replay(directory, identity.actor).as_dict()


@router.post("/bundles", response_model=BundlePublishOut, status_code=201, openapi_extra=_ARCHIVE_BODY)
async def publish_bundle(
    request: Request,
    container: ContainerDep,
    identity: IdentityDep,
    yes: Annotated[bool, Query(description="Publish even when it would newly deny running environments.")] = False,
) -> dict[str, Any]:
    """Replay, then publish the uploaded bundle; 409 `confirmation_required` (the report in `detail`) when it
    would newly deny running environments and `yes` is not given."""
    require(container, identity, Action.PUBLISH)
    with unpacked(await request.body(), "bundle", "a bundle directory") as directory:
        result, replayed = container.policy_replay.publish(directory, identity.actor, yes)
    return {"ref": result.ref, "digest": result.digest, "status": result.status, "replay": replayed.as_dict()}


@router.get("/replays/{replay_id}", response_model=ReplayOut)
def get_replay(replay_id: str, container: ContainerDep, identity: IdentityDep) -> dict[str, Any]:
    """A stored replay report."""
    require(container, identity, Action.PUBLISH)
    return container.policy_replay.get(replay_id).as_dict()
