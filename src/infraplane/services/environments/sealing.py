"""Sensitive inputs kept out of stored documents: sealed when a revision or proposal is stored, opened to run.

A revision's (and a proposal's) document holds `{"$secret": "<Fernet token>"}` in place of the
value of every input a blueprint declares `sensitive: true`, sealed with the state key. The value
is opened only where a stored document is resolved again to plan or apply it
(`EnvironmentService.resolve_document`); everything that shows a document shows `(sensitive)`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from infraplane.core.wiring import OutputRef
from infraplane.errors import FailureError, InputError, Problem
from infraplane.services.environments.resolution import Resolution

__all__ = ["MASK", "SEALED_MARKER", "is_sealed", "masked", "sealed_document", "unsealed"]

SEALED_MARKER = "$secret"
MASK = "(sensitive)"

Seal = Callable[[bytes], str]
Unseal = Callable[[str], bytes]


def is_sealed(value: Any) -> bool:
    return isinstance(value, Mapping) and set(value) == {SEALED_MARKER} and isinstance(value[SEALED_MARKER], str)


def _seal(value: Any, seal: Seal) -> Any:
    if value is None or is_sealed(value):
        return value
    return {SEALED_MARKER: seal(json.dumps(value, sort_keys=True).encode("utf-8"))}


def _sensitive_values(resolution: Resolution) -> list[Any]:
    """Every literal value that reaches an input some component's blueprint declares sensitive."""
    return [
        value
        for component in resolution.graph.components
        for name, value in component.inputs.items()
        if name in component.blueprint.sensitive_inputs() and not isinstance(value, OutputRef) and value is not None
    ]


def sealed_document(resolution: Resolution, seal: Seal) -> dict[str, Any]:
    """The resolution's revision document with every sensitive input value sealed.

    A top-level input is sensitive when the environment's blueprint says so, or when its value is
    what reaches a sensitive input of a component (a composite's or inline components' wiring).
    """
    document = resolution.revision_document()
    secrets = _sensitive_values(resolution)
    top_sensitive = resolution.top.blueprint.sensitive_inputs()
    spec = document["environment"].get("spec", {})
    inputs = spec.get("inputs", {})
    for name, value in inputs.items():
        if name in top_sensitive or value in secrets:
            inputs[name] = _seal(value, seal)
    by_name = {c.name: c for c in resolution.graph.components}
    for name, inline in (spec.get("components") or {}).items():
        found = by_name.get(name)
        for key, value in (inline.get("inputs") or {}).items():
            if (found is not None and key in found.blueprint.sensitive_inputs() and "${" not in str(value)) or (
                value in secrets
            ):
                inline["inputs"][key] = _seal(value, seal)
    for entry in document["components"]:
        found = by_name[entry["name"]]
        for key, value in entry["inputs"].items():
            if key in found.blueprint.sensitive_inputs() and not isinstance(found.inputs.get(key), OutputRef):
                entry["inputs"][key] = _seal(value, seal)
    return document


def unsealed(value: Any, unseal: Unseal, source: str = "", path: str = "") -> Any:
    """A copy of `value` with every sealed value opened (only to resolve it for a run)."""
    if is_sealed(value):
        try:
            return json.loads(unseal(value[SEALED_MARKER]))
        except (FailureError, ValueError):
            reason = "holds a sealed value the state key cannot open (another home's key, or altered)"
            raise InputError.from_problems([Problem(source, path, reason)]) from None
    if isinstance(value, Mapping):
        return {k: unsealed(v, unseal, source, f"{path}.{k}" if path else str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [unsealed(v, unseal, source, f"{path}[{i}]") for i, v in enumerate(value)]
    return value


def masked(value: Any) -> Any:
    """A copy of `value` with every sealed value shown as `(sensitive)`."""
    if is_sealed(value):
        return MASK
    if isinstance(value, Mapping):
        return {k: masked(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [masked(v) for v in value]
    return value
