"""Cursor pagination: a page of items after an opaque cursor, and the cursor of the next page."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from typing import TypeVar

from infraplane.errors import InputError, Problem

__all__ = ["page"]

T = TypeVar("T")


def _encode(key: str) -> str:
    return base64.urlsafe_b64encode(key.encode("utf-8")).decode("ascii").rstrip("=")


def _decode(cursor: str) -> str:
    try:
        return base64.b64decode(cursor + "=" * (-len(cursor) % 4), altchars=b"-_", validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise InputError.from_problems([Problem("", "cursor", "not a cursor this API gave out")]) from None


def page(items: Sequence[T], key: Callable[[T], str], cursor: str | None, limit: int) -> tuple[list[T], str | None]:
    """The items (ordered by `key`, which must be unique) after `cursor`, at most `limit`; and the next cursor."""
    ordered = sorted(items, key=key)
    if cursor:
        after = _decode(cursor)
        ordered = [item for item in ordered if key(item) > after]
    chosen = ordered[:limit]
    more = len(ordered) > limit
    return chosen, (_encode(key(chosen[-1])) if more and chosen else None)
