"""An uploaded .tar.gz unpacked into a scratch directory for the length of a request (blueprints, policy bundles)."""

from __future__ import annotations

import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from infraplane.adapters.archive import unpack_archive
from infraplane.errors import InputError, Problem

__all__ = ["unpacked"]


@contextmanager
def unpacked(data: bytes, folder: str, what: str) -> Iterator[Path]:
    """The archive unpacked in `<scratch>/<folder>`; problems raised inside name files as the archive does.

    `what` says what the body should be ("a blueprint directory or a catalog of them").
    """
    if not data:
        raise InputError.from_problems([Problem("", "body", f"upload a .tar.gz of {what}")])
    with tempfile.TemporaryDirectory(prefix="infraplane-upload-") as scratch:
        root = Path(scratch) / folder
        try:
            unpack_archive(data, root)
        except (tarfile.TarError, OSError, EOFError, ValueError) as exc:
            reason = f"not a readable .tar.gz archive ({type(exc).__name__})"
            raise InputError.from_problems([Problem("", "body", reason)]) from None
        try:
            yield root
        except InputError as error:
            prefix = str(root)
            problems = [replace(p, file=p.file.replace(prefix + "/", "").replace(prefix, ".")) for p in error.problems]
            raise type(error).from_problems(problems) from None
