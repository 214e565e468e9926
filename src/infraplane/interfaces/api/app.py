"""The ASGI application `infraplane serve` runs: one FastAPI app over the same services as the CLI."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.responses import JSONResponse

import infraplane
from infraplane.interfaces.api import (
    routes_audit,
    routes_catalog,
    routes_checks,
    routes_drift,
    routes_environments,
    routes_me,
    routes_policy,
    routes_proposals,
    routes_state,
    routes_tokens,
)
from infraplane.interfaces.api.background import install_runs
from infraplane.interfaces.api.errors import install_error_handlers
from infraplane.interfaces.api.lifespan import lifespan
from infraplane.interfaces.api.limits import BodyLimit
from infraplane.interfaces.api.mcp_http import install_mcp
from infraplane.interfaces.api.metrics import install_metrics
from infraplane.interfaces.api.readiness import readiness_response
from infraplane.interfaces.api.request_log import install_request_log
from infraplane.interfaces.container import Container
from infraplane.interfaces.web import install_web

__all__ = ["create_app"]


def create_app(container: Container, runtime: bool = False) -> FastAPI:
    """The whole server's HTTP surface, wired to `container`'s services.

    With `runtime` (as `infraplane serve` runs it), the app's lifespan also starts and stops the
    sandbox, recovery of interrupted runs and the scheduler (lifespan.py); without it, as tests of
    routes use it, the app serves requests alone.
    """
    app = FastAPI(
        title="infraplane",
        version=infraplane.__version__,
        openapi_url="/api/v1/openapi.json",
        docs_url="/docs",
        redoc_url=None,
        lifespan=lifespan if runtime else None,
    )
    app.state.container = container
    install_runs(app, container)  # plans and applies run in its pool; the CLI's concurrency setting bounds it
    install_error_handlers(app)
    limits = container.settings.limits

    def body_limit(method: str, path: str) -> tuple[int, str]:
        if method == "POST" and path.rstrip("/") == "/api/v1/blueprints":
            return limits.archive_bytes, "limits.archive_bytes"
        return limits.document_bytes, "limits.document_bytes"

    app.add_middleware(BodyLimit, limit_for=body_limit)
    for module in (
        routes_me,
        routes_catalog,
        routes_environments,
        routes_proposals,
        routes_checks,
        routes_policy,
        routes_audit,
        routes_tokens,
        routes_drift,
        routes_state,
    ):
        app.include_router(module.router)
    install_web(app, container)  # `/`, `/login`, `/catalog`, ...: the web page
    install_metrics(app, container)
    install_mcp(app, container)
    install_request_log(app)  # last: the outermost middleware, so its line has the final status

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> JSONResponse:
        """Alive: the process answers."""
        return JSONResponse({"status": "ok"})

    @app.get("/readyz", include_in_schema=False)
    def readyz() -> JSONResponse:
        """Ready: the store answers, the sandbox does when it is the target, and in team mode a worker is alive
        (else 503 naming what is not); `queue` says how many tasks wait and run, and how many workers were seen."""
        return readiness_response(container, app.state.runs)

    return app
