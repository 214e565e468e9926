"""Semantic versions and version constraints (npm-style: `^1.4`, `~1.4.2`, `>=1,<2`, exact)."""

from __future__ import annotations

from collections.abc import Iterable

import nodesemver

__all__ = ["BlueprintRef", "is_valid_constraint", "is_valid_version", "newest_matching", "parse_ref", "sort_versions"]


def is_valid_version(version: str) -> bool:
    """True for a strict semantic version such as `1.4.0` or `2.0.0-rc.1`."""
    parsed = nodesemver.valid(version, False)
    # The library accepts a leading "v"; a published version is the bare form only.
    return parsed is not None and version[:1].isdigit() and version.strip() == version


def _normalize_constraint(constraint: str) -> str:
    # `>=1,<2` is the common comma form; npm ranges separate comparators by spaces.
    return " ".join(part.strip() for part in constraint.split(",") if part.strip())


def is_valid_constraint(constraint: str) -> bool:
    """True when `constraint` is a version range infraplane understands."""
    if not constraint.strip():
        return False
    try:
        return nodesemver.valid_range(_normalize_constraint(constraint), False) is not None
    except (ValueError, TypeError):
        return False


def matches(version: str, constraint: str) -> bool:
    """True when `version` satisfies `constraint`."""
    return bool(nodesemver.satisfies(version, _normalize_constraint(constraint), False))


def newest_matching(versions: Iterable[str], constraint: str | None) -> str | None:
    """The highest version that satisfies `constraint` (any version when it is None)."""
    candidates = [v for v in versions if is_valid_version(v)]
    if not candidates:
        return None
    found = nodesemver.max_satisfying(candidates, _normalize_constraint(constraint or "*"), False)
    return str(found) if found else None


def sort_versions(versions: Iterable[str]) -> list[str]:
    """Versions in ascending semver order."""
    return list(nodesemver.sort(list(versions), False))


class BlueprintRef:
    """A reference `name[@constraint]` as written in environments and composites."""

    __slots__ = ("constraint", "name")

    def __init__(self, name: str, constraint: str | None) -> None:
        self.name = name
        self.constraint = constraint

    def __str__(self) -> str:
        return f"{self.name}@{self.constraint}" if self.constraint else self.name

    def __repr__(self) -> str:
        return f"BlueprintRef({self!s})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, BlueprintRef) and (self.name, self.constraint) == (other.name, other.constraint)

    def __hash__(self) -> int:
        return hash((self.name, self.constraint))


def parse_ref(text: str) -> BlueprintRef:
    """Split `name@constraint`; raises ValueError with the reason when malformed."""
    name, sep, constraint = text.strip().partition("@")
    if not name:
        raise ValueError(f"{text!r} has no blueprint name")
    if sep and not is_valid_constraint(constraint):
        raise ValueError(f"{constraint!r} is not a valid version constraint (try ^1.4, ~1.4.2, >=1,<2 or 1.4.0)")
    return BlueprintRef(name, constraint if sep else None)
