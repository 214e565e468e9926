"""Normalized archives of blueprint directories: same content, same bytes, same digest, anywhere.

The archive is an uncompressed POSIX tar with sorted entries, zeroed times,
owners and groups, and modes reduced to 0644/0755, so its SHA-256 depends on
file names and contents only. Tool working files are left out.
"""

from __future__ import annotations

import io
import os
import stat
import tarfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

from infraplane.core.archives import EXCLUDED_DIRS, ArchiveTooLarge, UnsafeArchive, digest_of

__all__ = ["EXCLUDED_DIRS", "MAX_ENTRY_DEPTH", "UnsafeArchive", "digest_of", "pack_directory", "unpack_archive"]

# No blueprint or bundle nests deeper; Python's own extraction recurses once per level.
MAX_ENTRY_DEPTH = 64

_EXCLUDED_SUFFIXES = (".tfstate", ".tfstate.backup", ".tfplan", ".pyc")
_EXCLUDED_NAMES = frozenset({"terraform.tfstate.d", ".terraform.tfstate.lock.info", ".DS_Store"})


def _excluded(relative: PurePosixPath) -> bool:
    if any(part in EXCLUDED_DIRS for part in relative.parts):
        return True
    name = relative.name
    return name in _EXCLUDED_NAMES or name.endswith(_EXCLUDED_SUFFIXES) or ".tfstate." in name or name.endswith(".plan")


def _files(root: Path) -> Iterator[tuple[PurePosixPath, Path]]:
    for directory, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d not in EXCLUDED_DIRS]
        for filename in filenames:
            path = Path(directory) / filename
            relative = PurePosixPath(path.relative_to(root).as_posix())
            if not _excluded(relative) and path.is_file() and not path.is_symlink():
                yield relative, path


def pack_directory(root: Path, max_bytes: int | None = None) -> bytes:
    """The normalized tar of every regular file under `root` (symlinks are not followed).

    With `max_bytes`, files that already add up to more are refused (ArchiveTooLarge) before any is read.
    """
    files = sorted(_files(root), key=lambda item: str(item[0]))
    if max_bytes is not None:
        size = sum(path.stat().st_size for _, path in files)
        if size > max_bytes:
            raise ArchiveTooLarge(size, max_bytes)
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for relative, path in files:
            data = path.read_bytes()
            info = tarfile.TarInfo(str(relative))
            info.size = len(data)
            info.mtime = 0
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            info.mode = 0o755 if path.stat().st_mode & stat.S_IXUSR else 0o644
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def unpack_archive(data: bytes, target: Path, max_bytes: int | None = None, max_entries: int | None = None) -> None:
    """Extract an archive made by :func:`pack_directory`, or uploaded, into `target` (regular files only).

    With `max_bytes` or `max_entries` (an upload) every header is read first, and the archive is refused
    (UnsafeArchive) before a byte is written when its files add up to more than `max_bytes`, it has more
    than `max_entries` entries, one of them is sparse (a few bytes that unpack to gigabytes) or nests more
    than MAX_ENTRY_DEPTH directories deep. Reading stops at the first header past a limit, so a compressed
    archive is never inflated further than the limit.
    """
    target.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(data), mode="r") as tar:
        if max_bytes is not None or max_entries is not None:
            _check_members(tar, max_bytes, max_entries)
        tar.extractall(target, filter=_owner_only)  # noqa: S202 - the data filter refuses links out and ../


def _check_members(tar: tarfile.TarFile, max_bytes: int | None, max_entries: int | None) -> None:
    total = 0
    for count, member in enumerate(tar, start=1):
        if max_entries is not None and count > max_entries:
            raise UnsafeArchive(f"more than {max_entries:,} entries")
        if member.issparse():
            raise UnsafeArchive(f"{member.name!r} is a sparse file")
        if len(PurePosixPath(member.name).parts) > MAX_ENTRY_DEPTH:
            raise UnsafeArchive(f"an entry nests more than {MAX_ENTRY_DEPTH} directories deep")
        total += member.size
        if max_bytes is not None and total > max_bytes:
            raise UnsafeArchive(f"its files unpack to more than {max_bytes:,} bytes")


def _owner_only(member: tarfile.TarInfo, path: str) -> tarfile.TarInfo:
    """The `data` filter, and modes kept to the owner: a work directory is nobody else's."""
    safe = tarfile.data_filter(member, path)
    # The filter leaves some members' modes unset (None): keep those as they are.
    return safe.replace(mode=safe.mode & 0o700, deep=False) if safe.mode is not None else safe
