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
    """ASGI middleware: refuse bodies over the limit `limit_for(method, path)` gives, with a JSON 413."""

    def __init__(self, app: ASGIApp, limit_for: Callable[[str, str], tuple[int, str]]) -> None:
        self._app = app
        self._limit_for = limit_for

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        limit, setting = self._limit_for(scope["method"], scope["path"])
        length = dict(scope.get("headers", [])).get(b"content-length")
        if length is not None and length.isdigit() and int(length) > limit:
            error = _refusal(limit, setting)
            response = error_response(413, error.code, error.message, "body")
            await response(scope, receive, send)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise _refusal(limit, setting)  # the routes' error handler answers it 413
            return message

        await self._app(scope, counted, send)
