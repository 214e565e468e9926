"""`infraplane token create/list/revoke` as a user runs them: the secret once, JSON for scripts, exit 2 on bad input."""

from __future__ import annotations

from pathlib import Path

from tests.support.cli import run_cli


def test_create_list_and_revoke_a_token(home: Path) -> None:
    created = run_cli(home, "token", "create", "--name", "pay-bot", "--role", "requester", "--team", "payments",
                      "--agent", "--expires", "30d", "--json")  # fmt: skip
    assert created.exit_code == 0, created.stderr
    token = created.json()
    assert {k: token[k] for k in ("name", "role", "teams", "agent", "state")} == {
        "name": "pay-bot",
        "role": "requester",
        "teams": ["payments"],
        "agent": True,
        "state": "active",
    }
    assert token["token"].startswith("ipl_") and token["expires_at"]

    listed = run_cli(home, "token", "list", "--json")
    assert listed.exit_code == 0, listed.stderr
    assert [t["name"] for t in listed.json()] == ["pay-bot"]
    assert token["token"] not in listed.stdout

    plain = run_cli(home, "token", "list")
    assert "pay-bot" in plain.stdout and "requester" in plain.stdout and token["token"] not in plain.stdout

    revoked = run_cli(home, "token", "revoke", "pay-bot")
    assert revoked.exit_code == 0, revoked.stderr
    assert run_cli(home, "token", "list", "--json").json()[0]["state"] == "revoked"


def test_bad_input_exits_2_naming_the_field(home: Path) -> None:
    bad_role = run_cli(home, "token", "create", "--name", "x", "--role", "owner")
    assert bad_role.exit_code == 2 and "role" in bad_role.stderr and "owner" in bad_role.stderr
    bad_expiry = run_cli(home, "token", "create", "--name", "x", "--role", "viewer", "--expires", "forever")
    assert bad_expiry.exit_code == 2 and "expires" in bad_expiry.stderr
    unknown = run_cli(home, "token", "revoke", "nobody")
    assert unknown.exit_code == 2 and "nobody" in unknown.stderr
    assert "Traceback" not in bad_role.stderr + bad_expiry.stderr + unknown.stderr
