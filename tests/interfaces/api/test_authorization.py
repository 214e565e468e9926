"""Every route, every role (agent tokens too): only what the role allows succeeds; another team's things are 404.

What each role may do is written here from the issue, not read from core/identity.py, so a change
there that widens a role fails this test. The list of routes is read from the app: a new route
without a case here fails it too.
"""

from __future__ import annotations

import io
import json
import tarfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from infraplane.core.audit import Actor
from infraplane.core.identity import Role
from infraplane.core.proposal_lifecycle import ProposalStatus
from tests.conftest import FIXTURE_CATALOG
from tests.interfaces.api.conftest import IDENTITIES, Api

PLAN = Path(__file__).resolve().parents[2] / "fixtures" / "plans" / "postgres-create.json"
BUNDLES = Path(__file__).resolve().parents[2] / "fixtures" / "bundles"

# From the issue: viewer reads; requester also proposes; approver also approves, rejects (and applies);
# admin also publishes and manages tokens. An agent never approves, rejects or applies, whatever its
# role; nor does it publish or manage tokens (infraplane's decision: either would step around the rule).
# Unmanaged resources belong to no team: only an admin (who sees every team) lists them.
MAY = {
    "viewer": {"read"},
    "requester": {"read", "propose"},
    "approver": {"read", "propose", "approve", "reject", "apply"},
    "admin": {"read", "propose", "approve", "reject", "apply", "publish", "tokens", "inventory"},
}
AGENTS_NEVER = {"approve", "reject", "apply", "publish", "tokens"}


def allowed(name: str, need: str) -> bool:
    role, _, agent = IDENTITIES[name]
    if agent and need in AGENTS_NEVER:
        return False
    return need in MAY[role.label] if need != "any" else True


def sees(name: str, team: str | None) -> bool:
    role, teams, _ = IDENTITIES[name]
    return team is None or role.label == "admin" or team in teams


def _archive(directory: Path) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        tar.add(directory, arcname=".")
    return buffer.getvalue()


def _environment(name: str, team: str) -> dict[str, Any]:
    return {
        "apiVersion": "infraplane.dev/v1",
        "kind": "Environment",
        "metadata": {"name": name, "team": team, "tier": "dev"},
        "spec": {"blueprint": "marker", "inputs": {"value": "hello"}},
    }


@dataclass(frozen=True)
class Case:
    """One request: which route it exercises, what it needs, whose thing it touches, and what success is."""

    method: str
    route: str  # the route's path template, to check every route is covered
    need: str  # "any", "read", "propose", "approve", "reject", "apply", "publish"
    team: str | None  # the team owning what it touches (None: nothing team-owned)
    ok: int
    request: Callable[[Api, str, str], Any]  # (api, identity name, a fresh id) -> response
    # What someone outside `team` gets: 404 (it is hidden); proposing a new environment for a
    # team one is not in is 403, since there is nothing yet to hide.
    outsider: int = 404


def _get(path: str) -> Callable[[Api, str, str], Any]:
    return lambda api, who, fresh: api.client.get(path.format(fresh=fresh), headers=api.headers(who))


def _proposal_case(
    verb: str, need: str, team: str, status: ProposalStatus, body: dict[str, Any] | None, ok: int
) -> Case:
    def request(api: Api, who: str, fresh: str) -> Any:
        env = "payments-dev" if team == "payments" else "shop-dev"
        api.add_proposal(fresh, env, team, status)
        return api.client.post(f"/api/v1/proposals/{fresh}/{verb}", json=body, headers=api.headers(who))

    return Case("POST", f"/api/v1/proposals/{{proposal_id}}/{verb}", need, team, ok, request)


def _create(team: str) -> Case:
    def request(api: Api, who: str, fresh: str) -> Any:
        body = {"environment": _environment(f"{team}-new", team), "justification": "a test wants it"}
        return api.client.post("/api/v1/proposals", json=body, headers=api.headers(who))

    return Case("POST", "/api/v1/proposals", "propose", team, 202, request, outsider=403)


def _post_json(route: str, path: str, body: Any) -> Case:
    return Case(
        "POST",
        route,
        "read",
        None,
        200,
        lambda api, who, fresh: api.client.post(path, json=body, headers=api.headers(who)),
    )


def _drift_case(verb: str, team: str) -> Case:
    def request(api: Api, who: str, fresh: str) -> Any:
        env = "payments-dev" if team == "payments" else "shop-dev"
        body: dict[str, Any] = {"justification": "the cloud moved"}
        if verb == "revert":
            api.add_proposal(fresh, env, team, kind="drift-revert")  # open: answered without planning
        return api.client.post(f"/api/v1/environments/{env}/drift/{verb}", json=body, headers=api.headers(who))

    return Case("POST", f"/api/v1/environments/{{name}}/drift/{verb}", "propose", team, 202, request)


def _publish(api: Api, who: str, fresh: str) -> Any:
    data = _archive(FIXTURE_CATALOG / "marker")
    headers = {**api.headers(who), "Content-Type": "application/gzip"}
    return api.client.post("/api/v1/blueprints", content=data, headers=headers)


def _bundle_upload(route: str) -> Callable[[Api, str, str], Any]:
    def request(api: Api, who: str, fresh: str) -> Any:
        headers = {**api.headers(who), "Content-Type": "application/gzip"}
        return api.client.post(route, content=_archive(BUNDLES / "team-rules"), headers=headers)

    return request


def _read_replay(api: Api, who: str, fresh: str) -> Any:
    replayed = api.container.policy_replay.replay(BUNDLES / "team-rules", Actor("human", "root"))
    return api.client.get(f"/api/v1/policy/replays/{replayed.id}", headers=api.headers(who))


def _create_token(api: Api, who: str, fresh: str) -> Any:
    body = {"name": f"t-{fresh}", "role": "viewer", "teams": ["payments"], "expires": "1d"}
    return api.client.post("/api/v1/tokens", json=body, headers=api.headers(who))


def _revoke_token(api: Api, who: str, fresh: str) -> Any:
    api.token(f"r-{fresh}", Role.VIEWER, ("payments",))
    return api.client.delete(f"/api/v1/tokens/r-{fresh}", headers=api.headers(who))


CASES: list[Case] = [
    Case("GET", "/api/v1/me", "any", None, 200, _get("/api/v1/me")),
    Case("GET", "/api/v1/blueprints", "read", None, 200, _get("/api/v1/blueprints?q=database")),
    Case("GET", "/api/v1/blueprints/{name}", "read", None, 200, _get("/api/v1/blueprints/postgres")),
    Case("POST", "/api/v1/blueprints", "publish", None, 201, _publish),
    Case("GET", "/api/v1/environments", "read", None, 200, _get("/api/v1/environments")),
    *[
        Case(
            "GET", route, "read", team, 200, _get(route.replace("{name}", f"{team}-dev").replace("{component}", "note"))
        )
        for team in ("payments", "shop")
        for route in (
            "/api/v1/environments/{name}",
            "/api/v1/environments/{name}/graph",
            "/api/v1/environments/{name}/revisions",
            "/api/v1/environments/{name}/drift",
            "/api/v1/environments/{name}/components/{component}/states",
        )
    ],
    Case("GET", "/api/v1/proposals", "read", None, 200, _get("/api/v1/proposals")),
    _create("payments"),
    _create("shop"),
    *[
        Case("GET", route, "read", team, 200, _get(route.replace("{proposal_id}", f"p-{team}00001")))
        for team in ("payments", "shop")
        for route in ("/api/v1/proposals/{proposal_id}", "/api/v1/proposals/{proposal_id}/events")
    ],
    *[
        case
        for team in ("payments", "shop")
        for case in (
            _proposal_case("approve", "approve", team, ProposalStatus.PENDING, {"comment": "fine"}, 200),
            _proposal_case("reject", "reject", team, ProposalStatus.PENDING, {"reason": "not now"}, 200),
            _proposal_case("apply", "apply", team, ProposalStatus.APPROVED, None, 202),
        )
    ],
    _post_json("/api/v1/policy/check", "/api/v1/policy/check?tier=prod&team=payments", json.loads(PLAN.read_text())),
    _post_json("/api/v1/cost", "/api/v1/cost", json.loads(PLAN.read_text())),
    Case("POST", "/api/v1/policy/replay", "publish", None, 200, _bundle_upload("/api/v1/policy/replay")),
    Case("POST", "/api/v1/policy/bundles", "publish", None, 201, _bundle_upload("/api/v1/policy/bundles")),
    Case("GET", "/api/v1/policy/replays/{replay_id}", "publish", None, 200, _read_replay),
    Case("GET", "/api/v1/audit", "read", None, 200, _get("/api/v1/audit")),
    Case("GET", "/api/v1/audit/verify", "read", None, 200, _get("/api/v1/audit/verify")),
    Case("GET", "/api/v1/audit/export", "read", None, 200, _get("/api/v1/audit/export")),
    *[_drift_case(verb, team) for team in ("payments", "shop") for verb in ("revert", "accept")],
    Case("GET", "/api/v1/unmanaged", "inventory", None, 200, _get("/api/v1/unmanaged")),
    Case("GET", "/api/v1/kpi", "read", None, 200, _get("/api/v1/kpi?since=7d")),
    Case("GET", "/api/v1/tokens", "tokens", None, 200, _get("/api/v1/tokens")),
    Case("POST", "/api/v1/tokens", "tokens", None, 201, _create_token),
    Case("DELETE", "/api/v1/tokens/{name}", "tokens", None, 200, _revoke_token),
]


def _seed(api: Api) -> None:
    for team in ("payments", "shop"):
        api.add_environment(f"{team}-dev", team)
        api.add_proposal(f"p-{team}00001", f"{team}-dev", team)


def test_every_route_has_a_case(api: Api) -> None:
    paths = api.client.get("/api/v1/openapi.json").json()["paths"]
    routes = {(method.upper(), path) for path, operations in paths.items() for method in operations}
    covered = {(case.method, case.route) for case in CASES}
    assert routes - covered == set(), "routes without an authorization case"
    assert covered - routes == set(), "cases for routes that do not exist"


@pytest.mark.parametrize("who", sorted(IDENTITIES))
def test_only_what_the_role_allows_succeeds(api: Api, who: str) -> None:
    _seed(api)
    outcomes = []
    for number, case in enumerate(CASES):
        fresh = f"p-{number:010d}"
        response = case.request(api, who, fresh)
        if not sees(who, case.team):
            expected = case.outsider
        elif not allowed(who, case.need):
            expected = 403
        else:
            expected = case.ok
        body = response.json() if response.headers.get("content-type", "").startswith("application/json") else None
        outcomes.append((case.method, case.route, case.team, expected, response.status_code, body))
        if response.status_code >= 400:
            assert body is not None and set(body["error"]) >= {"code", "message", "field"}, (case.route, body)
    wrong = [o for o in outcomes if o[3] != o[4]]
    assert wrong == [], f"{who}: (method, route, team, expected, got, body)"


def test_refusals_of_agents_are_audited(api: Api) -> None:
    _seed(api)
    response = api.client.post("/api/v1/proposals/p-payments00001/approve", json={}, headers=api.headers("agent-admin"))
    assert response.status_code == 403
    assert "agent" in response.json()["error"]["message"]
    events = api.container.audit.events(action="api.refused")
    assert [(e.actor.id, e.subject, e.payload["action"]) for e in events] == [
        ("agent-admin", "proposal:p-payments00001", "approve")
    ]


def test_another_teams_things_are_not_listed(api: Api) -> None:
    _seed(api)
    headers = api.headers("approver")
    environments = api.client.get("/api/v1/environments", headers=headers).json()
    proposals = api.client.get("/api/v1/proposals", headers=headers).json()["items"]
    assert [e["name"] for e in environments] == ["payments-dev"]
    assert {p["team"] for p in proposals} == {"payments"}
    everything = api.client.get("/api/v1/environments", headers=api.headers("admin")).json()
    assert sorted(e["name"] for e in everything) == ["payments-dev", "shop-dev"]


@pytest.mark.parametrize("header", [None, "Bearer nope", "Bearer ipl_" + "x" * 43, "Basic dXNlcjpwYXNz"])
def test_without_a_valid_token_every_route_is_401(api: Api, header: str | None) -> None:
    headers = {"Authorization": header} if header else {}
    for case in CASES:
        path = case.route.replace("{name}", "payments-dev").replace("{component}", "note")
        path = path.replace("{proposal_id}", "p-payments00001").replace("{name}", "viewer")
        response = api.client.request(case.method, path, headers=headers)
        assert response.status_code == 401, (case.route, response.text)
        assert response.json()["error"]["code"] == "unauthenticated"


def test_a_revoked_token_stops_at_once(api: Api) -> None:
    assert api.client.get("/api/v1/me", headers=api.headers("viewer")).status_code == 200
    api.container.tokens.revoke("viewer", api.identity("admin").actor)
    assert api.client.get("/api/v1/me", headers=api.headers("viewer")).status_code == 401
