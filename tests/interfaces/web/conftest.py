"""The real app over a real store, signed in through the web page's own sign-in form."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.interfaces.api.conftest import Api, serve

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


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
