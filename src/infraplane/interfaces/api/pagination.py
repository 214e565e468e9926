"""Cursor pagination: a page of items after an opaque cursor, and the cursor of the next page."""

from __future__ import annotations

import base64
import binascii

from infraplane.errors import InputError, Problem

__all__ = ["after_cursor", "cursor_for"]


def _encode(key: str) -> str:
    return base64.urlsafe_b64encode(key.encode("utf-8")).decode("ascii").rstrip("=")


def _decode(cursor: str) -> str:
    try:
        return base64.b64decode(cursor + "=" * (-len(cursor) % 4), altchars=b"-_", validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise InputError.from_problems([Problem("", "cursor", "not a cursor this API gave out")]) from None


def after_cursor(cursor: str | None) -> tuple[str, str] | None:
    """The (created_at, id) a cursor of `cursor_for` names, or None for the first page."""
    if not cursor:
        return None
    created_at, separator, item_id = _decode(cursor).partition("|")
    if not separator:
        raise InputError.from_problems([Problem("", "cursor", "not a cursor this API gave out")])
    return created_at, item_id


def cursor_for(created_at: str, item_id: str) -> str:
    """The cursor of the page after the item with this (created_at, id)."""
    return _encode(f"{created_at}|{item_id}")
