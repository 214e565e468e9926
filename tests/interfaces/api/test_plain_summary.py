"""The plain-words summary heads a proposal everywhere the server shows one: REST, the web page and MCP."""

from __future__ import annotations

import html
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from infraplane.core.approval import approval_state
from infraplane.core.identity import Role
from infraplane.core.proposals import Proposal
from infraplane.core.summary import plain_summary
from infraplane.interfaces.api import create_app
from tests.interfaces.api.conftest import Api, serve
from tests.interfaces.api.test_mcp_http import agent, body, running, token
from tests.interfaces.web.conftest import sign_in
from tests.support.summary_cases import CASES


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Api, Proposal]]:
    """The app over a fresh home holding the service-stack upgrade proposal (team payments), never expiring."""
    for api in serve(tmp_path / "home"):
        proposal = replace(CASES["service-stack-upgrade"](), expires_at="2099-01-01T00:00:00.000000Z")
        with api.container.store.transaction() as tx:
            tx.proposals.save(proposal)
        yield api, proposal


def _expected(proposal: Proposal) -> str:
    return plain_summary(proposal, approval_state(proposal.decision, (), proposal.plan_digest, {}))


def test_rest_and_the_web_page_lead_with_the_summary(served: tuple[Api, Proposal]) -> None:
    api, proposal = served
    shown = api.client.get(f"/api/v1/proposals/{proposal.id}", headers=api.headers("viewer"))
    assert shown.status_code == 200 and shown.json()["plain_summary"] == _expected(proposal)
    schema = api.client.get("/api/v1/openapi.json").json()["components"]["schemas"]["ProposalOut"]
    assert "plain_summary" in schema["required"]

    page = sign_in(api, "viewer").get(f"/proposals/{proposal.id}").text
    lead = f'<p class="lead">{html.escape(_expected(proposal), quote=True)}</p>'
    assert lead in page.replace("&#x27;", "&#39;")
    assert page.index(lead) < page.index("aws_db_instance.this</")  # above the diff


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_an_agent_reads_the_summary_over_mcp(served: tuple[Api, Proposal], anyio_backend: str) -> None:
    api, proposal = served
    secret = token(api.container, "claude", Role.REQUESTER, ("payments",))
    async with running(create_app(api.container)) as client, agent(client, secret) as session:
        view = body(await session.call_tool("get_proposal", {"proposal_id": proposal.id}))
    assert view["plain_summary"] == _expected(proposal)
