"""An environment rolled back from its page, on the real script runner and the sandbox cloud (no browser: TestClient).

A requester creates the environment and changes it through the request form, then proposes a rollback to
revision 1 from the environment page; an approver applies each. The rollback proposal is of kind rollback,
planned in the background under the id the page redirected to, and brings revision 1's value back. The
sensitive output (the value) never shows on the page.
"""

from __future__ import annotations

import secrets

import pytest
from fastapi.testclient import TestClient

from infraplane.core.proposal_lifecycle import ProposalStatus
from tests.interfaces.api.conftest import Api
from tests.interfaces.web.conftest import csrf_of, sign_in


def _follow(browser: TestClient, proposal_id: str) -> list[str]:
    """The run's lines, from the page's live stream, until it ends."""
    lines = []
    with browser.stream("GET", f"/proposals/{proposal_id}/lines") as response:
        assert response.status_code == 200
        for line in response.iter_lines():
            if line.startswith("data: ") and '"line"' in line:
                lines.append(line)
    return lines


def _settle(api: Api, approver: TestClient, proposal_id: str) -> None:
    """Approve (when it waits for people) and apply the proposal from its page, and wait for the apply to end."""
    page = approver.get(f"/proposals/{proposal_id}").text
    if api.container.proposals.get(proposal_id).status is ProposalStatus.PENDING:
        done = approver.post(f"/proposals/{proposal_id}/approve", data={"csrf": csrf_of(page), "apply": "yes"})
    else:
        done = approver.post(f"/proposals/{proposal_id}/apply", data={"csrf": csrf_of(page)})
    assert done.status_code == 200 and "?message=" not in str(done.url), done.text[:500]
    _follow(approver, proposal_id)
    assert api.container.proposals.get(proposal_id).status is ProposalStatus.APPLIED


def _request(api: Api, requester: TestClient, approver: TestClient, value: str) -> None:
    page = requester.get("/catalog/marker")
    data = {"csrf": csrf_of(page.text), "name": "web-rollback", "team": "payments", "tier": "dev", "in.value": value}
    created = requester.post("/catalog/marker/request", data=data, follow_redirects=False)
    assert created.status_code == 303, created.text
    proposal_id = created.headers["location"].removeprefix("/proposals/")
    _follow(requester, proposal_id)
    _settle(api, approver, proposal_id)


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_a_rollback_from_the_environment_page_brings_the_earlier_revision_back(cloud_web: Api) -> None:
    api = cloud_web
    first, second = (f"canary-{n}-{secrets.token_hex(6)}" for n in ("one", "two"))
    requester, approver = sign_in(api, "requester"), sign_in(api, "approver")
    _request(api, requester, approver, first)
    _request(api, requester, approver, second)

    page = requester.get("/environments/web-rollback")
    assert page.status_code == 200 and '<option value="1"' in page.text
    assert first not in page.text and second not in page.text  # the sensitive output stays hidden
    data = {"csrf": csrf_of(page.text), "revision": "1", "justification": "two was wrong"}
    started = requester.post("/environments/web-rollback/rollback", data=data, follow_redirects=False)
    assert started.status_code == 303, started.text
    proposal_id = started.headers["location"].removeprefix("/proposals/")
    lines = _follow(requester, proposal_id)
    assert any("planned: the proposal is" in line for line in lines), lines
    proposal = api.container.proposals.get(proposal_id)
    assert (proposal.kind, proposal.rollback_to, proposal.justification) == ("rollback", 1, "two was wrong")
    _settle(api, approver, proposal_id)

    env, components, _ = api.container.environments.get("web-rollback")
    assert env.current_revision == 3 and components[0].outputs["value"] == first
    history = requester.get("/environments/web-rollback").text
    assert f'href="/proposals/{proposal_id}"' in history and "rollback" in history
    assert first not in history and second not in history
