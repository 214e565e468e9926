"""Which resource attributes a bundle is handed: the names its Rego source and params mention.

A bundle whose `bundle.yaml` says `input: {attributes: referenced}` (or lists attributes) promises that its
rules name every attribute they read. The engine then gives it each change's `before`, `after` and
`after_unknown` narrowed to those names (`core.policy.project_plan_input`), which makes evaluation several
times cheaper on large plans. Every word of the source counts, comments and strings included, so a name that
appears anywhere is kept: the projection may keep too much, never too little for such a bundle.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from infraplane.core.policy_bundles import LoadedBundle

__all__ = ["attribute_names"]

_WORD = re.compile(r"[A-Za-z0-9_]+")
_STRING = re.compile(r'"((?:[^"\\]|\\.)*)"|`([^`]*)`')


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield str(key)
            yield from _strings(item)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            yield from _strings(item)


def _names(texts: Iterator[str]) -> set[str]:
    names: set[str] = set()
    for text in texts:
        names.update(_WORD.findall(text))
        names.update(a or b for a, b in _STRING.findall(text))
    return names


_SOURCE_NAMES: dict[str, frozenset[str]] = {}


def _source_names(bundle: LoadedBundle) -> frozenset[str]:
    if bundle.digest not in _SOURCE_NAMES:
        sources = (t for n, t in bundle.modules.items() if not n.endswith("_test.rego"))
        _SOURCE_NAMES[bundle.digest] = frozenset(_names(sources))
    return _SOURCE_NAMES[bundle.digest]


def attribute_names(bundle: LoadedBundle, params: Mapping[str, Any]) -> frozenset[str] | None:
    """The attributes to keep for this bundle, or None when it is handed every attribute."""
    declared = bundle.manifest.input.attributes
    if declared == "all":
        return None
    listed = frozenset(declared) if not isinstance(declared, str) else frozenset()
    return _source_names(bundle) | listed | frozenset(_names(_strings(params)))
