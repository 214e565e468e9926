"""A whole change over the API on the real tools: request, plan in the background, approve, apply once.

Two applies of the same proposal at the same moment: exactly one runs, the other is 409. A
sensitive input with a random value never comes back in any response, event or audit payload.
"""

from __future__ import annotations

import json
import secrets
import threading
from typing import Any

import pytest

from infraplane.adapters.sandbox.control import SandboxInfo
from tests.interfaces.api.conftest import Api, follow
from tests.support.sandbox import aws


def _two_at_once(api: Api, path: str, who: str) -> list[Any]:
    barrier = threading.Barrier(2)
    responses: list[Any] = []

    def post() -> None:
        barrier.wait()
        responses.append(api.client.post(path, headers=api.headers(who)))

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return responses


def _everything_readable(api: Api, proposal_id: str, environment: str) -> list[str]:
    """The bodies of every read route, as the admin and as the requester see them."""
    paths = [
        "/api/v1/me",
        "/api/v1/environments",
        f"/api/v1/environments/{environment}",
        f"/api/v1/environments/{environment}/graph",
        f"/api/v1/environments/{environment}/revisions",
        f"/api/v1/environments/{environment}/components/keeper/states",
        "/api/v1/proposals",
        f"/api/v1/proposals/{proposal_id}",
        f"/api/v1/proposals/{proposal_id}/events",
        "/api/v1/audit?limit=500",
        "/api/v1/audit/export",
    ]
    bodies = []
    for who in ("admin", "requester"):
        for path in paths:
            response = api.client.get(path, headers=api.headers(who))
            assert response.status_code == 200, (path, response.text)
            bodies.append(response.text)
    return bodies


@pytest.mark.slow
def test_request_approve_and_two_applies_at_once_apply_once_and_leak_no_secret(
    cloud_api: Api, sandbox: SandboxInfo
) -> None:
    api = cloud_api
    canary = "canary-" + secrets.token_hex(12)
    environment = {
        "apiVersion": "infraplane.dev/v1",
        "kind": "Environment",
        "metadata": {"name": "payments-vault", "team": "payments", "tier": "staging"},
        "spec": {"blueprint": "secret-parameter", "inputs": {"secret_value": canary}},
    }
    seen: list[str] = []

    created = api.client.post(
        "/api/v1/proposals",
        json={"environment": environment, "justification": "payments keep a key"},
        headers=api.headers("requester"),
    )
    assert created.status_code == 202, created.text
    seen.append(created.text)
    proposal_id = created.json()["id"]
    planning = follow(api, proposal_id, "requester")
    seen.append(json.dumps(planning))
    assert planning[-1]["event"] == "result" and planning[-1]["changes"] is True, planning

    shown = api.client.get(f"/api/v1/proposals/{proposal_id}", headers=api.headers("requester"))
    seen.append(shown.text)
    proposal = shown.json()
    assert (proposal["environment"], proposal["kind"], proposal["actor"]["id"]) == (
        "payments-vault",
        "create",
        "requester",
    )
    if proposal["status"] == "pending":
        own = api.client.post(f"/api/v1/proposals/{proposal_id}/approve", headers=api.headers("requester"))
        assert own.status_code == 403  # a requester is no approver (and may not approve their own)
        approved = api.client.post(
            f"/api/v1/proposals/{proposal_id}/approve", json={"comment": "ok"}, headers=api.headers("approver")
        )
        seen.append(approved.text)
        assert approved.status_code == 200, approved.text
        proposal = approved.json()
    assert proposal["status"] == "approved", proposal

    responses = _two_at_once(api, f"/api/v1/proposals/{proposal_id}/apply", "approver")
    seen.extend(r.text for r in responses)
    assert sorted(r.status_code for r in responses) == [202, 409], [r.text for r in responses]
    refused = next(r for r in responses if r.status_code == 409).json()["error"]
    assert refused["code"] in ("refused", "illegal_transition"), refused

    applying = follow(api, proposal_id, "approver")
    seen.append(json.dumps(applying))
    assert applying[-1] == {**applying[-1], "event": "result", "status": "applied"}, applying[-1]
    assert any(e["event"] == "component" and e.get("status") == "applied" for e in applying), applying
    starts = api.container.audit.events(action="proposal.apply.start")
    assert [e.subject for e in starts] == [f"proposal:{proposal_id}"]  # exactly one apply ran

    again = api.client.post(f"/api/v1/proposals/{proposal_id}/apply", headers=api.headers("approver"))
    assert again.status_code == 409  # applied: the lifecycle refuses another start

    parameters = aws(sandbox, "ssm").describe_parameters()["Parameters"]
    assert any("payments-vault" in p["Name"] for p in parameters), parameters

    # The same request again: nothing to change, so no proposal; its id says so when asked.
    body = {"environment": environment, "justification": "again"}
    same = api.client.post("/api/v1/proposals", json=body, headers=api.headers("requester"))
    assert same.status_code == 202, same.text
    assert follow(api, same.json()["id"], "requester")[-1]["changes"] is False
    unmade = api.client.get(f"/api/v1/proposals/{same.json()['id']}", headers=api.headers("requester"))
    seen.append(unmade.text)
    assert unmade.status_code == 404 and "no proposal was made: nothing to change" in unmade.text, unmade.text
    verified = api.client.get("/api/v1/audit/verify", headers=api.headers("admin")).json()
    assert verified["verified"] is True

    seen.extend(_everything_readable(api, proposal_id, "payments-vault"))
    leaks = [body[:200] for body in seen if canary in body]
    assert leaks == [], "the sensitive input came back"
    payloads = [json.dumps(e.as_dict()) for e in api.container.audit.events()]
    assert not [p for p in payloads if canary in p], "the sensitive input is in an audit payload"
