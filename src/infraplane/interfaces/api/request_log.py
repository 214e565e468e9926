"""One log line per HTTP request: request id, actor, method, route template, status, duration.

Pure ASGI middleware (not BaseHTTPMiddleware), so a streaming response (server-sent events)
passes through unbuffered; its line is written when the stream ends. The request id is the
client's `X-Request-Id` when it is a short plain token, otherwise a new one; either way it is
sent back in `X-Request-Id` and kept in `request.state.request_id` for error bodies.

Nothing that may hold a secret is logged: no header, no body, no query string and not even
the raw path (a path parameter is a name a client chose); only the route's template.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from typing import Any

from fastapi import FastAPI
from starlette.datastructures import MutableHeaders
from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["REQUEST_ID_HEADER", "RequestLog", "install_request_log", "route_template"]

REQUEST_ID_HEADER = "X-Request-Id"
_SANE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")
# What a request that matched no route is counted and logged as: the raw path would let any
# client invent label values and log lines.
UNMATCHED = "<unmatched>"

log = logging.getLogger("infraplane.api.request")


def route_template(scope: Scope) -> str:
    """The matched route's template (`/api/v1/proposals/{id}`), after the app has routed `scope`."""
    route = scope.get("route")
    if route is None:
        # FastAPI's router records only its own routes; a plain ASGI route (/mcp) is found by matching.
        routes = getattr(getattr(scope.get("app"), "router", None), "routes", ())
        route = next((r for r in routes if isinstance(r, BaseRoute) and r.matches(scope)[0] is Match.FULL), None)
    path = getattr(route, "path", None)
    return path if isinstance(path, str) and path else UNMATCHED


def _incoming_id(scope: Scope) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == b"x-request-id":
            text = value.decode("latin-1")
            return text if _SANE_ID.fullmatch(text) else None
    return None


def actor_name(scope: Scope) -> str:
    """Who the auth dependency said is calling (`request.state.identity`), or `-`."""
    identity = scope.get("state", {}).get("identity")
    name = getattr(identity, "name", None)
    return name if isinstance(name, str) and name else "-"


class RequestLog:
    """The ASGI middleware that writes the line and sets the request id."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _incoming_id(scope) or uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        status = 500  # what the client gets if the app fails before it starts a response
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = request_id
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            fields: dict[str, Any] = {
                "request_id": request_id,
                "actor": actor_name(scope),
                "method": scope["method"],
                "route": route_template(scope),
                "status": status,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
            }
            log.info(
                "%s %s %s %.1f ms",
                fields["method"],
                fields["route"],
                status,
                fields["duration_ms"],
                extra={"fields": fields},
            )


def install_request_log(app: FastAPI) -> None:
    """Log every request; added last so it is the outermost middleware and sees the final status."""
    app.add_middleware(RequestLog)
