"""Running OPA-style Rego tests (`test_*` rules using `with input as ...`) on regopy.

regopy 1.5.2 crashes the whole process (SIGSEGV) when it evaluates `with input as`
while the policy under test calls a string built-in such as `sprintf` — which every
finding message does. So infraplane evaluates `with input as TERM` itself: the clauses
are cut out of the test modules, each TERM is evaluated as a plain query, and each test
rule is queried with that value set as the input. Tests keep standard OPA syntax; one
input per test rule (a test needing two inputs is two tests).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from infraplane.core.policy_bundles import package_names

__all__ = ["TestRule", "TransformedModule", "transform_test_module"]

_WITH_INPUT = re.compile(r"\bwith\s+input\s+as\s+")
_TEST_HEAD = re.compile(r"^(test_[A-Za-z0-9_]+)\b", re.MULTILINE)
_IDENT = re.compile(r"[A-Za-z_][\w.]*")


@dataclass
class TestRule:
    name: str
    inputs: list[str] = field(default_factory=list)


@dataclass
class TransformedModule:
    package: str
    text: str
    tests: list[TestRule]


def _term_end(text: str, start: int) -> int:
    """Where the term starting at `start` ends: a bracketed literal or a dotted name."""
    if start < len(text) and text[start] in "{[":
        depth = 0
        index = start
        in_string = False
        while index < len(text):
            char = text[index]
            if in_string:
                if char == "\\":
                    index += 1
                elif char == '"':
                    in_string = False
            elif char == '"':
                in_string = True
            elif char in "{[":
                depth += 1
            elif char in "}]":
                depth -= 1
                if depth == 0:
                    return index + 1
            index += 1
        return len(text)
    match = _IDENT.match(text, start)
    return match.end() if match else start


def transform_test_module(text: str) -> TransformedModule | None:
    """Cut `with input as TERM` out of a test module, remembering which test rule used which TERM."""
    packages = package_names(text)
    if not packages:
        return None
    heads = [(m.start(), m.group(1)) for m in _TEST_HEAD.finditer(text)]
    tests: dict[str, TestRule] = {name: TestRule(name) for _, name in heads}
    pieces: list[str] = []
    cursor = 0
    for match in _WITH_INPUT.finditer(text):
        if match.start() < cursor:
            continue
        end = _term_end(text, match.end())
        term = text[match.end() : end]
        owner = next((name for position, name in reversed(heads) if position < match.start()), None)
        if owner is not None and term not in tests[owner].inputs:
            tests[owner].inputs.append(term)
        pieces.append(text[cursor : match.start()])
        cursor = end
    pieces.append(text[cursor:])
    return TransformedModule(packages[0], "".join(pieces), list(tests.values()))
