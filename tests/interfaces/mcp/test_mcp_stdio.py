"""`infraplane mcp` over stdio, driven by the MCP SDK's own client as an agent's client would drive it."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from mcp import ClientSession, StdioServerParameters
from mcp.client.session import IncomingMessage
from mcp.client.stdio import stdio_client
from mcp.types import CallToolResult, TextContent

from tests.support.cli import run_cli

pytestmark = pytest.mark.anyio

TOOLS = {
    "search_catalog",
    "get_blueprint",
    "list_environments",
    "get_environment",
    "get_proposal",
    "explain_finding",
    "request_environment",
    "propose_change",
    "get_recommendations",
    "propose_recommendation",
}
PROPOSING = {"request_environment", "propose_change", "propose_recommendation"}


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@asynccontextmanager
async def agent_session(home: Path, stream_faults: list[Exception]) -> AsyncIterator[ClientSession]:
    """`infraplane mcp --agent claude` as a subprocess; lines on its stdout that are not JSON-RPC land in faults."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("INFRAPLANE_")}
    environment["INFRAPLANE_HOME"] = str(home)
    params = StdioServerParameters(
        command=sys.executable, args=["-m", "infraplane", "mcp", "--agent", "claude"], env=environment
    )

    async def on_message(message: IncomingMessage) -> None:
        if isinstance(message, Exception):
            stream_faults.append(message)

    with (home.parent / "mcp-server.log").open("a") as errlog:
        async with (
            stdio_client(params, errlog=errlog) as (read, write),
            ClientSession(read, write, message_handler=on_message) as session,
        ):
            await session.initialize()
            yield session


async def call(session: ClientSession, tool: str, **arguments: Any) -> tuple[bool, dict[str, Any]]:
    """(is_error, the JSON the agent reads) of one tool call."""
    result = await session.call_tool(tool, arguments)
    assert isinstance(result, CallToolResult)
    text = result.content[0]
    assert isinstance(text, TextContent)
    return bool(result.is_error), json.loads(text.text)


def mcp_calls(home: Path) -> list[dict[str, Any]]:
    log = run_cli(home, "audit", "log", "--json", "--action", "mcp.call")
    assert log.exit_code == 0, log.stderr
    return [e for e in log.json() if e["action"] == "mcp.call"]


async def test_an_agent_reads_the_catalog_and_finds_no_way_to_approve_or_apply(cloud_home: Path) -> None:
    faults: list[Exception] = []
    async with agent_session(cloud_home, faults) as session:
        tools = {tool.name: tool for tool in (await session.list_tools()).tools}
        assert set(tools) == TOOLS
        assert not [name for name in tools if "approve" in name or "apply" in name]
        for name, tool in tools.items():
            hints = tool.annotations
            assert hints is not None and tool.description
            if name in PROPOSING:
                assert (hints.read_only_hint, hints.destructive_hint, hints.idempotent_hint) == (False, False, False)
                assert "only proposes" in tool.description and "human" in tool.description
            else:
                assert hints.read_only_hint is True, name

        failed, found = await call(session, "search_catalog", query="postgres database")
        assert not failed and found["results"][0]["name"] == "postgres"
        assert {"name", "version", "description", "score", "labels"} <= set(found["results"][0])

        failed, stack = await call(session, "get_blueprint", name="service-stack")
        assert not failed
        assert stack["inputs"]["properties"]["db_size"]["enum"] == ["small", "medium", "large"]
        assert stack["inputs"]["properties"]["db_size"]["default"] == "small"
        assert stack["required"] == ["service"] and stack["versions"] == [{"version": "1.0.0", "deprecated": False}]
        assert stack["compliance"] == {"data_classification": "confidential"}

        failed, rule = await call(session, "explain_finding", rule="net-002")
        assert not failed and rule["rule"] == "NET-002" and rule["severity"] == ["deny"]
        assert "0.0.0.0/0" in rule["checks"] and "bastion" in rule["how_to_fix"]
        failed, rule = await call(session, "explain_finding", rule="APR-003")
        assert not failed and rule["kind"] == "approval rule" and "agent" in " ".join(rule["why"])
        failed, unknown = await call(session, "explain_finding", rule="NOPE-001")
        assert failed and unknown["problems"][0]["field"] == "rule"
        assert "NET-001" in unknown["message"] and "APR-003" in unknown["message"]

        failed, refused = await call(session, "approve_proposal", proposal_id="p-0")
        assert failed and refused["error"] == "unknown_tool"

        resources = {str(r.uri) for r in (await session.list_resources()).resources}
        assert {"infraplane://blueprints", "infraplane://blueprints/queue/1.1.0"} <= resources
        assert "infraplane://blueprints/service-stack/1.0.0" in resources
        read = await session.read_resource("infraplane://blueprints/queue/1.1.0")
        queue = json.loads(read.contents[0].text)  # type: ignore[union-attr]
        assert queue["inputs"]["properties"]["retention_days"]["maximum"] == 14

        prompts = {p.name for p in (await session.list_prompts()).prompts}
        assert prompts == {"house_rules"}
        rules = await session.get_prompt("house_rules")
        text = rules.messages[0].content.text  # type: ignore[union-attr]
        assert "secrets" in text and "approve" in text and "justification" in text
    assert faults == []


async def test_a_requested_environment_is_a_proposal_waiting_for_a_human(cloud_home: Path) -> None:
    faults: list[Exception] = []
    async with agent_session(cloud_home, faults) as session:
        failed, proposal = await call(
            session,
            "request_environment",
            name="shop-jobs-staging",
            blueprint="queue",
            tier="staging",
            team="shop",
            inputs={"retention_days": 7},
            justification="the shop service needs a job queue in staging to test background exports",
        )
        assert not failed, proposal
        assert proposal["status"] == "pending" and proposal["kind"] == "create"
        assert proposal["actor"] == {"kind": "agent", "id": "claude"}
        assert any("APR-003" in m for m in proposal["missing"]) and any("APR-001" in m for m in proposal["missing"])
        assert proposal["summary"]["add"] > 0 and proposal["diff"]
        assert "agents cannot approve or apply" in proposal["next"]

        failed, again = await call(session, "get_proposal", proposal_id=proposal["id"])
        assert not failed and again["id"] == proposal["id"] and again["status"] == "pending"
        assert again["missing"] == proposal["missing"]

        failed, listed = await call(session, "list_environments")
        assert not failed
        assert {"name": "shop-jobs-staging", "status": "proposed", "open_proposals": 1} in listed["environments"]
        failed, proposed = await call(session, "get_environment", name="shop-jobs-staging")
        assert not failed and proposed["status"] == "proposed"
        assert [p["id"] for p in proposed["open_proposals"]] == [proposal["id"]]
    assert faults == [], "something other than JSON-RPC reached stdout while planning"

    calls = mcp_calls(cloud_home)
    assert [c["payload"]["tool"] for c in calls] == [
        "request_environment",
        "get_proposal",
        "list_environments",
        "get_environment",
    ]
    assert all(c["actor"] == {"kind": "agent", "id": "claude"} for c in calls)
    assert calls[0]["payload"]["ok"] is True and calls[0]["payload"]["proposal"] == proposal["id"]
    assert calls[0]["payload"]["arguments"]["inputs"] == {"retention_days": 7}
    assert run_cli(cloud_home, "audit", "verify").exit_code == 0

    shown = run_cli(cloud_home, "proposal", "show", proposal["id"], "--json")
    assert shown.json()["status"] == "pending"


async def test_bad_requests_are_tool_errors_an_agent_can_act_on(cloud_home: Path) -> None:
    faults: list[Exception] = []
    request = {"name": "shop-staging", "tier": "staging", "team": "shop", "justification": "shop needs a stack"}
    async with agent_session(cloud_home, faults) as session:
        failed, error = await call(
            session,
            "request_environment",
            blueprint="service-stack",
            inputs={"service": "shop", "db_size": "huge"},
            **request,
        )
        assert failed and error["error"] == "invalid_input"
        problem = error["problems"][0]
        assert problem["field"] == "inputs.db_size"
        assert problem["allowed"] == ["small", "medium", "large"]
        assert "small" in problem["reason"] and "large" in problem["reason"]

        failed, error = await call(session, "request_environment", blueprint="postgress", **request)
        assert failed and error["problems"][0]["field"] == "blueprint"
        assert error["problems"][0]["closest"][0] == "postgres"

        failed, error = await call(
            session, "request_environment", **{**request, "blueprint": "queue", "justification": " "}
        )
        assert failed and error["problems"][0]["field"] == "justification"
        without = {k: v for k, v in request.items() if k != "justification"}
        failed, error = await call(session, "request_environment", blueprint="queue", **without)
        assert failed and error["error"] == "invalid_arguments"
        assert (error["problems"][0]["field"], error["problems"][0]["reason"]) == ("justification", "is required")

        failed, error = await call(
            session, "propose_change", environment="shop-staging", change="apply", justification="x"
        )
        assert failed and error["problems"][0]["field"] == "change"
        assert error["problems"][0]["allowed"] == ["update", "upgrade", "destroy", "rollback", "drift-revert"]

        failed, listed = await call(session, "list_environments")
        assert not failed and listed["environments"] == []
        assert run_cli(cloud_home, "proposal", "list", "--json").json() == [], "a refused request created something"

        # A plan the guardrails deny: the proposal is recorded as blocked, the agent gets the findings.
        failed, error = await call(session, "request_environment", blueprint="open-ssh", **{**request, "name": "ssh"})
        assert failed and error["error"] == "policy_denied" and error["proposal"]["status"] == "blocked"
        finding = next(f for f in error["findings"] if f["rule"] == "NET-002")
        assert "0.0.0.0/0" in finding["message"] and finding["remediation"]
    assert faults == []

    calls = mcp_calls(cloud_home)
    assert [c["payload"]["ok"] for c in calls] == [False, False, False, False, False, True, False]
    assert all(c["actor"] == {"kind": "agent", "id": "claude"} for c in calls)
    assert "db_size" in calls[0]["payload"]["error"]
    assert calls[-1]["payload"]["proposal"] == error["proposal"]["id"]
    assert run_cli(cloud_home, "audit", "verify").exit_code == 0
