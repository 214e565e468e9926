"""What a blueprint or bundle archive leaves out, and how its digest is written (packing: adapters/archive.py)."""

from __future__ import annotations

import hashlib

__all__ = ["EXCLUDED_DIRS", "ArchiveTooLarge", "UnsafeArchive", "digest_of"]

# Tool working directories: never part of a blueprint's source, nor searched for blueprint files.
EXCLUDED_DIRS = frozenset({".terraform", ".git", "__pycache__", ".infraplane"})


class ArchiveTooLarge(Exception):
    """The files to pack already add up to more than the largest archive allowed: nothing was packed."""

    def __init__(self, size: int, limit: int) -> None:
        super().__init__(f"{size:,} bytes of files; the limit is {limit:,} bytes")
        self.size = size
        self.limit = limit


class UnsafeArchive(ValueError):
    """An uploaded archive refused before anything was unpacked; the message says why."""


def digest_of(data: bytes) -> str:
    """`sha256:<hex>` of the archive bytes."""
    return "sha256:" + hashlib.sha256(data).hexdigest()
