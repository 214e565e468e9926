"""MCP over streamable HTTP at /mcp: the SDK's own client against the real app, with real tokens."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx2
import pytest
from fastapi import FastAPI
from mcp import ClientSession
from mcp.client.streamable_http import streamable_http_client
from mcp.types import CallToolResult, TextContent

from infraplane.core.audit import Actor, AuditEvent
from infraplane.core.identity import Role
from infraplane.core.records import EnvironmentRecord
from infraplane.interfaces.api import create_app
from infraplane.interfaces.container import Container
from infraplane.interfaces.logging_setup import configure_logging
from infraplane.interfaces.mcp.server import PROPOSING_TOOLS, READ_ONLY_TOOLS
from infraplane.settings import load_settings
from tests.support.proposals import build_proposal

pytestmark = pytest.mark.anyio
ADMIN = Actor("human", "admin")
BASE = "http://testserver"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def container(tmp_path: Path) -> Iterator[Container]:
    made = Container(load_settings(home=tmp_path / "home"))
    yield made
    made.close()


@pytest.fixture
def log_output() -> Iterator[io.StringIO]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    buffer = io.StringIO()
    configure_logging(stream=buffer)
    yield buffer
    root.handlers[:] = handlers
    root.setLevel(level)


def token(container: Container, name: str, role: Role, teams: tuple[str, ...] = (), agent: bool = True) -> str:
    _, secret = container.tokens.create(name, role, teams, agent, None, ADMIN)
    return secret


@asynccontextmanager
async def running(app: FastAPI) -> AsyncIterator[httpx2.AsyncClient]:
    """The app with its lifespan running (as uvicorn runs it) and an HTTP client talking ASGI to it."""
    async with (
        app.router.lifespan_context(app),
        httpx2.AsyncClient(transport=httpx2.ASGITransport(app=app), base_url=BASE) as client,
    ):
        yield client


@asynccontextmanager
async def agent(client: httpx2.AsyncClient, secret: str) -> AsyncIterator[ClientSession]:
    client.headers["Authorization"] = f"Bearer {secret}"
    async with (
        streamable_http_client(f"{BASE}/mcp", http_client=client) as (read, write),
        ClientSession(read, write) as session,
    ):
        await session.initialize()
        yield session


def body(result: CallToolResult) -> dict[str, Any]:
    content = result.content[0]
    assert isinstance(content, TextContent)
    parsed: dict[str, Any] = json.loads(content.text)
    return parsed


def mcp_calls(container: Container) -> list[AuditEvent]:
    with container.store.transaction() as tx:
        return list(tx.audit.events(action="mcp.call"))


def initialize() -> dict[str, Any]:
    return {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}},
    }


async def test_no_token_or_a_bad_one_is_a_401_json_error(container: Container) -> None:
    revoked = token(container, "old-agent", Role.REQUESTER)
    container.tokens.revoke("old-agent", ADMIN)
    headers = [{}, {"Authorization": "Bearer ipl_nonsense"}, {"Authorization": "Basic YTpi"}]
    headers.append({"Authorization": f"Bearer {revoked}"})
    async with running(create_app(container)) as client:
        answers = [await client.post("/mcp", json=initialize(), headers=given) for given in headers]
    for answer in answers:
        assert answer.status_code == 401
        assert answer.json()["error"]["code"] == "unauthenticated"
        assert answer.headers["WWW-Authenticate"].startswith("Bearer")
    assert mcp_calls(container) == []


async def test_a_person_token_is_refused_with_403(container: Container) -> None:
    person = token(container, "alice", Role.ADMIN, agent=False)
    async with running(create_app(container)) as client:
        answer = await client.post("/mcp", json=initialize(), headers={"Authorization": f"Bearer {person}"})
    assert answer.status_code == 403
    error = answer.json()["error"]
    assert error["code"] == "forbidden" and "agent" in error["message"]


async def test_the_stdio_tools_and_every_call_audited_as_the_agent(
    container: Container, log_output: io.StringIO
) -> None:
    secret = token(container, "claude", Role.REQUESTER, ("payments",))
    async with running(create_app(container)) as client, agent(client, secret) as session:
        listed = await session.list_tools()
        names = {tool.name for tool in listed.tools}
        environments = await session.call_tool("list_environments", {})
        missing = await session.call_tool("get_proposal", {"proposal_id": "p-nothere"})

    assert names == set(READ_ONLY_TOOLS) | set(PROPOSING_TOOLS)
    assert not any(word in name for name in names for word in ("approve", "apply", "reject"))
    assert body(environments) == {"environments": []}
    assert missing.is_error and body(missing)["error"] == "not_found"
    calls = mcp_calls(container)
    assert [(e.actor, e.subject, e.payload["ok"]) for e in calls] == [
        (Actor("agent", "claude"), "mcp:list_environments", True),
        (Actor("agent", "claude"), "mcp:get_proposal", False),
    ]
    lines = [json.loads(line) for line in log_output.getvalue().splitlines()]
    requests = [line for line in lines if line["logger"] == "infraplane.api.request"]
    assert requests and {(line["route"], line["actor"]) for line in requests} == {("/mcp", "claude")}
    assert secret not in log_output.getvalue()


def put_environments(container: Container) -> None:
    """Two teams' environments and an open proposal of the other team, as the store holds them."""
    with container.store.transaction() as tx:
        for name, team in (("payments-dev", "payments"), ("orders-prod", "shop")):
            record = EnvironmentRecord(name, team, "dev", "alice", "marker@1.0.0", "sandbox", None, "ready")
            tx.environments.save(record)
        tx.proposals.save(build_proposal("p-0000000abc"))  # orders-prod, team shop


async def test_an_agent_sees_only_its_teams(container: Container) -> None:
    put_environments(container)
    payments = token(container, "claude", Role.REQUESTER, ("payments",))
    async with running(create_app(container)) as client, agent(client, payments) as session:
        listed = body(await session.call_tool("list_environments", {}))
        other = await session.call_tool("get_environment", {"name": "orders-prod"})
        unknown = await session.call_tool("get_environment", {"name": "no-such-env"})
        proposal = await session.call_tool("get_proposal", {"proposal_id": "p-0000000abc"})
        change = await session.call_tool(
            "propose_change", {"environment": "orders-prod", "change": "destroy", "justification": "tidy"}
        )

    assert [env["name"] for env in listed["environments"]] == ["payments-dev"]
    assert other.is_error and unknown.is_error and proposal.is_error and change.is_error
    # Another team's environment reads exactly as an unknown one, and names nothing of that team.
    assert body(other)["error"] == body(unknown)["error"] == "not_found"
    assert body(other)["message"] == body(unknown)["message"].replace("no-such-env", "orders-prod")
    for refused in (other, unknown, proposal, change):
        assert "orders-prod" not in json.dumps(body(refused)).replace("'orders-prod' (", "")
    assert body(proposal)["error"] == "not_found" and body(change)["error"] == "not_found"


async def test_a_viewer_agent_cannot_propose_and_the_refusal_is_audited(container: Container) -> None:
    put_environments(container)
    viewer = token(container, "watcher", Role.VIEWER, ("payments",))
    arguments = {"name": "payments-qa", "blueprint": "marker", "tier": "dev", "justification": "qa", "team": "payments"}
    async with running(create_app(container)) as client, agent(client, viewer) as session:
        refused = await session.call_tool("request_environment", arguments)
        change = await session.call_tool(
            "propose_change", {"environment": "payments-dev", "change": "destroy", "justification": "tidy"}
        )

    assert refused.is_error and body(refused)["error"] == "forbidden"
    assert "viewer" in body(refused)["message"] and "propose needs the requester role" in body(refused)["message"]
    assert change.is_error and body(change)["error"] == "forbidden"
    calls = mcp_calls(container)
    assert [(e.actor.id, e.subject, e.payload["ok"]) for e in calls] == [
        ("watcher", "mcp:request_environment", False),
        ("watcher", "mcp:propose_change", False),
    ]
    with container.store.transaction() as tx:
        assert [p.id for p in tx.proposals.all()] == ["p-0000000abc"]  # nothing was proposed


async def test_an_agent_cannot_request_for_another_team(container: Container) -> None:
    payments = token(container, "claude", Role.REQUESTER, ("payments",))
    arguments = {"name": "shop-qa", "blueprint": "marker", "tier": "dev", "justification": "qa", "team": "shop"}
    async with running(create_app(container)) as client, agent(client, payments) as session:
        refused = await session.call_tool("request_environment", arguments)
    assert refused.is_error and body(refused)["error"] == "forbidden"
    assert "does not act for team shop" in body(refused)["message"]


@pytest.mark.slow
async def test_a_requester_agent_proposes_for_its_team_as_itself(cloud_home: Path) -> None:
    """A real plan (the script runner against the sandbox): the proposal and its audit trail name the agent."""
    container = Container(load_settings(home=cloud_home))
    try:
        secret = token(container, "claude", Role.REQUESTER, ("payments",))
        arguments = {
            "name": "payments-marker",
            "blueprint": "marker",
            "tier": "dev",
            "team": "payments",
            "justification": "a marker for the payments team",
            "inputs": {"value": "hello"},
        }
        async with running(create_app(container)) as client, agent(client, secret) as session:
            made = await session.call_tool("request_environment", arguments)
            assert not made.is_error, body(made)
            proposal = body(made)
            again = await session.call_tool("get_proposal", {"proposal_id": proposal["id"]})

        assert proposal["environment"] == "payments-marker" and proposal["status"] in ("pending", "approved")
        assert body(again)["id"] == proposal["id"]
        with container.store.transaction() as tx:
            stored = tx.proposals.get(proposal["id"])
            created = list(tx.audit.events(action="proposal.create"))
        assert stored is not None and stored.actor == Actor("agent", "claude")
        assert [e.actor for e in created] == [Actor("agent", "claude")]
        calls = mcp_calls(container)
        assert [(e.actor, e.subject, e.payload.get("proposal")) for e in calls] == [
            (Actor("agent", "claude"), "mcp:request_environment", proposal["id"]),
            (Actor("agent", "claude"), "mcp:get_proposal", None),
        ]
    finally:
        container.close()


async def test_an_agent_may_propose_a_drift_revert_and_an_open_one_is_answered(container: Container) -> None:
    from dataclasses import replace
    from datetime import timedelta

    put_environments(container)
    open_revert = replace(
        build_proposal("p-00000revert", expires_in=timedelta(days=3650)),
        environment="payments-dev",
        team="payments",
        kind="drift-revert",
    )
    with container.store.transaction() as tx:
        tx.proposals.save(open_revert)
    payments = token(container, "claude", Role.REQUESTER, ("payments",))
    arguments = {"environment": "payments-dev", "change": "drift-revert", "justification": "the queue moved"}
    async with running(create_app(container)) as client, agent(client, payments) as session:
        proposed = await session.call_tool("propose_change", arguments)
        tools = {tool.name for tool in (await session.list_tools()).tools}
    assert not proposed.is_error, body(proposed)
    assert body(proposed)["id"] == "p-00000revert" and body(proposed)["kind"] == "drift-revert"
    assert not {"approve", "apply", "approve_proposal", "apply_proposal"} & tools  # agents propose; people approve
    assert [p.id for p in container.proposals.proposals("payments-dev")] == ["p-00000revert"]
