"""Reading a Terraform module's interface (variables, outputs, providers) with python-hcl2, cached by digest."""

from __future__ import annotations

import hashlib
import json
import os
import re
import threading
from pathlib import Path
from typing import Any

from infraplane.core.module_interface import ModuleInterface, ModuleOutput, ModuleVariable
from infraplane.errors import Problem

__all__ = ["ModuleInterface", "ModuleInterfaceCache", "ModuleOutput", "ModuleVariable", "read_module_interface"]


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
    # python-hcl2 (and its grammar) costs ~0.4 s to import: only a cache miss pays for it.
    import hcl2
    from hcl2 import SerializationOptions
    from lark.exceptions import LarkError

    options = SerializationOptions(strip_string_quotes=True, explicit_blocks=False, with_comments=False)
    variables: dict[str, ModuleVariable] = {}
    outputs: dict[str, ModuleOutput] = {}
    providers: set[str] = set()
    problems: list[Problem] = []
    for path in sorted(directory.glob("*.tf")):
        try:
            with path.open(encoding="utf-8") as handle:
                document = hcl2.load(handle, serialization_options=options)
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


def _to_json(interface: ModuleInterface) -> dict[str, Any]:
    return {
        "variables": [vars(v) for v in interface.variables.values()],
        "outputs": [vars(o) for o in interface.outputs.values()],
        "providers": sorted(interface.providers),
    }


def _from_json(data: Any) -> ModuleInterface:
    return ModuleInterface(
        {v["name"]: ModuleVariable(**v) for v in data["variables"]},
        {o["name"]: ModuleOutput(**o) for o in data["outputs"]},
        frozenset(data["providers"]),
    )


class ModuleInterfaceCache:
    """Module interfaces of published blueprint versions, parsed once per content digest.

    A published version is immutable, so its interface is never stale: it is kept in memory
    and, when `directory` is given, as a small JSON file there, so the next process skips
    python-hcl2 too. A module with HCL problems is not cached (its problems are reported anew).
    """

    def __init__(self, directory: Path | None = None) -> None:
        self._directory = directory
        self._memory: dict[str, ModuleInterface] = {}
        self._guard = threading.Lock()

    def _key(self, digest: str, source: str) -> str:
        return hashlib.sha256(f"{digest}\n{source}".encode()).hexdigest()

    def _load(self, key: str) -> ModuleInterface | None:
        if self._directory is None:
            return None
        path = self._directory / f"{key}.json"
        try:
            return _from_json(json.loads(path.read_text(encoding="utf-8")))
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError):
            path.unlink(missing_ok=True)  # a damaged entry is parsed again
            return None

    def _store(self, key: str, interface: ModuleInterface) -> None:
        if self._directory is None:
            return
        self._directory.mkdir(parents=True, exist_ok=True)
        path = self._directory / f"{key}.json"
        temporary = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
        temporary.write_text(json.dumps(_to_json(interface), default=str), encoding="utf-8")
        temporary.replace(path)

    def read(self, digest: str, source: str, module_dir: Path) -> tuple[ModuleInterface, list[Problem]]:
        """The interface of the module at `source` inside the archive with `digest`, unpacked at `module_dir`."""
        key = self._key(digest, source)
        with self._guard:
            found = self._memory.get(key)
        if found is None:
            found = self._load(key)
        if found is None:
            interface, problems = read_module_interface(module_dir)
            if problems:
                return interface, problems
            self._store(key, interface)
            found = interface
        with self._guard:
            self._memory[key] = found
        return found, []
