"""The request body limit: a body over it is refused 413 before a route reads it (or as soon as it streams past).

An uploaded blueprint archive may be as large as `limits.archive_bytes`; every other body (environment
documents, plan JSON, decisions) as large as `limits.document_bytes`.
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from infraplane.errors import InputError, Problem
from infraplane.interfaces.api.errors import error_response

__all__ = ["BodyLimit", "TooLargeError"]


class TooLargeError(InputError):
    """A request body over the server's limit."""

    code = "too_large"
    http_status = 413


def _refusal(limit: int, setting: str) -> TooLargeError:
    reason = f"the request body is over {limit:,} bytes (the limit, {setting})"
    return TooLargeError(reason, [Problem("", "body", reason)])


class BodyLimit:
    """ASGI middleware: refuse bodies over the limit `limit_for(method, path)` gives, with a JSON 413.

    A request without a body (a GET, an event stream) passes untouched; one with a body has it read
    here first, then replayed to the app, and later messages (a disconnect) reach the app as sent.
    """

    def __init__(self, app: ASGIApp, limit_for: Callable[[str, str], tuple[int, str]]) -> None:
        self._app = app
        self._limit_for = limit_for

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        limit, setting = self._limit_for(scope["method"], scope["path"])
        headers = dict(scope.get("headers", []))
        length = headers.get(b"content-length")
        if length is not None and length.isdigit() and int(length) > limit:
            error = _refusal(limit, setting)
            response = error_response(413, error.code, error.message, "body")
            await response(scope, receive, send)
            return
        if (length is None or length == b"0") and b"transfer-encoding" not in headers:
            await self._app(scope, receive, send)  # no body (a GET, an event stream): nothing to hold
            return
        # Read the body here, so a body over the limit is answered 413 whatever the route does with it
        # (routes read whole bodies anyway, so holding it costs nothing more).
        chunks: list[bytes] = []
        seen = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                await self._app(scope, _replay(message, receive), send)
                return
            chunk = message.get("body", b"")
            seen += len(chunk)
            if seen > limit:
                error = _refusal(limit, setting)
                await error_response(413, error.code, error.message, "body")(scope, receive, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = {"type": "http.request", "body": b"".join(chunks), "more_body": False}
        await self._app(scope, _replay(body, receive), send)


def _replay(first: Message, receive: Receive) -> Receive:
    """A receive that gives `first` once, then whatever `receive` gives (a disconnect)."""
    given = False

    async def replayed() -> Message:
        nonlocal given
        if not given:
            given = True
            return first
        return await receive()

    return replayed
