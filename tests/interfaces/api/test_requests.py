"""Bad requests get a JSON error naming the field (never a traceback); lists page with a cursor."""

from __future__ import annotations

from typing import Any
from unittest.mock import ANY

import pytest

from tests.interfaces.api.conftest import Api, follow


def _error(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    error: dict[str, Any] = response.json()["error"]
    assert set(error) >= {"code", "message", "field"}
    return error


def test_a_body_over_the_limit_is_413_before_it_is_read(api: Api) -> None:
    limit = api.container.settings.limits.document_bytes
    body = b'{"reason": "' + b"x" * limit + b'"}'
    response = api.client.post(
        "/api/v1/proposals/p-0000000001/reject",
        content=body,
        headers={**api.headers("approver"), "Content-Type": "application/json"},
    )
    error = _error(response, 413)
    assert (error["code"], error["field"]) == ("too_large", "body")
    assert "limits.document_bytes" in error["message"]


def test_a_streamed_body_over_the_limit_is_413_too(api: Api) -> None:
    limit = api.container.settings.limits.document_bytes

    def chunks() -> Any:
        for _ in range(limit // 65536 + 2):
            yield b"x" * 65536

    response = api.client.post("/api/v1/cost", content=chunks(), headers=api.headers("viewer"))
    assert _error(response, 413)["code"] == "too_large"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"justification": "neither"}, "environment"),
        ({"environment": {}, "ask": "a queue", "justification": "both"}, "environment"),
        ({"ask": "a queue", "colour": "red"}, "colour"),
        ({"environment": {"kind": "Environment"}, "justification": "no metadata"}, ""),
    ],
)
def test_a_bad_proposal_request_names_the_field(api: Api, body: dict[str, Any], field: str) -> None:
    error = _error(api.client.post("/api/v1/proposals", json=body, headers=api.headers("requester")), 422)
    assert error["code"] == "invalid_input"
    if field:
        assert error["field"] == field, error


def test_an_agent_must_say_why(api: Api) -> None:
    body = {"ask": "a queue for payments"}
    error = _error(api.client.post("/api/v1/proposals", json=body, headers=api.headers("agent")), 422)
    assert error["field"] == "justification"


def test_reject_needs_a_reason_and_bad_json_is_422(api: Api) -> None:
    api.add_environment("payments-dev", "payments")
    api.add_proposal("p-payments00001", "payments-dev", "payments")
    path = "/api/v1/proposals/p-payments00001/reject"
    assert _error(api.client.post(path, json={}, headers=api.headers("approver")), 422)["field"] == "reason"
    broken = api.client.post(
        path, content=b"{not json", headers={**api.headers("approver"), "Content-Type": "application/json"}
    )
    assert _error(broken, 422)["code"] == "invalid_input"


def test_a_bad_plan_upload_names_what_is_wrong(api: Api) -> None:
    error = _error(api.client.post("/api/v1/policy/check", json={"values": {}}, headers=api.headers("viewer")), 422)
    assert error["code"] == "invalid_input"
    assert "plan" in error["message"]


def test_a_bad_archive_is_422_not_500(api: Api) -> None:
    headers = {**api.headers("admin"), "Content-Type": "application/octet-stream"}
    error = _error(api.client.post("/api/v1/blueprints", content=b"not a tarball", headers=headers), 422)
    assert error["field"] == "body"


def test_proposals_page_with_a_cursor(api: Api) -> None:
    api.add_environment("payments-dev", "payments")
    made = [api.add_proposal(f"p-{n:010d}", "payments-dev", "payments").id for n in range(7)]
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        params: dict[str, Any] = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        body = api.client.get("/api/v1/proposals", params=params, headers=api.headers("viewer")).json()
        seen += [p["id"] for p in body["items"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert (sorted(seen), pages) == (sorted(made), 3)
    bad = api.client.get("/api/v1/proposals", params={"cursor": "%%%"}, headers=api.headers("viewer"))
    assert _error(bad, 422)["field"] == "cursor"


def test_a_proposal_being_planned_says_so(api: Api) -> None:
    # The document is valid, so planning starts (and fails in the background: no sandbox here).
    environment = {
        "apiVersion": "infraplane.dev/v1",
        "kind": "Environment",
        "metadata": {"name": "payments-note", "team": "payments", "tier": "dev"},
        "spec": {"blueprint": "marker", "inputs": {"value": "x"}},
    }
    created = api.client.post(
        "/api/v1/proposals", json={"environment": environment, "justification": "try"}, headers=api.headers("requester")
    )
    assert created.status_code == 202, created.text
    accepted = created.json()
    assert accepted["events"] == f"/api/v1/proposals/{accepted['id']}/events"
    events = follow(api, accepted["id"], "requester")
    assert events[-1]["event"] == "error", events
    assert events[-1]["error"]["code"] == "refused" and "sandbox" in events[-1]["error"]["message"]

    # The id was handed out, so asking for it later says why there is no proposal (from the audit trail:
    # a team-mode worker ran the plan on another machine, or this server restarted since).
    path = f"/api/v1/proposals/{accepted['id']}"
    error = _error(api.client.get(path, headers=api.headers("requester")), 404)
    assert "no proposal was made: its plan failed (refused)" in error["message"], error
    assert "sandbox" in error["message"]
    api.client.app.state.runs._channels.clear()  # as on a server that did not run the plan
    assert follow(api, accepted["id"], "requester") == [{**events[-1], "time": ANY, "run": "plan"}]
    # Another team's identity learns nothing.
    hidden = _error(api.client.get(path, headers=api.headers("shop-approver")), 404)
    assert "sandbox" not in hidden["message"]
    ended = [e for e in api.container.audit.events(action="proposal.none") if e.subject == f"proposal:{accepted['id']}"]
    assert [(e.actor.id, e.payload["code"], e.payload["team"]) for e in ended] == [("requester", "refused", "payments")]


def test_plain_words_become_a_proposal_or_a_question(api: Api) -> None:
    headers = api.headers("requester")
    asked = api.client.post(
        "/api/v1/proposals",
        json={"ask": "a message queue for the payments service in dev", "justification": "jobs"},
        headers=headers,
    )
    assert asked.status_code == 202, asked.text
    assert asked.json()["run"] == "plan"
    vague = api.client.post("/api/v1/proposals", json={"ask": "something", "justification": "?"}, headers=headers)
    error = _error(vague, 422)
    assert (error["code"], error["field"]) == ("clarification_needed", "ask")
    assert error["clarification"]["question"] == error["message"] and error["clarification"]["options"]
    # The token's one team is the team when the words name none.
    queue = api.client.post("/api/v1/proposals", json={"ask": "a queue", "justification": "jobs"}, headers=headers)
    assert queue.status_code == 202, queue.text


def test_the_root_is_the_web_page_and_the_api_docs_stay_at_docs(api: Api) -> None:
    response = api.client.get("/", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/login?next=%2F"
    assert api.client.get("/docs").status_code == 200


def test_reading_another_teams_environment_is_422_naming_the_field_and_not_its_name(api: Api) -> None:
    api.add_environment("shop-network", "shop")  # another team's: the payments requester may not read it
    body = {
        "environment": {
            "apiVersion": "infraplane.dev/v1",
            "kind": "Environment",
            "metadata": {"name": "pay-app", "team": "payments"},
            "spec": {"blueprint": "marker@^1", "inputs": {"value": "${environments.shop-network.outputs.id}"}},
        },
        "justification": "reads the shop's network",
    }
    error = _error(api.client.post("/api/v1/proposals", json=body, headers=api.headers("requester")), 422)
    assert error["field"] == "spec.inputs.value"
    assert "no environment named 'shop-network' that requester may read" in error["message"]
    unknown = {
        **body,
        "environment": {
            **body["environment"],
            "spec": {"blueprint": "marker@^1", "inputs": {"value": "${environments.nowhere.outputs.id}"}},
        },
    }
    same = _error(api.client.post("/api/v1/proposals", json=unknown, headers=api.headers("requester")), 422)
    assert same["message"].replace("nowhere", "shop-network") == error["message"]  # unknown and hidden read alike
