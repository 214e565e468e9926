"""Which names a bundle's rules read: the fields its Rego code reads, the words of names in its strings, its params.

A bundle whose `bundle.yaml` says `input: {attributes: referenced}` (or lists attributes) promises that its
rules name every field and attribute they read. The engine then hands it the plan narrowed to those names
(`core.policy.project_plan_input`), which makes evaluation several times cheaper on large plans. The names
are every name the code reads after a dot (`rc.after`, `block.protocol`), every word of a string literal
that holds no white space (a name or a path such as `"kms_key_id"` or `"environment["`; a message is prose
and names nothing), and every word of the params. Comments, variables and rule names are left out. The
projection may keep too much, never too little for such a bundle.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from infraplane.core.policy_bundles import LoadedBundle

__all__ = ["attribute_names"]

_WORD = re.compile(r"[A-Za-z0-9_]+")
_STRING = re.compile(r'"((?:[^"\\]|\\.)*)"|`([^`]*)`')
# A string (which may hold `#`) or a comment, in the order they start in Rego source.
_STRING_OR_COMMENT = re.compile(r'"(?:[^"\\\n]|\\.)*"|`[^`]*`|#[^\n]*')
_SPACE = re.compile(r"\s")
# A field read in code: `rc.after`, `block.protocol` (a name standing alone is a variable, rule or keyword).
_DOTTED = re.compile(r"\.\s*([A-Za-z_][A-Za-z0-9_]*)")


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


def _code_names(source: str) -> Iterator[str]:
    """Names after a dot in the code and words of white-space-free string literals; comments and prose skipped."""
    position = 0
    for token in _STRING_OR_COMMENT.finditer(source):
        yield from _DOTTED.findall(source, position, token.start())
        position = token.end()
        text = token.group(0)
        if not text.startswith("#") and not _SPACE.search(text):
            yield from _WORD.findall(text)
    yield from _DOTTED.findall(source, position)


_SOURCE_NAMES: dict[str, frozenset[str]] = {}


def _source_names(bundle: LoadedBundle) -> frozenset[str]:
    if bundle.digest not in _SOURCE_NAMES:
        names: set[str] = set()
        for name, text in bundle.modules.items():
            if not name.endswith("_test.rego"):
                names.update(_code_names(text))
        _SOURCE_NAMES[bundle.digest] = frozenset(names)
    return _SOURCE_NAMES[bundle.digest]


def attribute_names(bundle: LoadedBundle, params: Mapping[str, Any]) -> frozenset[str] | None:
    """The attributes to keep for this bundle, or None when it is handed every attribute."""
    declared = bundle.manifest.input.attributes
    if declared == "all":
        return None
    listed = frozenset(declared) if not isinstance(declared, str) else frozenset()
    return _source_names(bundle) | listed | frozenset(_names(_strings(params)))
