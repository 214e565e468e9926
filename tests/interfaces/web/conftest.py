"""The real app over a real store, signed in through the web page's own sign-in form."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from infraplane.core.approval import Approval
from infraplane.core.audit import utc_timestamp
from infraplane.core.proposal_lifecycle import ProposalStatus
from infraplane.core.records import ComponentRecord, RevisionRecord
from tests.interfaces.api.conftest import Api, serve

CSRF = re.compile(r'name="csrf" value="([^"]+)"')
SECRET_OUTPUT = "canary-output-7f3a9c"  # a sensitive output's value: no page may show it


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, html[:500]
    return found.group(1)


def sign_in(api: Api, who: str) -> TestClient:
    """A browser of its own (cookies apart) signed in as `who` through /login."""
    browser = TestClient(api.client.app, raise_server_exceptions=False)
    form = browser.get("/login")
    response = browser.post(
        "/login", data={"token": api.secrets[who], "csrf": csrf_of(form.text), "next": "/"}, follow_redirects=False
    )
    assert response.status_code == 303, response.text
    return browser


@pytest.fixture
def web(published_home: Path) -> Iterator[Api]:
    yield from serve(published_home)


@pytest.fixture
def cloud_web(cloud_home: Path) -> Iterator[Api]:
    """The app over a home that applies to the session's sandbox cloud."""
    yield from serve(cloud_home)


def _document(api: Api, name: str, team: str, value: str) -> dict[str, object]:
    environment = {
        "apiVersion": "infraplane.dev/v1",
        "kind": "Environment",
        "metadata": {"name": name, "team": team, "tier": "dev"},
        "spec": {"blueprint": "marker@1.0.0", "inputs": {"value": value}},
    }
    return api.container.environments.resolve_document(environment, "test").revision_document()


def applied_environment(api: Api, name: str, team: str = "payments") -> None:
    """An environment with one live component (a sensitive output among its outputs) and two revisions,
    the second applied by a proposal that carol made and dave and erin approved."""
    env = replace(api.add_environment(name, team), current_revision=2)
    component = ComponentRecord(
        name,
        "marker",
        "marker@1.0.0",
        "sha256:x",
        "script",
        "applied",
        outputs={"parameter_name": f"/markers/{name}/marker", "value": SECRET_OUTPUT},
        sensitive_outputs=frozenset({"value"}),
    )
    proposal = api.add_proposal(f"p-{name}-2", name, team, ProposalStatus.APPROVED, kind="update")
    now = utc_timestamp()
    documents = {number: _document(api, name, team, value) for number, value in ((1, "one"), (2, "two"))}
    with api.container.store.transaction() as tx:
        tx.environments.save(env)
        tx.environments.save_component(component)
        for number, document in documents.items():
            tx.environments.add_revision(RevisionRecord(name, number, document, now, "human:dave"))
        tx.proposals.save(replace(proposal, status=ProposalStatus.APPLIED, applied_revision=2, justification="two"))
    with api.container.store.transaction() as tx:
        tx.proposals.add_approval(proposal.id, Approval("erin", now, proposal.plan_digest, ""))
