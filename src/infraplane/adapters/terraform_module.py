"""Reading a Terraform module's interface (variables and outputs) with python-hcl2."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import hcl2
from hcl2 import SerializationOptions
from lark.exceptions import LarkError

from infraplane.errors import Problem

__all__ = ["ModuleInterface", "ModuleOutput", "ModuleVariable", "read_module_interface"]

_OPTIONS = SerializationOptions(strip_string_quotes=True, explicit_blocks=False, with_comments=False)


@dataclass(frozen=True)
class ModuleVariable:
    name: str
    type: str | None
    has_default: bool
    default: Any
    sensitive: bool
    file: str


@dataclass(frozen=True)
class ModuleOutput:
    name: str
    sensitive: bool
    file: str


@dataclass(frozen=True)
class ModuleInterface:
    variables: dict[str, ModuleVariable]
    outputs: dict[str, ModuleOutput]
    providers: frozenset[str] = frozenset()


def _type_expression(raw: Any) -> str | None:
    if raw is None:
        return None
    text = str(raw).strip()
    if text.startswith("${") and text.endswith("}"):
        text = text[2:-1]
    return re.sub(r"\s+", "", text)


def _blocks(document: dict[str, Any], kind: str) -> list[tuple[str, dict[str, Any]]]:
    found: list[tuple[str, dict[str, Any]]] = []
    for block in document.get(kind, []):
        for name, body in block.items():
            found.append((str(name).strip('"'), body if isinstance(body, dict) else {}))
    return found


def read_module_interface(directory: Path) -> tuple[ModuleInterface, list[Problem]]:
    """Variables and outputs of every `*.tf` file in `directory` (not recursive, like Terraform)."""
    variables: dict[str, ModuleVariable] = {}
    outputs: dict[str, ModuleOutput] = {}
    providers: set[str] = set()
    problems: list[Problem] = []
    for path in sorted(directory.glob("*.tf")):
        try:
            with path.open(encoding="utf-8") as handle:
                document = hcl2.load(handle, serialization_options=_OPTIONS)
        except (LarkError, ValueError, UnicodeDecodeError) as exc:
            first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            problems.append(Problem(str(path), "", f"cannot parse HCL: {first_line}"))
            continue
        for name, body in _blocks(document, "variable"):
            variables[name] = ModuleVariable(
                name=name,
                type=_type_expression(body.get("type")),
                has_default="default" in body,
                default=body.get("default"),
                sensitive=bool(body.get("sensitive", False)),
                file=str(path),
            )
        for name, body in _blocks(document, "output"):
            outputs[name] = ModuleOutput(name=name, sensitive=bool(body.get("sensitive", False)), file=str(path))
        providers.update(name for name, _ in _blocks(document, "provider"))
    return ModuleInterface(variables, outputs, frozenset(providers)), problems
