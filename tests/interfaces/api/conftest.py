"""The real app over a real store in a temporary INFRAPLANE_HOME, with real tokens of every role."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from infraplane.core.approval import Approval, decide
from infraplane.core.audit import Actor
from infraplane.core.identity import Identity, Role
from infraplane.core.proposal_lifecycle import ProposalStatus
from infraplane.core.proposals import Proposal, ProposalKind
from infraplane.core.records import EnvironmentRecord
from infraplane.interfaces.api import create_app
from infraplane.interfaces.container import Container
from infraplane.settings import load_settings
from tests.support.proposals import build_proposal

ADMIN = Actor("human", "root")
ONE_APPROVAL = ({"rule": "T-1", "count": 1, "group": "", "reason": "one person looks"},)

# name: (role, teams, agent); "payments" is the team under test, "shop" the other one.
IDENTITIES: dict[str, tuple[Role, tuple[str, ...], bool]] = {
    "admin": (Role.ADMIN, (), False),
    "viewer": (Role.VIEWER, ("payments",), False),
    "requester": (Role.REQUESTER, ("payments",), False),
    "approver": (Role.APPROVER, ("payments",), False),
    "agent": (Role.REQUESTER, ("payments",), True),
    "agent-admin": (Role.ADMIN, ("payments",), True),
    "shop-approver": (Role.APPROVER, ("shop",), False),
}


@dataclass
class Api:
    """The app, a client, and a token secret per identity name."""

    container: Container
    client: TestClient
    secrets: dict[str, str] = field(default_factory=dict)

    def headers(self, name: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.secrets[name]}"}

    def token(self, name: str, role: Role, teams: tuple[str, ...] = (), agent: bool = False) -> str:
        _, secret = self.container.tokens.create(name, role, teams, agent, timedelta(days=1), ADMIN)
        self.secrets[name] = secret
        return secret

    def identity(self, name: str) -> Identity:
        return self.container.tokens.get(name).identity

    def add_environment(self, name: str, team: str, target: str = "sandbox") -> EnvironmentRecord:
        record = EnvironmentRecord(
            name=name,
            team=team,
            tier="dev",
            owner=team,
            blueprint="marker@1.0.0",
            target=target,
            ttl=None,
            status="ready",
            current_revision=0,
        )
        with self.container.store.transaction() as tx:
            tx.environments.save(record)
        return record

    def add_proposal(
        self,
        proposal_id: str,
        environment: str,
        team: str,
        status: ProposalStatus = ProposalStatus.PENDING,
        kind: ProposalKind = "create",
    ) -> Proposal:
        """A proposal by carol (no identity here) needing one approval from any person (dave's, when approved)."""
        base = build_proposal(proposal_id, status, timedelta(days=3650), ONE_APPROVAL)
        proposal = replace(
            base,
            environment=environment,
            team=team,
            tier="dev",
            kind=kind,
            actor=Actor("human", "carol"),
            decision=decide(ONE_APPROVAL, [], ["infraplane-approval@1.0.0"]),
        )
        with self.container.store.transaction() as tx:
            tx.proposals.save(proposal)
            if status is ProposalStatus.APPROVED:
                tx.proposals.add_approval(proposal.id, Approval("dave", proposal.created_at, proposal.plan_digest, ""))
        return proposal


def serve(home: Path, make_tokens: bool = True) -> Iterator[Api]:
    """The app over `home`, with a token for every identity of IDENTITIES (unless they exist already)."""
    container = Container(load_settings(home=home))
    app = create_app(container)
    with TestClient(app, raise_server_exceptions=False) as client:
        api = Api(container, client)
        for name, (role, teams, agent) in IDENTITIES.items() if make_tokens else ():
            api.token(name, role, teams, agent)
        yield api
    app.state.runs.shutdown(wait=True)
    container.close()


@pytest.fixture
def api(published_home: Path) -> Iterator[Api]:
    """The app over a home with the example and test catalogs published (no sandbox: nothing is applied)."""
    yield from serve(published_home)


@pytest.fixture
def cloud_api(cloud_home: Path) -> Iterator[Api]:
    """The app over a home that applies to the session's sandbox cloud."""
    yield from serve(cloud_home)


def follow(api: Api, proposal_id: str, who: str) -> list[dict[str, Any]]:
    """Every event of the proposal's current run, read from its server-sent event stream to the end."""
    events = []
    with api.client.stream("GET", f"/api/v1/proposals/{proposal_id}/events", headers=api.headers(who)) as response:
        assert response.status_code == 200, response.read()
        assert response.headers["content-type"].startswith("text/event-stream")
        for line in response.iter_lines():
            if line.startswith("data: "):
                events.append(json.loads(line[len("data: ") :]))
    return events
