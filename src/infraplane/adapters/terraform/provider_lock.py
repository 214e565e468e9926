"""Terraform's check of the provider packages against the lock file, made once per init instead of at every command.

At every command that loads providers (plan, apply, show, output), Terraform hashes each provider
package under `.terraform/providers` (every byte: ~700 MB and ~0.5 CPU-s for hashicorp/aws, twice in a
plan) and compares it with the `hashes` of the dependency lock file, so that a package changed since
`init` verified it is refused. It skips that comparison for a lock entry that lists no hashes.

infraplane keeps the same guarantee for the cost of a few `stat` calls:

* `seal`, right after an `init` that succeeded (init verified the packages against the lock file's
  hashes, or recorded them): keeps the lock file as init wrote it (`.infraplane-lock.hcl` beside it,
  outside `.terraform/`, so that a directory whose `.terraform/` is cleaned away inits against it),
  records the identity of every file of every package the directory uses (device, inode, size,
  modification and change time: writing or replacing a file changes them, and nobody but root can set
  a change time back), and leaves the lock file without its `hashes`;
* `check`, before every later command: when an identity differs (or a file came or went), the kept lock
  file goes back in place, so that Terraform's own check runs and refuses a package that is not the one
  init verified, and the next run initializes the directory again;
* `unseal`, before an init: the kept lock file goes back in place, so that init verifies the packages
  against its hashes instead of recording the hashes of whatever is there now.

A saved plan carries the lock file it was made with, and Terraform applies it only with the same one:
`lock_for_plan` puts the kept lock file back for a plan made with it (before the directory was sealed).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import stat
import threading
import zipfile
from pathlib import Path

from infraplane.adapters.workdir import write_private_bytes

__all__ = ["LOCK_FILE", "check", "lock_for_plan", "predates_endpoint_url", "seal", "unseal"]

LOCK_FILE = ".terraform.lock.hcl"
KEPT_LOCK = ".infraplane-lock.hcl"
IDENTITIES = ".infraplane-packages.json"
# `hashes = [ "h1:...", "zh:...", ]` in a provider block of the lock file (a hash holds no `]`).
_HASHES = re.compile(r"\n[ \t]*hashes[ \t]*=[ \t]*\[[^\]]*\]")
_AWS_VERSION = re.compile(
    r'provider\s+"registry\.(?:terraform\.io|opentofu\.org)/hashicorp/aws"\s*\{\s*version\s*=\s*"(\d+)\.(\d+)\.(\d+)'
)
# The hashicorp/aws version infraplane was verified with to read `AWS_ENDPOINT_URL` for every service (the sandbox's
# endpoint); an older one keeps the target's `endpoints` block in its override (adapters/terraform/provider.py).
ENDPOINT_URL_VERIFIED = (5, 100, 0)


def _identities(root: Path) -> dict[str, list[int | str]]:
    """Every file of every provider package the directory uses -> its identity; each package -> where it is."""
    found: dict[str, list[int | str]] = {}
    # host/namespace/type/version/platform: a directory, or a link to a mirror's or the plugin cache's.
    for package in sorted((root / ".terraform" / "providers").glob("*/*/*/*/*")):
        where = package.resolve()
        found[str(package)] = [str(where)]
        for path in sorted(where.rglob("*")):
            status = path.stat()  # a link inside the package: its target's identity
            if stat.S_ISREG(status.st_mode):
                found[str(path)] = [
                    status.st_dev,
                    status.st_ino,
                    status.st_size,
                    status.st_mtime_ns,
                    status.st_ctime_ns,
                ]
    return found


def seal(root: Path) -> None:
    """After an init that succeeded: keep its lock file, record the packages, leave the hashes out of the lock."""
    lock = root / LOCK_FILE
    if not lock.is_file():
        return
    try:
        identities = _identities(root)
    except (OSError, RuntimeError):  # a dangling link, a loop of links
        return  # a package that cannot be read whole: Terraform keeps checking it itself
    text = lock.read_text(encoding="utf-8")
    write_private_bytes(root / KEPT_LOCK, text.encode("utf-8"))
    write_private_bytes(root / IDENTITIES, json.dumps(identities).encode("utf-8"))
    _replace(lock, _HASHES.sub("", text))


def check(root: Path) -> bool:
    """Before a command: whether the packages are those init verified; if not, Terraform's own check is back."""
    if not (root / KEPT_LOCK).is_file():
        return True  # never sealed: the lock file is Terraform's own, hashes and all
    try:
        same = bool(json.loads((root / IDENTITIES).read_text(encoding="utf-8")) == _identities(root))
    except (OSError, ValueError, RuntimeError):  # no record (or a damaged one), a package that cannot be read
        same = False
    if not same:
        unseal(root)
    return same


def unseal(root: Path) -> None:
    """Put the lock file init wrote back in place and forget the recorded packages."""
    kept = root / KEPT_LOCK
    if kept.is_file():
        _replace(root / LOCK_FILE, kept.read_text(encoding="utf-8"))
    (root / IDENTITIES).unlink(missing_ok=True)


def lock_for_plan(root: Path, plan_file: Path) -> None:
    """Before applying `plan_file`: a plan made with the kept lock file (before sealing) gets that one back."""
    kept = root / KEPT_LOCK
    if not kept.is_file():
        return
    with contextlib.suppress(OSError, KeyError, ValueError, zipfile.BadZipFile), zipfile.ZipFile(plan_file) as plan:
        made_with = plan.read(LOCK_FILE).decode("utf-8")
        current = root / LOCK_FILE
        if made_with != current.read_text(encoding="utf-8") and made_with == kept.read_text(encoding="utf-8"):
            unseal(root)


def _replace(path: Path, text: str) -> None:
    """Write `path` whole, in one rename: a command starting at that moment reads the old or the new file."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
    write_private_bytes(temporary, text.encode("utf-8"))
    temporary.replace(path)


def predates_endpoint_url(root: Path) -> bool:
    """Whether the lock file in `root` selects a hashicorp/aws older than ENDPOINT_URL_VERIFIED (no lock: False)."""
    try:
        found = _AWS_VERSION.search((root / LOCK_FILE).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        return False
    return found is not None and tuple(int(n) for n in found.groups()) < ENDPOINT_URL_VERIFIED
