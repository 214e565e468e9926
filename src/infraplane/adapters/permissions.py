"""Which files and directories under a home other users of the machine could read or change.

A home holds the store, the state key and the work directories of runs; every entry in it
should be the owner's alone (0600 files, 0700 directories). Symbolic links are not judged
(their own mode means nothing); what they point at outside the home is not the home's.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

__all__ = ["LooseEntry", "loose_entries"]

_OTHERS = stat.S_IRWXG | stat.S_IRWXO


@dataclass(frozen=True)
class LooseEntry:
    """One file or directory that group or others may read, write or enter."""

    path: Path
    mode: int
    is_dir: bool

    def __str__(self) -> str:
        kind = "directory" if self.is_dir else "file"
        return f"{self.path} ({kind}, mode {stat.filemode(self.mode)} {self.mode & 0o777:04o})"


def loose_entries(home: Path) -> list[LooseEntry]:
    """Every entry under `home` (and `home` itself) with a group or other permission bit, in path order."""
    found: list[LooseEntry] = []
    if not home.is_dir():
        return found

    def judge(path: Path) -> None:
        mode = path.lstat().st_mode
        if not stat.S_ISLNK(mode) and mode & _OTHERS:
            found.append(LooseEntry(path, stat.S_IMODE(mode), stat.S_ISDIR(mode)))

    judge(home)
    for root, dirs, files in os.walk(home, onerror=lambda _e: None):
        for name in (*dirs, *files):
            judge(Path(root) / name)
    return sorted(found, key=lambda e: str(e.path))
