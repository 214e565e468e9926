"""One structured log line per request, with a request id, and never a secret in it."""

from __future__ import annotations

import io
import json
import logging
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest
from fastapi import FastAPI, Request
from fastapi.responses import StreamingResponse
from fastapi.testclient import TestClient

from infraplane.core.identity import Identity, Role
from infraplane.interfaces.api import create_app
from infraplane.interfaces.container import Container
from infraplane.interfaces.logging_setup import configure_logging
from infraplane.settings import load_settings

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    """Everything the server logs, through the handler `infraplane serve` installs."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    buffer = io.StringIO()
    configure_logging(stream=buffer)  # a StringIO is not a terminal: JSON lines
    yield buffer
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.fixture
def app(tmp_path: Path) -> Iterator[FastAPI]:
    container = Container(load_settings(home=tmp_path / "home"))
    app = create_app(container)

    @app.post("/things/{name}")
    async def thing(name: str, request: Request) -> dict[str, Any]:
        # What the auth dependency does once it has checked the token.
        request.state.identity = Identity("alice", Role.REQUESTER, frozenset({"payments"}))
        return {"name": name, "size": len(await request.body())}

    @app.get("/broken")
    def broken() -> None:
        raise RuntimeError("something internal")

    gate = anyio.Event()

    @app.get("/stream")
    def stream() -> StreamingResponse:
        async def events() -> Any:
            yield b"data: first\n\n"
            await gate.wait()  # the test lets go only once it has received the first event
            yield b"data: last\n\n"

        return StreamingResponse(events(), media_type="text/event-stream")

    app.state.gate = gate
    yield app
    container.close()


def request_lines(buffer: io.StringIO) -> list[dict[str, Any]]:
    lines = [json.loads(line) for line in buffer.getvalue().splitlines() if line.strip()]
    return [line for line in lines if line["logger"] == "infraplane.api.request"]


def test_one_json_line_per_request_with_id_actor_route_status_and_duration(app: FastAPI, captured: io.StringIO) -> None:
    with TestClient(app) as client:
        named = client.post("/things/box-1", content=b"{}", headers={"X-Request-Id": "trace-42"})
        anonymous = client.get("/healthz")
        missing = client.get("/no/such/path")

    assert named.headers["X-Request-Id"] == "trace-42"  # a sane incoming id is kept
    assert len(anonymous.headers["X-Request-Id"]) == 32
    assert missing.status_code == 404 and missing.headers["X-Request-Id"]
    lines = request_lines(captured)
    assert len(lines) == 3
    first, second, third = lines
    assert {k: first[k] for k in ("request_id", "actor", "method", "route", "status")} == {
        "request_id": "trace-42",
        "actor": "alice",
        "method": "POST",
        "route": "/things/{name}",
        "status": 200,
    }
    assert first["level"] == "info" and isinstance(first["duration_ms"], float) and first["duration_ms"] >= 0
    assert (second["actor"], second["route"], second["request_id"]) == (
        "-",
        "/healthz",
        anonymous.headers["X-Request-Id"],
    )
    assert (third["route"], third["status"]) == ("<unmatched>", 404)


@pytest.mark.parametrize("incoming", ["has spaces", "x" * 65, "semi;colon", "-leading-dash", "a/../b", "<script>"])
def test_an_odd_incoming_request_id_is_replaced(app: FastAPI, captured: io.StringIO, incoming: str) -> None:
    with TestClient(app) as client:
        answered = client.get("/healthz", headers={"X-Request-Id": incoming})
    assert answered.headers["X-Request-Id"] != incoming
    assert request_lines(captured)[0]["request_id"] == answered.headers["X-Request-Id"]
    assert incoming not in captured.getvalue()


def test_the_secret_canary_never_reaches_the_log(app: FastAPI, captured: io.StringIO) -> None:
    canary = "canary-" + secrets.token_hex(16)
    with TestClient(app) as client:
        client.post(
            f"/things/{canary}?token={canary}",
            content=json.dumps({"password": canary}).encode(),
            headers={"Authorization": f"Bearer {canary}", "X-Api-Key": canary, "Cookie": f"session={canary}"},
        )
        client.get(f"/unknown/{canary}?access_token={canary}", headers={"Authorization": f"Bearer {canary}"})
    output = captured.getvalue()
    assert len(request_lines(captured)) == 2
    assert canary not in output
    assert "Bearer" not in output and "authorization" not in output.lower()


def test_an_unexpected_error_is_logged_and_answered_under_the_same_request_id(
    app: FastAPI, captured: io.StringIO
) -> None:
    with TestClient(app, raise_server_exceptions=False) as client:
        answered = client.get("/broken", headers={"X-Request-Id": "oops-7"})
    assert answered.status_code == 500
    assert answered.json()["error"]["request_id"] == "oops-7"
    assert "something internal" not in answered.text
    (line,) = request_lines(captured)
    assert (line["request_id"], line["route"], line["status"]) == ("oops-7", "/broken", 500)


def test_a_terminal_gets_readable_lines(app: FastAPI) -> None:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    terminal = Terminal()
    configure_logging(stream=terminal)
    try:
        with TestClient(app) as client:
            client.get("/healthz", headers={"X-Request-Id": "tty-1"})
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
    line = next(line for line in terminal.getvalue().splitlines() if "infraplane.api.request" in line)
    assert not line.startswith("{")
    assert "GET /healthz 200" in line and "request_id=tty-1" in line and "actor=-" in line


async def test_a_streaming_response_is_not_buffered_and_is_logged_when_it_ends(
    app: FastAPI, captured: io.StringIO
) -> None:
    """Drive the real app as a server would: the first event must arrive while the stream is still open."""
    sent: list[dict[str, Any]] = []
    gate: anyio.Event = app.state.gate

    async def receive() -> dict[str, Any]:
        await anyio.sleep_forever()
        raise AssertionError  # pragma: no cover

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)
        if message["type"] == "http.response.body" and b"first" in message.get("body", b""):
            assert request_lines(captured) == []  # the request is not over yet
            gate.set()

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": "/stream",
        "raw_path": b"/stream",
        "query_string": b"",
        "headers": [(b"host", b"testserver")],
        "client": ("127.0.0.1", 1),
        "server": ("testserver", 80),
        "state": {},
    }
    with anyio.fail_after(10):  # buffering would hold the first event back until the gate opens: never
        await app(scope, receive, send)

    start = next(m for m in sent if m["type"] == "http.response.start")
    assert (b"x-request-id", scope["state"]["request_id"].encode()) in start["headers"]
    assert b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body") == (
        b"data: first\n\ndata: last\n\n"
    )
    (line,) = request_lines(captured)
    assert (line["route"], line["status"]) == ("/stream", 200)
