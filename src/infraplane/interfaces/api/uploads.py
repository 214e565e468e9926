"""An uploaded .tar.gz unpacked into a scratch directory for the length of a request (blueprints, policy bundles)."""

from __future__ import annotations

import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from infraplane.adapters.archive import UnsafeArchive, unpack_archive
from infraplane.errors import InfraplaneError, InputError, Problem

__all__ = ["BLUEPRINT_ENTRIES", "BUNDLE_ENTRIES", "unpacked"]

# Entries an upload may hold: a catalog of blueprints has hundreds of files, a policy bundle tens of modules
# (rego-cpp's compilation grows faster than the number of modules: 2,500 took 9 s, 5,000 over a minute).
BLUEPRINT_ENTRIES = 10_000
BUNDLE_ENTRIES = 256


@contextmanager
def unpacked(data: bytes, folder: str, what: str, max_bytes: int, max_entries: int) -> Iterator[Path]:
    """The archive unpacked in `<scratch>/<folder>`; problems raised inside name files as the archive does.

    `what` says what the body should be ("a blueprint directory or a catalog of them"). The archive is
    refused before anything is written when its files add up to more than `max_bytes`, it has more than
    `max_entries` entries, or one is sparse or nested absurdly deep.
    """
    if not data:
        raise InputError.from_problems([Problem("", "body", f"upload a .tar.gz of {what}")])
    with tempfile.TemporaryDirectory(prefix="infraplane-upload-") as scratch:
        root = Path(scratch) / folder
        try:
            unpack_archive(data, root, max_bytes=max_bytes, max_entries=max_entries)
        except UnsafeArchive as exc:
            raise InputError.from_problems([Problem("", "body", f"refused: {exc}")]) from None
        except (tarfile.TarError, OSError, EOFError, ValueError, RecursionError) as exc:
            reason = f"not a readable .tar.gz archive ({type(exc).__name__})"
            raise InputError.from_problems([Problem("", "body", reason)]) from None
        try:
            yield root
        except InfraplaneError as error:
            _name_as_in_the_archive(error, str(root))
            raise


def _name_as_in_the_archive(error: InfraplaneError, prefix: str) -> None:
    """Files named by the error as the archive names them: the server's scratch directory is nobody's business."""

    def relative(text: str) -> str:
        return text.replace(prefix + "/", "").replace(prefix, ".")

    error.problems = tuple(replace(p, file=relative(p.file), reason=relative(p.reason)) for p in error.problems)
    error.message = relative(error.message)
    error.args = (error.message, *error.args[1:])
