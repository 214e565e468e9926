"""Reading a Terraform module's interface (variables, outputs, providers) with python-hcl2, cached by digest.

Also read: which resource attributes the module sets to exactly one variable (`visibility_timeout_seconds =
var.visibility_timeout_seconds`). Only such a direct reference maps a drifted attribute back to an input
(`drift accept`); an expression (`var.retention_days * 86400`) or a literal is the module's own choice.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from infraplane.core.excerpt import bounded
from infraplane.core.module_interface import ModuleInterface, ModuleOutput, ModuleVariable
from infraplane.errors import Problem

__all__ = [
    "ModuleInterface",
    "ModuleInterfaceCache",
    "ModuleOutput",
    "ModuleVariable",
    "PublishedModuleInterfaces",
    "read_module_interface",
]


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


_DIRECT_VARIABLE = re.compile(r"^\$\{var\.([A-Za-z_][A-Za-z0-9_-]*)\}$")


def _attribute_inputs(document: dict[str, Any]) -> dict[str, str]:
    """`TYPE.NAME.ATTRIBUTE` -> variable, for every top-level resource attribute that is exactly `var.X`."""
    found: dict[str, str] = {}
    for block in document.get("resource", []):
        for resource_type, named in block.items():
            if not isinstance(named, dict):
                continue
            for name, body in named.items():
                for attribute, value in (body if isinstance(body, dict) else {}).items():
                    match = _DIRECT_VARIABLE.match(value) if isinstance(value, str) else None
                    if match:
                        found[f"{str(resource_type).strip(chr(34))}.{str(name).strip(chr(34))}.{attribute}"] = (
                            match.group(1)
                        )
    return found


# Hand-written Terraform files are kilobytes; the HCL parser takes ~250 times a file's size in memory.
MAX_TF_FILE_BYTES = 1024 * 1024
# python-hcl2 is not thread-safe: two threads parsing at once (components planned side by side) each got a
# document whose resources were missing, with no error, and that interface was cached for good (a drift
# accept then said the blueprint sets nothing from an input). Parsing is pure Python: one at a time costs
# nothing the GIL did not already take.
_HCL_PARSER = threading.Lock()


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
    attribute_inputs: dict[str, str] = {}
    problems: list[Problem] = []
    for path in sorted(directory.glob("*.tf")):
        try:
            size = path.stat().st_size
            if size > MAX_TF_FILE_BYTES:
                reason = f"{size:,} bytes; a .tf file read for the interface may have {MAX_TF_FILE_BYTES:,}"
                problems.append(Problem(str(path), "", reason))
                continue
            with path.open(encoding="utf-8") as handle, _HCL_PARSER:
                document = hcl2.load(handle, serialization_options=options)
        except OSError as exc:  # a directory named x.tf, a broken link, a link loop
            problems.append(Problem(str(path), "", f"cannot be read: {exc.strerror or exc}"))
            continue
        except (LarkError, ValueError, UnicodeDecodeError, RecursionError) as exc:
            first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            problems.append(Problem(str(path), "", f"cannot parse HCL: {bounded(first_line)}"))
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
        attribute_inputs.update(_attribute_inputs(document))
    return ModuleInterface(
        variables, outputs, frozenset(providers), attribute_inputs, _names_endpoints(directory)
    ), problems


_ENDPOINTS = re.compile(rb"\bendpoints\b")


def _names_endpoints(directory: Path) -> bool:
    """Whether any Terraform file of `directory` has the word `endpoints` (a false alarm only costs a little speed)."""
    files = [*directory.glob("*.tf"), *directory.glob("*.tf.json")]
    return any(_ENDPOINTS.search(path.read_bytes()) for path in files if path.is_file())


def _to_json(interface: ModuleInterface) -> dict[str, Any]:
    return {
        "variables": [vars(v) for v in interface.variables.values()],
        "outputs": [vars(o) for o in interface.outputs.values()],
        "providers": sorted(interface.providers),
        "attribute_inputs": interface.attribute_inputs,
        "names_endpoints": interface.names_endpoints,
    }


def _from_json(data: Any) -> ModuleInterface:
    return ModuleInterface(
        {v["name"]: ModuleVariable(**v) for v in data["variables"]},
        {o["name"]: ModuleOutput(**o) for o in data["outputs"]},
        frozenset(data["providers"]),
        # An entry cached before one of these fields existed is parsed again (KeyError).
        dict(data["attribute_inputs"]),
        bool(data["names_endpoints"]),
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

    def cached(self, digest: str, source: str) -> ModuleInterface | None:
        """The interface if this cache holds it (in memory or on disk), without reading any module."""
        key = self._key(digest, source)
        with self._guard:
            found = self._memory.get(key)
        return found if found is not None else self._load(key)

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


class PublishedModuleInterfaces:
    """The interface of a published version's module: from the cache, or read from its archive unpacked once."""

    def __init__(self, cache: ModuleInterfaceCache, archive_for: Callable[[str], bytes]) -> None:
        self._cache = cache
        self._archive_for = archive_for

    def __call__(self, digest: str, source: str) -> ModuleInterface:
        found = self._cache.cached(digest, source)
        if found is not None:
            return found
        from infraplane.adapters.archive import unpack_archive

        with tempfile.TemporaryDirectory(prefix="infraplane-module-") as scratch:
            root = Path(scratch)
            unpack_archive(self._archive_for(digest), root)
            interface, _ = self._cache.read(digest, source, root / source)
        return interface
