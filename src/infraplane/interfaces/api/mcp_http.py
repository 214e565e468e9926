"""MCP over streamable HTTP at `/mcp`: the stdio server's tools, for agents holding an agent token.

Every request must carry `Authorization: Bearer <token>`; a missing or invalid token is a 401
JSON error, a valid token that is not an agent token a 403 (people use the REST API and the web
page: what an LLM does must be audited as an agent's, never under a person's name). The identity
goes into `request.state.identity`, where the request log finds its name and the MCP server the
identity each tool call acts for (interfaces/mcp/server.py): its role decides whether it may
propose, its teams what it sees. Still no tool approves or applies.

The transport is stateless with JSON responses: every POST is answered on its own, so no MCP
session outlives the request that authenticated it and no session can be borrowed by another token.
The session manager runs inside the FastAPI app's lifespan; a new one per lifespan, since a
manager runs only once.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import anyio.to_thread
from fastapi import FastAPI
from mcp.server.streamable_http_manager import StreamableHTTPSessionManager
from mcp.server.transport_security import TransportSecuritySettings
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from infraplane.errors import ForbiddenError, UnauthenticatedError
from infraplane.interfaces.api.errors import error_response
from infraplane.interfaces.container import Container
from infraplane.interfaces.mcp.server import InfraplaneServer, build_http_server

__all__ = ["MCP_PATH", "McpEndpoint", "install_mcp"]

MCP_PATH = "/mcp"
_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="infraplane"'}


def _bearer(scope: Scope) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == b"authorization":
            scheme, _, secret = value.decode("latin-1").partition(" ")
            return secret.strip() if scheme.lower() == "bearer" and secret.strip() else None
    return None


class McpEndpoint:
    """The ASGI app at `/mcp`: authenticates the token, then hands the request to the session manager."""

    def __init__(self, container: Container, server: InfraplaneServer) -> None:
        self._container = container
        self._server = server
        self.manager: StreamableHTTPSessionManager | None = None

    def new_manager(self) -> StreamableHTTPSessionManager:
        self._server.streamable_http_app(
            streamable_http_path=MCP_PATH,
            stateless_http=True,
            json_response=True,
            max_request_body_size=self._container.settings.limits.document_bytes,
            # The SDK's DNS-rebinding guard checks Host against loopback names; every request here needs
            # a Bearer token, which a page that rebinds a name to this server does not have.
            transport_security=TransportSecuritySettings(enable_dns_rebinding_protection=False),
        )
        self.manager = self._server.session_manager
        return self.manager

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        secret = _bearer(scope)
        if secret is None:
            response = error_response(
                401, "unauthenticated", "a token is required: send `Authorization: Bearer ipl_...`"
            )
            response.headers.update(_CHALLENGE)
            await response(scope, receive, send)
            return
        try:
            identity = await anyio.to_thread.run_sync(self._container.tokens.authenticate, secret)
        except UnauthenticatedError as exc:
            response = error_response(exc.http_status, exc.code, exc.message)
            response.headers.update(_CHALLENGE)
            await response(scope, receive, send)
            return
        except ForbiddenError as exc:  # a worker token: Terraform state only
            await error_response(exc.http_status, exc.code, exc.message)(scope, receive, send)
            return
        scope.setdefault("state", {})["identity"] = identity
        if not identity.agent:
            message = (
                f"{identity.name} is not an agent token: MCP is for agents "
                "(`infraplane token create --agent`); people use the REST API"
            )
            await error_response(403, "forbidden", message)(scope, receive, send)
            return
        if self.manager is None:
            await error_response(503, "unavailable", "the MCP endpoint is not running (the app's lifespan is not)")(
                scope, receive, send
            )
            return
        await self.manager.handle_request(scope, receive, send)


def install_mcp(app: FastAPI, container: Container) -> McpEndpoint:
    """Serve MCP at `/mcp`, its session manager running for as long as the app's lifespan."""
    endpoint = McpEndpoint(container, build_http_server(container))
    app.router.routes.append(Route(MCP_PATH, endpoint=endpoint, methods=["GET", "POST", "DELETE"]))
    running: Callable[[Any], AbstractAsyncContextManager[Any]] = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(instance: Any) -> AsyncIterator[Any]:
        async with endpoint.new_manager().run(), running(instance) as state:
            yield state
        endpoint.manager = None

    app.router.lifespan_context = lifespan
    return endpoint
