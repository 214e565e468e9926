"""The stdio transport's front door: every line that is not one valid JSON-RPC message gets the error reply
the JSON-RPC 2.0 specification defines, instead of the silence the SDK's transport leaves.

- not JSON: -32700 "Parse error", id null;
- JSON but no single request, notification or response (a batch, which MCP no longer has; a wrong
  `jsonrpc`; an object as id; no method): -32600 "Invalid Request", with the id when it is a usable one;
- a message larger than the limit: -32600 before it reaches a tool or the audit log.

Valid lines pass through unchanged to the SDK's own parser.
"""

from __future__ import annotations

import json
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from io import TextIOWrapper
from typing import Any

import anyio
import mcp_types as types
from anyio.abc import ObjectSendStream
from mcp.server.stdio import stdio_server
from mcp.shared.message import SessionMessage
from pydantic import ValidationError

__all__ = ["MAX_MESSAGE_BYTES", "GatedLines", "LineVerdict", "judge_line", "serve_stdio"]

# A tool call's arguments are a few kilobytes; a megabyte leaves room for long justifications.
MAX_MESSAGE_BYTES = 1024 * 1024


@dataclass(frozen=True)
class LineVerdict:
    """Either the line passes (`error` is None) or it is answered with this error and dropped."""

    error: types.JSONRPCError | None = None

    @property
    def passes(self) -> bool:
        return self.error is None


def _usable_id(message: Any) -> str | int | None:
    if isinstance(message, dict):
        value = message.get("id")
        if isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool)):
            return value
    return None


def _refuse(code: int, message: str, data: str, request_id: str | int | None = None) -> LineVerdict:
    return LineVerdict(
        types.JSONRPCError(jsonrpc="2.0", id=request_id, error=types.ErrorData(code=code, message=message, data=data))
    )


def judge_line(line: str, max_bytes: int = MAX_MESSAGE_BYTES) -> LineVerdict | None:
    """What to do with one line from the client; None for a blank line (ignored)."""
    if not line.strip():
        return None
    size = len(line.encode("utf-8", errors="replace"))
    try:
        message = json.loads(line)
    except ValueError:
        return _refuse(types.PARSE_ERROR, "Parse error", "the line is not JSON")
    if size > max_bytes:
        return _refuse(
            types.INVALID_REQUEST,
            "Invalid Request",
            f"the message is {size:,} bytes; the limit is {max_bytes:,}",
            _usable_id(message),
        )
    if isinstance(message, list):
        return _refuse(types.INVALID_REQUEST, "Invalid Request", "batches are not supported; send one message a line")
    if not isinstance(message, dict):
        return _refuse(types.INVALID_REQUEST, "Invalid Request", "a message is a JSON object")
    if message.get("jsonrpc") != "2.0":
        return _refuse(types.INVALID_REQUEST, "Invalid Request", 'jsonrpc must be "2.0"', _usable_id(message))
    if message.get("id") is not None and _usable_id(message) is None:
        # Without this check a request with an object id would read as a notification and get no reply.
        return _refuse(types.INVALID_REQUEST, "Invalid Request", "id must be a string or an integer")
    try:
        types.jsonrpc_message_adapter.validate_python(message, by_name=False)
    except ValidationError:
        return _refuse(
            types.INVALID_REQUEST,
            "Invalid Request",
            "not a JSON-RPC request, notification or response (a request names a method)",
            _usable_id(message),
        )
    return LineVerdict()


class GatedLines:
    """The client's lines, less those answered here; the answers go out on the transport's write stream."""

    def __init__(self, source: anyio.AsyncFile[str], max_bytes: int = MAX_MESSAGE_BYTES) -> None:
        self._source = source
        self._max_bytes = max_bytes
        self._replies: ObjectSendStream[SessionMessage] | None = None
        self._ready = anyio.Event()

    def answer_on(self, replies: ObjectSendStream[SessionMessage]) -> None:
        self._replies = replies
        self._ready.set()

    async def __aiter__(self) -> AsyncIterator[str]:
        async for line in self._source:
            verdict = judge_line(line, self._max_bytes)
            if verdict is None:
                continue
            if verdict.error is None:
                yield line
                continue
            await self._ready.wait()
            assert self._replies is not None
            try:
                await self._replies.send(SessionMessage(verdict.error))
            except (anyio.ClosedResourceError, anyio.BrokenResourceError):
                return


async def serve_stdio(run: Any, max_bytes: int = MAX_MESSAGE_BYTES) -> None:
    """Run `run(read_stream, write_stream)` on stdio behind the gate (messages of at most `max_bytes`)."""
    stdin = anyio.wrap_file(TextIOWrapper(sys.stdin.buffer, encoding="utf-8", errors="replace"))
    lines = GatedLines(stdin, max_bytes)
    async with stdio_server(stdin=lines) as (read_stream, write_stream):  # type: ignore[arg-type]
        lines.answer_on(write_stream)
        await run(read_stream, write_stream)
