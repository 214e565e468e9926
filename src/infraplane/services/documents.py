"""Reading YAML documents users write, with problems that name the file and the line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from infraplane.errors import InputError, Problem

__all__ = ["read_yaml"]


def read_yaml(file: Path) -> tuple[Any, list[Problem]]:
    """The loaded document, or the problems that stopped it loading (data is then None)."""
    name = str(file)
    if not file.exists():
        raise InputError(f"{file}: no such file or directory", [Problem(name, "", "no such file or directory")])
    if file.is_dir():
        raise InputError(f"{file}: is a directory, expected a YAML file", [Problem(name, "", "is a directory")])
    try:
        text = file.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return None, [Problem(name, "", "not a text file (not valid UTF-8)")]
    except OSError as exc:
        return None, [Problem(name, "", f"cannot read: {exc.strerror}")]
    try:
        return yaml.safe_load(text), []
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or "syntax error"
        return None, [Problem(name, "", f"not valid YAML{where}: {problem}")]
