"""The MCP server: infraplane's tools, catalog resources and house rules for agents, over stdio or HTTP.

Every tool call, whatever its outcome (bad arguments and unknown tools included), is an
audit event `mcp.call` by the agent, subject `mcp:<tool>`. Tool calls run one at a time:
the services are written for one caller per process, as the CLI is.

Over stdio the agent is the one named on the command line. Over HTTP (interfaces/api/mcp_http.py)
each request carries its token's identity in `request.state.identity`; every call acts as, is
audited as, and sees only what that identity may (its role and teams).
"""

from __future__ import annotations

import inspect
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
import anyio.to_thread
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ResourceNotFoundError, ToolError, UnexpectedToolError
from mcp.types import CallToolResult, InputRequiredResult, TextContent, ToolAnnotations
from mcp.types import Resource as MCPResource
from pydantic import ValidationError

import infraplane
from infraplane.core.audit import REDACTED, Actor, redact
from infraplane.core.identity import Identity
from infraplane.errors import NotFoundError
from infraplane.interfaces.container import Container
from infraplane.interfaces.mcp.failures import ToolFailure, argument_failure
from infraplane.interfaces.mcp.guide import HOUSE_RULES, INSTRUCTIONS
from infraplane.interfaces.mcp.jsonrpc_gate import serve_stdio
from infraplane.interfaces.mcp.tools import AgentTools
from infraplane.interfaces.mcp.views import BLUEPRINT_URI, blueprint_detail, blueprint_uri
from infraplane.services.audit import record

__all__ = [
    "CATALOG_URI",
    "PROPOSING_TOOLS",
    "READ_ONLY_TOOLS",
    "InfraplaneServer",
    "build_http_server",
    "build_server",
    "serve",
]

CATALOG_URI = "infraplane://blueprints"
READ_ONLY_TOOLS = (
    "search_catalog",
    "get_blueprint",
    "list_environments",
    "get_environment",
    "get_proposal",
    "explain_finding",
    "get_recommendations",
)
PROPOSING_TOOLS = ("request_environment", "propose_change", "propose_recommendation")
_TITLES = {
    "search_catalog": "Search the blueprint catalog",
    "get_blueprint": "Read a blueprint's inputs and outputs",
    "list_environments": "List environments",
    "get_environment": "Read an environment",
    "get_proposal": "Read a proposal",
    "explain_finding": "Explain a guardrail or approval rule",
    "request_environment": "Propose a new environment (a human approves)",
    "propose_change": "Propose a change to an environment (a human approves)",
    "get_recommendations": "Read the advisors' recommendations (right-size, scale, idle)",
    "propose_recommendation": "Propose an advisor's recommendation (a human approves)",
}
# Reading the store; nothing changes.
READ_ONLY = ToolAnnotations(read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=False)
# Writes a proposal (and plans against the cloud); changes no infrastructure: people approve and apply.
PROPOSES = ToolAnnotations(read_only_hint=False, destructive_hint=False, idempotent_hint=False, open_world_hint=True)


def _hidden_values(given: Any, shown: Any) -> set[str]:
    """The values redaction replaced (to keep them out of error messages too)."""
    if shown == REDACTED and given != REDACTED and given is not None:
        return {json.dumps(given) if not isinstance(given, str) else given}
    if isinstance(given, dict) and isinstance(shown, dict):
        return {v for k in given if k in shown for v in _hidden_values(given[k], shown[k])}
    if isinstance(given, list) and isinstance(shown, list):
        return {v for g, s in zip(given, shown, strict=False) for v in _hidden_values(g, s)}
    return set()


def _scrub(text: str, secrets: set[str]) -> str:
    for secret in sorted(secrets, key=len, reverse=True):
        if secret:
            text = text.replace(secret, REDACTED)
    return text


def _error_result(body: dict[str, Any]) -> CallToolResult:
    return CallToolResult(content=[TextContent(type="text", text=json.dumps(body, indent=2))], is_error=True)


def _caller(context: Context[None, Any] | None) -> Identity | None:
    """The identity the HTTP endpoint authenticated for this call's request; None over stdio."""
    try:
        request = context.request_context.request if context is not None else None
    except ValueError:  # a context outside a request
        return None
    state = getattr(request, "scope", {}).get("state", {}) if request is not None else {}
    identity = state.get("identity")
    return identity if isinstance(identity, Identity) else None


class InfraplaneServer(MCPServer[None]):
    """An MCPServer that audits every tool call and lists each published blueprint version as a resource."""

    def __init__(self, container: Container, tools: AgentTools, per_request_identity: bool = False) -> None:
        self._container = container
        self._tools = tools
        self._calls = anyio.Lock()
        # Over HTTP every call must name its identity; a call without one is refused, never run as a default.
        self._per_request_identity = per_request_identity

        @asynccontextmanager
        async def warm(_: MCPServer[None]) -> AsyncIterator[None]:
            # Open the store (migrations) and the catalog before requests arrive in parallel threads.
            await anyio.to_thread.run_sync(lambda: (container.store, container.catalog))
            yield None

        super().__init__(
            name="infraplane",
            title="infraplane",
            description="Environment-orchestration control plane: agents read the catalog and propose changes.",
            instructions=INSTRUCTIONS,
            version=infraplane.__version__,
            log_level="WARNING",
            lifespan=warm,
        )

    async def call_tool(
        self, name: str, arguments: dict[str, Any], context: Context[None, Any] | None = None
    ) -> CallToolResult | InputRequiredResult:
        """Run a tool; every outcome is audited, and every anticipated failure is a JSON tool error."""
        caller = _caller(context)
        if caller is None and self._per_request_identity:
            return _error_result({"error": "unauthenticated", "message": "this call carries no token's identity"})
        actor = caller.actor if caller is not None else self._tools.agent
        async with self._calls:
            with self._tools.acting_for(caller):
                try:
                    result = await super().call_tool(name, arguments, context)
                except UnexpectedToolError:
                    await self._audit(actor, name, arguments, "internal error (see the server's log)", None)
                    raise
                except ToolError as exc:
                    body = await self._failure(name, exc)
                    proposal = body.get("proposal")
                    await self._audit(actor, name, arguments, body["message"], proposal.get("id") if proposal else None)
                    return _error_result(body)
            if isinstance(result, CallToolResult):
                structured = result.structured_content or {}
                made = structured.get("id") if name in PROPOSING_TOOLS else None
                await self._audit(actor, name, arguments, "tool error" if result.is_error else None, made)
            return result

    async def _failure(self, name: str, exc: ToolError) -> dict[str, Any]:
        cause = exc.__cause__
        if isinstance(cause, ToolFailure):
            return cause.body
        tools = {tool.name: tool for tool in await self.list_tools()}
        if isinstance(cause, ValidationError):
            return argument_failure(name, cause, tools[name].input_schema if name in tools else None)
        if name not in tools:
            return {
                "error": "unknown_tool",
                "message": f"no tool named {name!r}; tools: {', '.join(sorted(tools))}",
                "next": "use one of the tools listed; no tool approves or applies: people do that",
            }
        return {"error": "tool_error", "message": str(exc)}

    async def _audit(
        self, actor: Actor, tool: str, arguments: dict[str, Any], error: str | None, proposal: Any
    ) -> None:
        def write() -> None:
            sensitive = {n for v in self._container.catalog.all_versions() for n in v.blueprint.sensitive_inputs()}
            shown = redact(arguments, sensitive)
            payload: dict[str, Any] = {"tool": tool, "arguments": shown, "ok": error is None}
            if error is not None:
                # A validation message may quote the value it refused; a secret's value stays out of the log.
                payload["error"] = _scrub(error, _hidden_values(arguments, shown))
            if isinstance(proposal, str):
                payload["proposal"] = proposal
            with self._container.store.transaction() as tx:
                record(tx, actor, "mcp.call", f"mcp:{tool}", payload, sensitive)

        await anyio.to_thread.run_sync(write)

    async def list_resources(self) -> list[MCPResource]:
        """The static resources, then one resource per published blueprint version."""
        listed = await super().list_resources()
        versions = await anyio.to_thread.run_sync(self._container.catalog.all_versions)
        for version in sorted(versions, key=lambda v: v.ref):
            meta = version.blueprint.metadata
            listed.append(
                MCPResource(
                    uri=blueprint_uri(version),
                    name=version.ref,
                    title=f"blueprint {version.ref}" + (" (deprecated)" if version.deprecated else ""),
                    description=f"{meta.description} Inputs as JSON Schema, outputs, compliance.",
                    mime_type="application/json",
                )
            )
        return listed


def _register_resources(server: InfraplaneServer, container: Container) -> None:
    @server.resource(
        CATALOG_URI,
        name="catalog",
        title="The blueprint catalog",
        description="Every published blueprint version: name, version, description, labels, deprecated, uri.",
        mime_type="application/json",
    )
    def catalog() -> str:
        versions = container.catalog.all_versions()
        return json.dumps(
            [
                {
                    "name": v.name,
                    "version": v.version,
                    "description": v.blueprint.metadata.description,
                    "labels": list(v.blueprint.metadata.labels),
                    "deprecated": v.deprecated,
                    "uri": blueprint_uri(v),
                }
                for v in sorted(versions, key=lambda v: v.ref)
            ],
            indent=2,
        )

    @server.resource(
        BLUEPRINT_URI,
        name="blueprint",
        title="A blueprint version",
        description="One published blueprint version: inputs as JSON Schema, required inputs, outputs, compliance.",
        mime_type="application/json",
    )
    def blueprint(name: str, version: str) -> str:
        try:
            versions = container.catalog.versions(name)
        except NotFoundError as exc:
            raise ResourceNotFoundError(exc.message) from exc
        chosen = next((v for v in versions if v.version == version), None)
        if chosen is None:
            known = ", ".join(v.version for v in versions)
            raise ResourceNotFoundError(f"{name}@{version} is not published (versions: {known})")
        return json.dumps(blueprint_detail(chosen, versions), indent=2)


def build_server(container: Container, agent: Actor, per_request_identity: bool = False) -> InfraplaneServer:
    """The server for one agent identity: ten tools (none approves or applies), resources, a prompt."""
    tools = AgentTools(container, agent)
    server = InfraplaneServer(container, tools, per_request_identity)
    for name in (*READ_ONLY_TOOLS, *PROPOSING_TOOLS):
        method = getattr(tools, name)
        annotations = READ_ONLY if name in READ_ONLY_TOOLS else PROPOSES
        description = inspect.cleandoc(method.__doc__ or "")
        server.add_tool(method, name=name, title=_TITLES[name], description=description, annotations=annotations)
    _register_resources(server, container)

    @server.prompt(
        name="house_rules",
        title="House rules for agents",
        description="How an agent uses infraplane: catalog only, justify, no secrets, proposals wait for humans.",
    )
    def house_rules() -> str:
        return HOUSE_RULES

    return server


def build_http_server(container: Container) -> InfraplaneServer:
    """The same server for MCP over HTTP: each call acts as the identity of its request's token."""
    return build_server(container, Actor("agent", "mcp-over-http"), per_request_identity=True)


def serve(container: Container, agent: Actor) -> None:
    """Serve over stdio until the client goes away; stdout carries only the protocol."""
    container.settings  # noqa: B018 - a broken config.yaml fails here, before the protocol starts
    server = build_server(container, agent)
    lowlevel = server._lowlevel_server  # the SDK's own stdio runner, with our line gate in front

    async def run(read_stream: Any, write_stream: Any) -> None:
        await lowlevel.run(read_stream, write_stream, lowlevel.create_initialization_options())

    anyio.run(serve_stdio, run, container.settings.limits.document_bytes)
