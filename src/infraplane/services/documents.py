"""Reading documents users write or hand over (YAML; JSON a tool made), strictly, with problems naming the file.

Documents come from people and agents, so the reader refuses what no environment or blueprint
needs, before any work is done: files over a size limit or not text, and YAML that
`core.yaml_text` refuses (a key named twice, a "billion laughs", deep nesting, several documents).
JSON documents (a plan someone made elsewhere) are refused past a depth limit too, so no reader
downstream ends in a RecursionError.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from infraplane.core.yaml_text import MAX_DEPTH, MAX_NODES, load_yaml_text
from infraplane.errors import InputError, Problem

__all__ = [
    "MAX_DEPTH",
    "MAX_DOCUMENT_BYTES",
    "MAX_JSON_DEPTH",
    "MAX_NODES",
    "MAX_PLAN_BYTES",
    "json_depth_exceeds",
    "load_yaml_text",
    "read_json",
    "read_yaml",
]

MAX_DOCUMENT_BYTES = 1024 * 1024
# Terraform's plan JSON nests modules, blocks and values; real plans stay far below this.
MAX_JSON_DEPTH = 200
# A plan JSON of a monorepo with thousands of resources runs to tens of MB; beyond this it is refused unread.
MAX_PLAN_BYTES = 512 * 1024 * 1024


def _regular_file(file: Path, kind: str) -> None:
    name = str(file)
    if not file.exists():
        raise InputError(f"{file}: no such file or directory", [Problem(name, "", "no such file or directory")])
    if file.is_dir():
        raise InputError(f"{file}: is a directory, expected a {kind} file", [Problem(name, "", "is a directory")])
    if not file.is_file():
        raise InputError(f"{file}: not a regular file", [Problem(name, "", "not a regular file (a device or pipe?)")])


def read_yaml(file: Path, max_bytes: int = MAX_DOCUMENT_BYTES) -> tuple[Any, list[Problem]]:
    """The loaded document, or the problems that stopped it loading (data is then None)."""
    name = str(file)
    _regular_file(file, "YAML")
    size = file.stat().st_size
    if size > max_bytes:
        return None, [
            Problem(
                name, "", f"is {size:,} bytes; the limit for a document is {max_bytes:,} bytes (limits.document_bytes)"
            )
        ]
    try:
        text = file.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return None, [Problem(name, "", "not a text file (not valid UTF-8)")]
    except OSError as exc:
        return None, [Problem(name, "", f"cannot read: {exc.strerror}")]
    try:
        return load_yaml_text(text, name), []
    except InputError as error:
        return None, list(error.problems)


def json_depth_exceeds(document: Any, max_depth: int) -> bool:
    """Whether objects and arrays nest deeper than `max_depth` (walked a level at a time, without recursion)."""
    level: list[Any] = [document] if isinstance(document, dict | list) else []
    depth = 1
    while level:
        if depth > max_depth:
            return True
        below: list[Any] = []
        for value in level:
            below += [
                child
                for child in (value.values() if isinstance(value, dict) else value)
                if isinstance(child, dict | list)
            ]
        level = below
        depth += 1
    return False


def read_json(file: Path, kind: str, max_depth: int = MAX_JSON_DEPTH, max_bytes: int | None = None) -> Any:
    """One JSON document from a regular file; InputError naming the file for anything else."""
    name = str(file)
    _regular_file(file, kind)
    if max_bytes is not None:
        size = file.stat().st_size
        if size > max_bytes:
            reason = f"refused: {size:,} bytes, over the limit of {max_bytes:,} (limits.plan_bytes)"
            raise InputError.from_problems([Problem(name, "", reason)])
    try:
        text = file.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InputError.from_problems(
            [Problem(name, "", f"not a text file (not valid UTF-8); expected {kind}")]
        ) from None
    except OSError as exc:
        raise InputError.from_problems([Problem(name, "", f"cannot read: {exc.strerror}")]) from None
    if not text.strip():
        raise InputError.from_problems([Problem(name, "", f"the file is empty; expected {kind}")])
    deep = InputError.from_problems([Problem(name, "", f"refused: nested more than {max_depth} levels deep")])
    try:
        document = json.loads(text)
    except RecursionError:
        raise deep from None
    except ValueError as exc:
        raise InputError.from_problems([Problem(name, "", f"not JSON: {str(exc)[:120]}")]) from None
    if json_depth_exceeds(document, max_depth):
        raise deep
    return document
