"""Terraform's `http` state backend for remote workers: GET/POST/LOCK/UNLOCK `/api/v1/state/{environment}/{component}`.

Terraform sends basic auth: the user name is the infraplane run it works for, the password a
worker token's secret (`infraplane token create NAME --role worker`). Any other token, or none,
is refused (401/403); the rules of locking and writing are services/state_api.py's.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.security import HTTPBasic, HTTPBasicCredentials
from starlette.concurrency import run_in_threadpool

from infraplane.core.identity import Action, Identity
from infraplane.errors import UnauthenticatedError
from infraplane.interfaces.api.deps import ContainerDep, require
from infraplane.interfaces.container import Container
from infraplane.services.state_api import StateApi, StateLockedError

__all__ = ["router"]

router = APIRouter(prefix="/api/v1/state", tags=["state"], include_in_schema=False)
_basic = HTTPBasic(auto_error=False, description="user: the run id; password: a worker token")

_LOCKED = 423


def _worker(
    request: Request, container: ContainerDep, credentials: Annotated[HTTPBasicCredentials | None, Depends(_basic)]
) -> tuple[Identity, str]:
    """The worker identity behind the request's basic auth (or Bearer token), and the run it names."""
    run_id, secret = "", ""
    if credentials is not None:
        run_id, secret = credentials.username, credentials.password
    else:
        header = request.headers.get("Authorization", "")
        if header.lower().startswith("bearer "):
            secret = header[7:].strip()
            run_id = request.headers.get("X-Infraplane-Run", "")
    if not secret:
        raise UnauthenticatedError("a worker token is required (basic auth: user = run id, password = token)")
    identity = container.tokens.authenticate(secret, state_api=True)
    require(container, identity, Action.STATE, None, "state")
    request.state.identity = identity
    return identity, run_id


WorkerDep = Annotated[tuple[Identity, str], Depends(_worker)]


def _api(container: Container) -> StateApi:
    return StateApi(container.store, container.settings.team.state_lock_seconds)


def _locked(exc: StateLockedError) -> Response:
    return Response(exc.lock_info, status_code=_LOCKED, media_type="application/json")


@router.get("/{environment}/{component}")
def read_state(environment: str, component: str, container: ContainerDep, worker: WorkerDep) -> Response:
    content = _api(container).read(environment, component)
    if content is None:
        return Response(status_code=404)
    return Response(content, media_type="application/json")


@router.post("/{environment}/{component}")
async def write_state(
    environment: str, component: str, request: Request, container: ContainerDep, worker: WorkerDep
) -> Response:
    identity, run_id = worker
    body = await request.body()
    lock_id = request.query_params.get("ID")
    try:
        await run_in_threadpool(_api(container).write, environment, component, run_id, lock_id, body, identity.actor)
    except StateLockedError as exc:
        return _locked(exc)
    return Response(status_code=200)


@router.api_route("/{environment}/{component}", methods=["LOCK"])
async def lock_state(
    environment: str, component: str, request: Request, container: ContainerDep, worker: WorkerDep
) -> Response:
    _, run_id = worker
    try:
        await run_in_threadpool(_api(container).lock, environment, component, run_id, await request.body())
    except StateLockedError as exc:
        return _locked(exc)
    return Response(status_code=200)


@router.api_route("/{environment}/{component}", methods=["UNLOCK"])
async def unlock_state(
    environment: str, component: str, request: Request, container: ContainerDep, worker: WorkerDep
) -> Response:
    try:
        await run_in_threadpool(_api(container).unlock, environment, component, await request.body())
    except StateLockedError as exc:
        return _locked(exc)
    return Response(status_code=200)
