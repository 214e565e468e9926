"""Compiled bundles kept on disk by digest, so a bundle is compiled once per home rather than once per process.

rego-cpp compiles a bundle's modules and entrypoints into one program, which takes longer than evaluating
the baseline on a plan of hundreds of resources. A bundle never changes under its digest, so the program
is saved in rego-cpp's binary bundle format (`<digest>-<key>.rbb`, the key naming the entrypoints and the
rego-cpp version) with the SHA-256 of the file beside it, and later processes load it in a few
milliseconds. A file that is missing, unreadable or does not match its SHA-256 is compiled again and
replaced; failing to save only costs the next process a compilation. A bundle being written and checked
from its directory gets a new digest at every edit, so only the `KEEP` programs used last are kept.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from regopy import BundleFormat, Interpreter, RegoError
from regopy.rego_shared import rego_version  # type: ignore[import-untyped]

__all__ = ["KEEP", "CompiledBundles"]

KEEP = 64


class CompiledBundles:
    """Load and save compiled bundles under one directory (created owner-only on first save)."""

    def __init__(self, directory: Path) -> None:
        self._directory = directory

    def _path(self, digest: str, entrypoints: Sequence[str]) -> Path:
        key = hashlib.sha256("\n".join([rego_version(), *entrypoints]).encode()).hexdigest()[:16]
        return self._directory / f"{digest.removeprefix('sha256:')}-{key}.rbb"

    def load(self, digest: str, entrypoints: Sequence[str]) -> tuple[Interpreter, Any] | None:
        """A fresh interpreter and the bundle compiled for `entrypoints`, or None when none is saved."""
        path = self._path(digest, entrypoints)
        try:
            data = path.read_bytes()
            expected = path.with_suffix(".sha256").read_text(encoding="ascii").strip()
        except (OSError, UnicodeDecodeError):
            return None
        if hashlib.sha256(data).hexdigest() != expected:
            return None
        interpreter = Interpreter()
        try:
            compiled = interpreter.load_bundle(str(path), BundleFormat.Binary)
        except RegoError:
            return None
        with contextlib.suppress(OSError):
            os.utime(path)  # last used: pruning keeps the programs in use
        return interpreter, compiled

    def save(self, interpreter: Interpreter, compiled: Any, digest: str, entrypoints: Sequence[str]) -> None:
        """Keep `compiled` for later processes; a failure to write is ignored (the next one compiles again)."""
        path = self._path(digest, entrypoints)
        try:
            self._directory.mkdir(parents=True, exist_ok=True, mode=0o700)
            handle, temporary = tempfile.mkstemp(dir=self._directory, suffix=".tmp")
            os.close(handle)
            try:
                interpreter.save_bundle(temporary, compiled, BundleFormat.Binary)
                checksum = hashlib.sha256(Path(temporary).read_bytes()).hexdigest()
                Path(temporary).replace(path)
            finally:
                Path(temporary).unlink(missing_ok=True)
            handle, sidecar = tempfile.mkstemp(dir=self._directory, suffix=".tmp")
            with os.fdopen(handle, "w", encoding="ascii") as file:
                file.write(checksum + "\n")
            Path(sidecar).replace(path.with_suffix(".sha256"))
            self._prune()
        except (OSError, RegoError):
            return

    def _prune(self) -> None:
        """Remove all but the KEEP programs used last (and their checksums)."""
        programs = sorted(self._directory.glob("*.rbb"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in programs[KEEP:]:
            old.unlink(missing_ok=True)
            old.with_suffix(".sha256").unlink(missing_ok=True)
