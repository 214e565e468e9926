"""Tokens over the API: an admin creates one (the secret once), it works at once, and revoking stops it."""

from __future__ import annotations

from tests.interfaces.api.conftest import Api


def test_an_admin_creates_a_token_that_works_and_revokes_it(api: Api) -> None:
    admin = api.headers("admin")
    body = {"name": "pay-dev", "role": "requester", "teams": ["payments"], "expires": "30d"}
    created = api.client.post("/api/v1/tokens", json=body, headers=admin)
    assert created.status_code == 201, created.text
    token = created.json()
    assert {k: token[k] for k in ("name", "role", "teams", "agent", "state")} == {
        "name": "pay-dev",
        "role": "requester",
        "teams": ["payments"],
        "agent": False,
        "state": "active",
    }
    me = api.client.get("/api/v1/me", headers={"Authorization": f"Bearer {token['token']}"}).json()
    assert (me["name"], me["role"], me["teams"]) == ("pay-dev", "requester", ["payments"])

    listed = api.client.get("/api/v1/tokens", headers=admin)
    assert token["token"] not in listed.text and "pay-dev" in listed.text

    revoked = api.client.delete("/api/v1/tokens/pay-dev", headers=admin)
    assert revoked.status_code == 200 and revoked.json()["state"] == "revoked"
    again = api.client.get("/api/v1/me", headers={"Authorization": f"Bearer {token['token']}"})
    assert again.status_code == 401


def test_bad_token_requests_name_the_field(api: Api) -> None:
    admin = api.headers("admin")
    cases = [
        ({"name": "Bad Name", "role": "viewer"}, "name"),
        ({"name": "ok", "role": "owner"}, "role"),
        ({"name": "ok", "role": "viewer", "expires": "forever"}, "expires"),
        ({"name": "ok", "role": "viewer", "teams": ["Pay Ments"]}, "teams"),
    ]
    for body, field in cases:
        response = api.client.post("/api/v1/tokens", json=body, headers=admin)
        assert response.status_code == 422, (body, response.text)
        assert response.json()["error"]["field"].startswith(field), (body, response.json())
    taken = api.client.post("/api/v1/tokens", json={"name": "viewer", "role": "viewer"}, headers=admin)
    assert taken.status_code == 409
    assert api.client.delete("/api/v1/tokens/nobody", headers=admin).status_code == 404
