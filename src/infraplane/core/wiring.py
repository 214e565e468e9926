"""Input wiring: `${components.<c>.outputs.<o>}`, `${inputs.<name>}` and `${environments.<e>.outputs.<o>}`.

A wired value is either a whole reference string or a literal; nothing else is
evaluated (no string interpolation, no functions). Only an environment file reads another
environment's outputs (core/upstream.py); a blueprint never does.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from infraplane.core.excerpt import excerpt

__all__ = ["EnvironmentOutputRef", "InputRef", "OutputRef", "Reference", "find_references", "parse_reference"]

_REFERENCE = re.compile(r"^\$\{\s*(?P<body>[^}]*)\s*\}$")
_OUTPUT = re.compile(r"^components\.(?P<component>[a-z][a-z0-9_-]*)\.outputs\.(?P<output>[A-Za-z_][A-Za-z0-9_]*)$")
_INPUT = re.compile(r"^inputs\.(?P<input>[A-Za-z_][A-Za-z0-9_]*)$")
_ENVIRONMENT = re.compile(
    r"^environments\.(?P<environment>[a-z][a-z0-9-]*)\.outputs\.(?P<output>[A-Za-z_][A-Za-z0-9_]*)$"
)
_UNDERSTOOD = "${components.<name>.outputs.<output>}, ${inputs.<name>} or ${environments.<name>.outputs.<output>}"


@dataclass(frozen=True)
class OutputRef:
    """A value wired from another component's output."""

    component: str
    output: str

    def __str__(self) -> str:
        return f"${{components.{self.component}.outputs.{self.output}}}"


@dataclass(frozen=True)
class InputRef:
    """A value wired from the composite's own input."""

    input: str

    def __str__(self) -> str:
        return f"${{inputs.{self.input}}}"


@dataclass(frozen=True)
class EnvironmentOutputRef:
    """A value read from another environment's output (read-only; only environment files hold these)."""

    environment: str
    output: str

    def __str__(self) -> str:
        return f"${{environments.{self.environment}.outputs.{self.output}}}"


Reference = OutputRef | InputRef | EnvironmentOutputRef


def parse_reference(value: Any) -> Reference | None:
    """The reference a value stands for; None for a literal. Raises ValueError for `${...}` that is not one."""
    if not isinstance(value, str) or "${" not in value:
        return None
    match = _REFERENCE.match(value.strip())
    if not match:
        raise ValueError(f"{excerpt(value)}: a wired value must be exactly one reference, {_UNDERSTOOD}")
    body = match.group("body").strip()
    if m := _OUTPUT.match(body):
        return OutputRef(m.group("component"), m.group("output"))
    if m := _INPUT.match(body):
        return InputRef(m.group("input"))
    if m := _ENVIRONMENT.match(body):
        return EnvironmentOutputRef(m.group("environment"), m.group("output"))
    raise ValueError(f"{excerpt(value)}: only {_UNDERSTOOD} are understood")


def find_references(value: Any, path: str = "") -> Iterator[tuple[str, Reference | ValueError]]:
    """Every reference inside a (possibly nested) literal, with its path; malformed ones as errors."""
    if isinstance(value, Mapping):
        for key, item in value.items():
            yield from find_references(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from find_references(item, f"{path}[{index}]")
    else:
        try:
            ref = parse_reference(value)
        except ValueError as exc:
            yield path, exc
        else:
            if ref is not None:
                yield path, ref
