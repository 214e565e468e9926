"""The input document handed to rego-cpp, converted with fewer Python steps than `regopy.Input`.

`regopy.Input` walks the document with several Python calls and a string buffer per value; on a plan of
thousands of resources that walk costs more than evaluating the rules. This walker makes the same calls
into regopy's C API (`regoInput*`), bound once, with the value encoded as bytes directly. When regopy
does not expose those functions (another version), `regopy.Input` is used as it is.
"""

from __future__ import annotations

import ctypes
import json
import math
import re
from collections.abc import Mapping
from datetime import date
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


# Strings a plan repeats in every change (field names, actions, types), encoded once per conversion.
_MEMO_LIMIT = 65536


class _Builder:
    """One input under construction: each method pushes a value and returns regopy's code (0 when it worked).

    The values of a JSON document (dict, list, str, bool, None, int, float) are told apart by their exact
    type, the cheapest test; any other mapping or sequence takes the general path.
    """

    def __init__(self, handle: int) -> None:
        self.handle = ctypes.c_void_p(handle)  # converted once rather than at every call
        self.encoded: dict[str, bytes] = {}

    def text(self, value: str) -> bytes:
        found = self.encoded.get(value)
        if found is None:
            found = _text(value)
            if len(self.encoded) < _MEMO_LIMIT:
                self.encoded[value] = found
        return found

    def add(self, value: Any) -> int:
        kind = type(value)
        handle = self.handle
        if kind is str:
            return _string(handle, self.text(value))  # type: ignore[no-any-return]
        if kind is dict:
            for key, item in value.items():
                if _string(handle, self.text(key if type(key) is str else str(key))) or self.add(item) or _item(handle):
                    return 1
            return _object(handle, len(value))  # type: ignore[no-any-return]
        if kind is list:
            for item in value:
                if self.add(item):
                    return 1
            return _array(handle, len(value))  # type: ignore[no-any-return]
        if kind is bool:
            return _bool(handle, value)  # type: ignore[no-any-return]
        if value is None:
            return _null(handle)  # type: ignore[no-any-return]
        if kind is int:
            return self.add_int(value)
        if kind is float:
            return self.add_float(value)
        return self.add_other(value)

    def add_int(self, value: int) -> int:
        """An integer; one past 64 bits (rego-cpp's C API takes no more) as the nearest float, as JSON readers do."""
        if -(2**63) <= value < 2**63:
            return _int(self.handle, value)  # type: ignore[no-any-return]
        try:
            return self.add_float(float(value))
        except OverflowError:
            raise ValueError("a number too large for the policy engine (over 1e308)") from None

    def add_float(self, value: float) -> int:
        if not math.isfinite(value):  # rego-cpp would write it out as invalid JSON
            raise ValueError(f"{value} is not a number the policy engine can take (NaN or infinity)")
        return _float(self.handle, value)  # type: ignore[no-any-return]

    def add_other(self, value: Any) -> int:
        """A subclass of str, int or float (an enum), a date, a mapping other than dict, a tuple: as in JSON."""
        handle = self.handle
        if isinstance(value, str):
            return _string(handle, self.text(value))  # type: ignore[no-any-return]
        if isinstance(value, int):
            return self.add_int(int(value))
        if isinstance(value, float):
            return self.add_float(float(value))
        if isinstance(value, date):  # a YAML timestamp in a bundle's params: text, as in JSON
            return _string(handle, self.text(value.isoformat()))  # type: ignore[no-any-return]
        if isinstance(value, Mapping):
            return self.add({str(key): item for key, item in value.items()})
        if isinstance(value, list | tuple):
            return self.add(list(value))
        raise ValueError(f"cannot hand a {type(value).__name__} to the policy engine")


def to_input(document: Mapping[str, Any]) -> Input:
    """`document` as a regopy Input (JSON-like values: mappings with string keys, lists, scalars)."""
    if _lib is None:  # pragma: no cover - another regopy
        return Input(document)
    handle = _new()
    try:
        failed = _Builder(handle).add(document)
    except BaseException:
        _free(handle)
        raise
    if failed:
        _free(handle)
        raise RegoError("Unable to create input")
    return _Converted(handle)
