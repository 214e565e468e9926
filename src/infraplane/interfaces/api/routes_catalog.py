"""The catalog: list and search blueprints, show one, publish an uploaded archive (admin)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from starlette.concurrency import run_in_threadpool

from infraplane.core.identity import Action
from infraplane.interfaces.api.deps import ContainerDep, IdentityDep, require
from infraplane.interfaces.api.schemas import ERRORS, BlueprintDetailOut, BlueprintSearchOut, PublishOut
from infraplane.interfaces.api.uploads import BLUEPRINT_ENTRIES, unpacked
from infraplane.interfaces.mcp.views import blueprint_version, search_hit

__all__ = ["router"]

router = APIRouter(prefix="/api/v1/blueprints", tags=["catalog"], responses=ERRORS)


@router.get("", response_model=BlueprintSearchOut)
def list_blueprints(
    container: ContainerDep,
    identity: IdentityDep,
    q: Annotated[str, Query(max_length=500, description="Words to search for; empty lists every blueprint.")] = "",
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> dict[str, Any]:
    """The newest version of every blueprint, or with `q` the best matches first."""
    require(container, identity, Action.READ)
    catalog = container.catalog
    if q.strip():
        return {"query": q, "results": [search_hit(hit) for hit in catalog.search(q, limit)]}
    results = [
        {
            "name": v.name,
            "version": v.version,
            "description": v.blueprint.metadata.description,
            "score": 1.0,
            "labels": list(v.blueprint.metadata.labels),
            "runner": v.blueprint.spec.runner,
            "deprecated": v.deprecated,
        }
        for v in catalog.latest()[:limit]
    ]
    return {"query": q, "results": results}


@router.get("/{name}", response_model=BlueprintDetailOut)
def show_blueprint(
    name: str,
    container: ContainerDep,
    identity: IdentityDep,
    version: Annotated[str | None, Query(max_length=100, description="A version or a constraint (^1.0).")] = None,
) -> dict[str, Any]:
    """One blueprint version (default: the newest): inputs as JSON Schema, outputs, compliance, every version."""
    require(container, identity, Action.READ)
    return blueprint_version(container.catalog, name, version)


@router.post(
    "",
    response_model=PublishOut,
    status_code=201,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
        }
    },
)
async def publish_blueprints(request: Request, container: ContainerDep, identity: IdentityDep) -> dict[str, Any]:
    """Publish every blueprint in an uploaded .tar.gz (a blueprint directory or a catalog of them); admin only.

    All or nothing, as `infraplane catalog publish`: an invalid blueprint publishes none.
    """
    require(container, identity, Action.PUBLISH)
    data = await request.body()
    limit = container.settings.limits.archive_bytes

    def publish() -> dict[str, Any]:  # on a worker thread: the server goes on answering meanwhile
        with unpacked(data, "catalog", "blueprint directories", limit, BLUEPRINT_ENTRIES) as root:
            results = container.catalog.publish(root, identity.actor)
        return {"published": [{"ref": r.ref, "digest": r.digest, "status": r.status} for r in results]}

    return await run_in_threadpool(publish)
