"""The session cookie and CSRF token logic, on its own."""

from __future__ import annotations

import stat
from pathlib import Path

from infraplane.interfaces.web.session import Sessions, load_signing_key


def test_a_session_value_opens_only_with_its_key_and_in_time() -> None:
    sessions = Sessions(b"k" * 32, max_age=60)
    value = sessions.session_value("sealed-token")
    assert sessions.sealed_token(value) == "sealed-token"
    assert Sessions(b"x" * 32).sealed_token(value) is None  # another server's key
    assert sessions.sealed_token(value[:-2] + "aa") is None  # tampered
    assert sessions.sealed_token("") is None and sessions.sealed_token(None) is None
    assert Sessions(b"k" * 32, max_age=-1).sealed_token(value) is None  # too old


def test_a_csrf_token_is_valid_only_for_its_browsers_nonce() -> None:
    sessions = Sessions(b"k" * 32)
    nonce = Sessions.new_nonce()
    token = sessions.csrf_token(nonce)
    assert sessions.csrf_valid(nonce, token)
    assert not sessions.csrf_valid(Sessions.new_nonce(), token)
    assert not sessions.csrf_valid(nonce, None) and not sessions.csrf_valid(None, token)
    assert not sessions.csrf_valid(nonce, sessions.session_value(nonce))  # a session value is no form token
    assert not Sessions(b"x" * 32).csrf_valid(nonce, token)


def test_the_signing_key_is_made_once_and_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "web-session.key"
    key = load_signing_key(path)
    assert len(key) == 32 and load_signing_key(path) == key
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
