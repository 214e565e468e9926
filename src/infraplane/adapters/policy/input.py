"""The input document handed to rego-cpp, converted with fewer Python steps than `regopy.Input`.

`regopy.Input` walks the document with several Python calls and a string buffer per value; on a plan of
thousands of resources that walk costs more than evaluating the rules. This walker makes the same calls
into regopy's C API (`regoInput*`), bound once, with the value encoded as bytes directly. When regopy
does not expose those functions (another version), `regopy.Input` is used as it is.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from regopy import Input, RegoError

__all__ = ["to_input"]

try:  # regopy's ctypes library; the names are its C API (rego_c.h)
    from regopy.rego_shared import rego as _lib  # type: ignore[import-untyped]

    _new = _lib.regoNewInput
    _string, _int, _float = _lib.regoInputString, _lib.regoInputInt, _lib.regoInputFloat
    _bool, _null = _lib.regoInputBoolean, _lib.regoInputNull
    _item, _object, _array = _lib.regoInputObjectItem, _lib.regoInputObject, _lib.regoInputArray
    _free = _lib.regoFreeInput
except (ImportError, AttributeError):  # pragma: no cover - another regopy
    _lib = None


class _Converted(Input):  # type: ignore[misc]
    """A `regopy.Input` whose native value was built by `to_input`."""

    def __init__(self, handle: Any) -> None:  # Input.__init__ would convert a value itself
        self._impl = handle


_ESCAPED = re.compile(r'["\\\x00-\x1f]')


def _text(value: str) -> bytes:
    """A string as rego-cpp holds one: the inside of its JSON literal (quotes, backslashes, controls escaped).

    rego-cpp keeps every string escaped, as it appears between the quotes of a Rego or JSON literal, and
    writes results out as they are: handed `p["k"]` raw, it compares it wrongly with the literal "p[\"k\"]"
    and prints invalid JSON for any finding naming it (a `for_each` resource's address).
    """
    if _ESCAPED.search(value) is None:  # most strings: nothing to escape
        return value.encode("utf-8")
    return json.dumps(value, ensure_ascii=False)[1:-1].encode("utf-8")


def _add(handle: Any, value: Any) -> int:
    """Push `value` onto the input under construction; a non-zero result is regopy's error code."""
    if isinstance(value, str):
        return int(_string(handle, _text(value)))
    if value is True or value is False:
        return int(_bool(handle, value))
    if value is None:
        return int(_null(handle))
    if isinstance(value, int):
        return int(_int(handle, value))
    if isinstance(value, float):
        return int(_float(handle, value))
    if isinstance(value, Mapping):
        for key, item in value.items():
            if _string(handle, _text(str(key))) or _add(handle, item) or _item(handle):
                return 1
        return int(_object(handle, len(value)))
    if isinstance(value, list | tuple):
        for item in value:
            if _add(handle, item):
                return 1
        return int(_array(handle, len(value)))
    raise ValueError(f"cannot hand a {type(value).__name__} to the policy engine")


def to_input(document: Mapping[str, Any]) -> Input:
    """`document` as a regopy Input (JSON-like values: mappings with string keys, lists, scalars)."""
    if _lib is None:  # pragma: no cover - another regopy
        return Input(document)
    handle = _new()
    try:
        failed = _add(handle, document)
    except BaseException:
        _free(handle)
        raise
    if failed:
        _free(handle)
        raise RegoError("Unable to create input")
    return _Converted(handle)
