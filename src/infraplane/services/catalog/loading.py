"""Finding and reading `blueprint.yaml` files from a path given by a user."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from infraplane.core.archives import EXCLUDED_DIRS
from infraplane.core.blueprint import Blueprint, parse_blueprint
from infraplane.errors import InputError, Problem
from infraplane.services.documents import MAX_DOCUMENT_BYTES, read_yaml

__all__ = ["BLUEPRINT_FILE", "LoadedBlueprint", "find_blueprint_files", "load_blueprint"]

BLUEPRINT_FILE = "blueprint.yaml"


@dataclass(frozen=True)
class LoadedBlueprint:
    """A blueprint read from disk, with where it came from."""

    file: Path
    blueprint: Blueprint

    @property
    def directory(self) -> Path:
        return self.file.parent


def find_blueprint_files(path: Path) -> list[Path]:
    """One file, a blueprint directory, or a catalog directory holding many blueprints."""
    if not path.exists():
        raise InputError(f"{path}: no such file or directory", [Problem(str(path), "", "no such file or directory")])
    if path.is_file():
        return [path]
    if not path.is_dir():
        reason = "not a regular file or a directory (a device or pipe?)"
        raise InputError(f"{path}: {reason}", [Problem(str(path), "", reason)])
    if (path / BLUEPRINT_FILE).is_file():
        return [path / BLUEPRINT_FILE]
    found = sorted(
        p for p in path.rglob(BLUEPRINT_FILE) if not any(part in EXCLUDED_DIRS for part in p.relative_to(path).parts)
    )
    if not found:
        raise InputError(
            f"{path}: no {BLUEPRINT_FILE} in this directory or below",
            [Problem(str(path), "", f"no {BLUEPRINT_FILE} found")],
        )
    return found


def load_blueprint(file: Path, max_bytes: int = MAX_DOCUMENT_BYTES) -> tuple[LoadedBlueprint | None, list[Problem]]:
    """Read and parse one file (at most `max_bytes`); every problem names the file and the field."""
    data, problems = read_yaml(file, max_bytes)
    if problems:
        return None, problems
    blueprint, problems = parse_blueprint(data, str(file))
    if blueprint is None:
        return None, problems
    return LoadedBlueprint(file.resolve(), blueprint), []
