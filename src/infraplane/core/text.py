"""Text that came from a requester or an agent, made inert before anyone reads it.

Justifications, names, reasons and descriptions can hold terminal control sequences (clear the screen,
paint a red "APPROVED"), carriage returns that overwrite a line, or bidirectional overrides that reorder
what a reviewer reads. Every such character is shown as a visible escape instead (`\\x1b`, `\\u202e`);
newlines and tabs stay.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

__all__ = ["inert", "inert_json", "string_leaves"]

# C0 controls but tab and newline, DEL and the C1 controls, zero-width and bidi controls, BOM.
_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]"
)
# In JSON text the C0 controls are already escaped by the encoder; the rest may still appear raw.
_UNSAFE_IN_JSON = re.compile("[\x7f-\x9f\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def inert(text: str) -> str:
    """`text` with every control character written out as a visible escape."""
    return _UNSAFE.sub(_visible, text)


def inert_json(encoded: str) -> str:
    """JSON text with the characters a JSON encoder leaves raw escaped as `\\uXXXX` (still the same JSON value)."""
    return _UNSAFE_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", encoded)


def string_leaves(value: Any) -> Iterator[str]:
    """Every string in a JSON-like value: the values of mappings and the items of lists (not the keys)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from string_leaves(item)
    elif isinstance(value, list):
        for item in value:
            yield from string_leaves(item)
