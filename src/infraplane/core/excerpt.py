"""Short excerpts of values people and agents send, for error messages.

An error names what was wrong and quotes only the start of it: a 5 MB input
echoed whole into a message would flood a terminal, a log line or an agent's
context, and tell no one more than its first few characters do.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["EXCERPT_CHARS", "MESSAGE_CHARS", "bounded", "excerpt", "field_path", "pydantic_reason", "schema_message"]

EXCERPT_CHARS = 60
# No reason needs more: past this a message is cut (the field it names comes first anyway).
MESSAGE_CHARS = 240


def excerpt(value: Any, limit: int = EXCERPT_CHARS) -> str:
    """`repr` of a value, cut to about `limit` characters with "…" (and its length when cut)."""
    if isinstance(value, str):
        if len(value) <= limit:
            return repr(value)
        return repr(value[:limit]) + f"… ({len(value):,} characters)"
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "…"


def bounded(message: str, limit: int = MESSAGE_CHARS) -> str:
    """A message cut to `limit` characters with "…"."""
    return message if len(message) <= limit else message[:limit] + "…"


def schema_message(message: str, instance: Any) -> str:
    """A JSON Schema error message (which quotes the whole offending instance) with the instance excerpted."""
    if len(message) <= MESSAGE_CHARS:
        return message
    quoted = repr(instance)
    if len(quoted) > EXCERPT_CHARS and quoted in message:
        message = message.replace(quoted, excerpt(instance))
    return bounded(message)


def field_path(loc: tuple[int | str, ...]) -> str:
    """`spec.inputs.size`, `labels[2]`: where an error is; a hostile key is cut to an excerpt."""
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts.append(f"[{item}]")
        else:
            text = str(item) if len(str(item)) <= 60 else str(item)[:60] + "…"
            parts.append(f".{text}" if parts else text)
    return "".join(parts)


def pydantic_reason(error: Mapping[str, Any]) -> str:
    """A pydantic error as a short reason; a value it quotes is cut to an excerpt."""
    message = str(error["msg"])
    if error["type"] == "missing":
        return "is required"
    if error["type"] == "extra_forbidden":
        key = str(error["loc"][-1]) if error.get("loc") else ""
        if " " in key:
            return "is not a known field (an unquoted comma inside {...} splits a value: quote it)"
        return "is not a known field"
    if error["type"] == "literal_error":
        return schema_message(f"{message} (got {excerpt(error.get('input'))})", None)
    return schema_message(message.removeprefix("Value error, "), error.get("input"))
