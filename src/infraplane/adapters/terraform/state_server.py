"""Terraform's `http` state backend, served by infraplane on loopback.

Terraform reads and writes each component's state through this server, so the
state lives in infraplane's store (encrypted, every version kept) and never in
a file beside the module. Locking maps onto infraplane's leases: Terraform's
LOCK succeeds only while the run that started this server holds the
component's lease.

Routes (one per component): GET/POST/LOCK/UNLOCK `/state/<environment>/<component>`.
Every request must carry the per-process basic-auth token.
"""

from __future__ import annotations

import base64
import hmac
import json
import secrets
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from infraplane.core.ports import StateCallbacks
from infraplane.core.state import StateFormatError, parse_state

__all__ = ["StateCallbacks", "StateServer", "http_backend_environment"]

_USERNAME = "infraplane"


def http_backend_environment(address: str, username: str, password: str) -> dict[str, str]:
    """Environment variables that point Terraform's http backend at one state address, with basic auth."""
    return {
        "TF_HTTP_ADDRESS": address,
        "TF_HTTP_LOCK_ADDRESS": address,
        "TF_HTTP_UNLOCK_ADDRESS": address,
        "TF_HTTP_LOCK_METHOD": "LOCK",
        "TF_HTTP_UNLOCK_METHOD": "UNLOCK",
        "TF_HTTP_USERNAME": username,
        "TF_HTTP_PASSWORD": password,
    }


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        # Terraform state requests are not worth a log line each; errors are answered in the body.
        return

    def _authorized(self) -> bool:
        header = self.headers.get("Authorization", "")
        expected = "Basic " + base64.b64encode(f"{_USERNAME}:{self.server.token}".encode()).decode()
        return hmac.compare_digest(header, expected)

    def _key(self) -> tuple[str, str] | None:
        parts = self.path.split("?", 1)[0].strip("/").split("/")
        if len(parts) == 3 and parts[0] == "state" and all(parts[1:]):
            return parts[1], parts[2]
        return None

    def _reply(self, status: HTTPStatus, body: bytes = b"", content_type: str = "application/json") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body:
            self.wfile.write(body)

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _dispatch(self, method: str) -> None:
        if not self._authorized():
            self._reply(HTTPStatus.UNAUTHORIZED, b'{"error":"unauthorized"}')
            return
        key = self._key()
        if key is None:
            self._reply(HTTPStatus.NOT_FOUND, b'{"error":"no such state"}')
            return
        getattr(self, f"_handle_{method}")(*key)

    def _handle_get(self, environment: str, component: str) -> None:
        state = self.server.callbacks.read(environment, component)
        if state is None:
            self._reply(HTTPStatus.NOT_FOUND)
        else:
            self._reply(HTTPStatus.OK, state)

    def _handle_post(self, environment: str, component: str) -> None:
        body = self._body()
        try:
            state = parse_state(body)
        except StateFormatError as exc:
            self._reply(HTTPStatus.BAD_REQUEST, json.dumps({"error": f"not a Terraform state: {exc}"}).encode())
            return
        self.server.callbacks.write(environment, component, body, state)
        self._reply(HTTPStatus.OK)

    def _handle_lock(self, environment: str, component: str) -> None:
        info = self._body()
        with self.server.lock_guard:
            current = self.server.tool_locks.get((environment, component))
            if current is not None or not self.server.callbacks.holds_lease(environment, component):
                self._reply(HTTPStatus.LOCKED, current or b'{"ID":"","Who":"another infraplane run"}')
                return
            self.server.tool_locks[(environment, component)] = info or b"{}"
        self._reply(HTTPStatus.OK)

    def _handle_unlock(self, environment: str, component: str) -> None:
        with self.server.lock_guard:
            self.server.tool_locks.pop((environment, component), None)
        self._reply(HTTPStatus.OK)

    def do_GET(self) -> None:
        self._dispatch("get")

    def do_POST(self) -> None:
        self._dispatch("post")

    def do_LOCK(self) -> None:
        self._dispatch("lock")

    def do_UNLOCK(self) -> None:
        self._dispatch("unlock")


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, callbacks: StateCallbacks, token: str) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.callbacks = callbacks
        self.token = token
        self.lock_guard = threading.Lock()
        self.tool_locks: dict[tuple[str, str], bytes] = {}


class StateServer:
    """A loopback HTTP server for the lifetime of one orchestration run."""

    def __init__(self, callbacks: StateCallbacks) -> None:
        self._server = _Server(callbacks, secrets.token_urlsafe(24))
        self._thread = threading.Thread(target=self._server.serve_forever, name="state-server", daemon=True)

    def __enter__(self) -> StateServer:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def backend_environment(self, environment: str, component: str) -> dict[str, str]:
        """Environment variables that point Terraform's http backend at one component's state."""
        return http_backend_environment(
            f"{self.base_url}/state/{environment}/{component}", _USERNAME, self._server.token
        )
