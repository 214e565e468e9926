"""Tokens on a real store: secrets shown once and stored as digests, revocation and expiry, the admin bootstrap."""

from __future__ import annotations

import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from infraplane.adapters.store import SqlStore
from infraplane.core.audit import Actor
from infraplane.core.identity import Role
from infraplane.errors import InputError, NotFoundError, RefusedError, UnauthenticatedError
from infraplane.services.tokens import TOKEN_PREFIX, TokenService, parse_expires

ALICE = Actor("human", "alice")


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def test_a_secret_authenticates_as_its_identity_and_only_its_digest_is_stored(store: SqlStore) -> None:
    tokens = TokenService(store)
    token, secret = tokens.create("pay-dev", Role.REQUESTER, ["payments"], False, None, ALICE)
    assert secret.startswith(TOKEN_PREFIX) and len(secret) > 40
    identity = tokens.authenticate(secret)
    assert (identity.name, identity.role, identity.teams, identity.agent) == (
        "pay-dev",
        Role.REQUESTER,
        frozenset({"payments"}),
        False,
    )
    with store.engine.connect() as connection:
        dumped = " ".join(str(row) for row in connection.execute(text("SELECT * FROM tokens")))
        events = " ".join(str(row) for row in connection.execute(text("SELECT * FROM audit_events")))
    assert secret not in dumped and secret not in events
    assert token.name in dumped


def test_unknown_revoked_and_expired_tokens_answer_the_same(store: SqlStore) -> None:
    clock = Clock()
    tokens = TokenService(store, clock)
    _, revoked = tokens.create("old", Role.VIEWER, [], False, None, ALICE)
    _, short = tokens.create("short", Role.VIEWER, [], True, timedelta(hours=1), ALICE)
    tokens.authenticate(short)
    tokens.revoke("old", ALICE)
    clock.now += timedelta(hours=1)
    messages = set()
    for secret in (revoked, short, TOKEN_PREFIX + "x" * 43, "not-a-token", ""):
        with pytest.raises(UnauthenticatedError) as caught:
            tokens.authenticate(secret)
        messages.add(caught.value.message)
    assert len(messages) == 2  # "a token is required" for non-tokens; one message for every failing token
    states = {t.name: t.state("2026-12-01T13:00:00.000000Z") for t in tokens.list()}
    assert states == {"old": "revoked", "short": "expired"}


def test_creating_and_revoking_are_audited_without_the_secret(store: SqlStore) -> None:
    tokens = TokenService(store)
    _, secret = tokens.create("bot", Role.REQUESTER, ["payments"], True, None, ALICE)
    tokens.revoke("bot", ALICE)
    tokens.revoke("bot", ALICE)  # revoking twice changes nothing and writes nothing
    with store.transaction() as tx:
        events = list(tx.audit.events(action="token."))
    assert [(e.action, e.subject, str(e.actor)) for e in events] == [
        ("token.create", "token:bot", "human:alice"),
        ("token.revoke", "token:bot", "human:alice"),
    ]
    assert events[0].payload == {
        "name": "bot",
        "role": "requester",
        "teams": ["payments"],
        "agent": True,
        "expires_at": None,
    }
    assert all(secret not in str(e.payload) for e in events)


def test_bad_names_teams_and_taken_names_are_refused_naming_the_field(store: SqlStore) -> None:
    tokens = TokenService(store)
    with pytest.raises(InputError) as caught:
        tokens.create("Bad Name", Role.VIEWER, [], False, None, ALICE)
    assert caught.value.problems[0].field == "name"
    with pytest.raises(InputError) as caught:
        tokens.create("ok", Role.VIEWER, ["Pay Ments"], False, None, ALICE)
    assert caught.value.problems[0].field == "teams"
    tokens.create("ok", Role.VIEWER, [], False, None, ALICE)
    with pytest.raises(RefusedError):
        tokens.create("ok", Role.ADMIN, [], False, None, ALICE)
    with pytest.raises(NotFoundError):
        tokens.revoke("nobody", ALICE)


@pytest.mark.parametrize(("text", "hours"), [("12h", 12), ("30d", 720), ("2w", 336)])
def test_lifetimes_parse(text: str, hours: int) -> None:
    assert parse_expires(text) == timedelta(hours=hours)


@pytest.mark.parametrize("text", ["0d", "30", "1y", "-1d", "d"])
def test_bad_lifetimes_name_the_field(text: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_expires(text)
    assert caught.value.problems[0].field == "expires"


def test_the_first_start_writes_one_admin_token_readable_by_the_owner_alone(store: SqlStore, tmp_path: Path) -> None:
    tokens = TokenService(store)
    path = tmp_path / "home" / "admin-token"
    secret = tokens.ensure_admin(path)
    assert secret is not None
    assert path.read_text() == secret + "\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert tokens.authenticate(secret).role is Role.ADMIN
    assert tokens.ensure_admin(path) is None  # a second start makes none
    tokens.revoke("admin", ALICE)
    again = tokens.ensure_admin(path)  # with no active admin left, a new one under a new name
    assert again is not None and tokens.authenticate(again).name == "admin-2"
