"""The ASGI application `infraplane serve` runs: one FastAPI app over the same services as the CLI."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.responses import JSONResponse

import infraplane
from infraplane.interfaces.api import (
    routes_audit,
    routes_catalog,
    routes_checks,
    routes_environments,
    routes_me,
    routes_proposals,
)
from infraplane.interfaces.api.background import install_runs
from infraplane.interfaces.api.errors import install_error_handlers
from infraplane.interfaces.api.limits import BodyLimit
from infraplane.interfaces.api.mcp_http import install_mcp
from infraplane.interfaces.api.metrics import install_metrics
from infraplane.interfaces.api.request_log import install_request_log
from infraplane.interfaces.container import Container

__all__ = ["create_app"]


def create_app(container: Container) -> FastAPI:
    """The whole server's HTTP surface, wired to `container`'s services."""
    app = FastAPI(
        title="infraplane",
        version=infraplane.__version__,
        openapi_url="/api/v1/openapi.json",
        docs_url="/docs",
        redoc_url=None,
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
    for module in (routes_me, routes_catalog, routes_environments, routes_proposals, routes_checks, routes_audit):
        app.include_router(module.router)
    install_metrics(app, container)
    install_mcp(app, container)
    install_request_log(app)  # last: the outermost middleware, so its line has the final status

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> JSONResponse:
        """Alive: the process answers."""
        return JSONResponse({"status": "ok"})

    return app
