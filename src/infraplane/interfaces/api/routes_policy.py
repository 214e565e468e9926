"""Policy bundles over the API (admin): replay a bundle before publishing it, publish it, read a stored replay.

A bundle is uploaded as a .tar.gz of its directory (`bundle.yaml` and `.rego` files), as blueprints are.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Query, Request
from starlette.concurrency import run_in_threadpool

from infraplane.core.identity import Action
from infraplane.interfaces.api.deps import ContainerDep, IdentityDep, require
from infraplane.interfaces.api.schemas import ERRORS, BundlePublishOut, ReplayOut
from infraplane.interfaces.api.uploads import BUNDLE_ENTRIES, unpacked

if TYPE_CHECKING:
    from infraplane.interfaces.container import Container

__all__ = ["router"]

router = APIRouter(prefix="/api/v1/policy", tags=["policy"], responses=ERRORS)

_ARCHIVE_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
    }
}


def _bundle(data: bytes, container: Container) -> AbstractContextManager[Path]:
    return unpacked(data, "bundle", "a bundle directory", container.settings.limits.archive_bytes, BUNDLE_ENTRIES)


# The uploads are read here, then unpacked, compiled and judged on a worker thread: the server goes on
# answering other requests meanwhile.


@router.post("/replay", response_model=ReplayOut, openapi_extra=_ARCHIVE_BODY)
async def replay_bundle(request: Request, container: ContainerDep, identity: IdentityDep) -> dict[str, Any]:
    """What publishing the uploaded bundle would change, per environment and rule (stored and audited)."""
    require(container, identity, Action.PUBLISH)
    data = await request.body()

    def replay() -> dict[str, Any]:
        with _bundle(data, container) as directory:
            return container.policy_replay.replay(directory, identity.actor).as_dict()

    return await run_in_threadpool(replay)


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
    data = await request.body()

    def publish() -> dict[str, Any]:
        with _bundle(data, container) as directory:
            result, replayed = container.policy_replay.publish(directory, identity.actor, yes)
        return {"ref": result.ref, "digest": result.digest, "status": result.status, "replay": replayed.as_dict()}

    return await run_in_threadpool(publish)


@router.get("/replays/{replay_id}", response_model=ReplayOut)
def get_replay(replay_id: str, container: ContainerDep, identity: IdentityDep) -> dict[str, Any]:
    """A stored replay report."""
    require(container, identity, Action.PUBLISH)
    return container.policy_replay.get(replay_id).as_dict()
