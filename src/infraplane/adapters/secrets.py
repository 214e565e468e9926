"""Encryption of secret material at rest (Terraform state, component outputs, sensitive inputs).

The key is a Fernet key in a file outside the database (`$INFRAPLANE_HOME/keys/state.key`
by default, mode 0600), so a copy of the database alone reveals nothing. Files a run must
write in plaintext (saved plans, tfvars, inputs and outputs files) are created owner-only:
`keep_files_private` sets the process umask, so every tool infraplane starts inherits it.
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from infraplane.errors import ConfigError, FailureError

__all__ = ["PRIVATE_UMASK", "SecretBox", "keep_files_private"]

# Files rw for the owner only (0600), directories rwx for the owner only (0700).
PRIVATE_UMASK = 0o077


def keep_files_private() -> None:
    """Make every file and directory this process (and any tool it starts) creates owner-only.

    A home holds the database, the state key and the work directories of runs: nothing in it is
    for other users of the machine, so the mask is set once for the whole process.
    """
    os.umask(PRIVATE_UMASK)


class SecretBox:
    """Symmetric authenticated encryption with one key."""

    def __init__(self, key: bytes) -> None:
        try:
            self._fernet = Fernet(key)
        except ValueError:
            raise ConfigError("the state key is not a valid Fernet key") from None

    @staticmethod
    def new_key() -> bytes:
        """A fresh random key (for stores that keep no secrets across processes, such as tests)."""
        return Fernet.generate_key()

    @classmethod
    def from_key_file(cls, path: Path) -> SecretBox:
        """Load the key, creating it (readable by the owner only) on first use."""
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(cls.new_key())
        return cls(path.read_bytes().strip())

    def encrypt(self, plaintext: bytes) -> bytes:
        return self._fernet.encrypt(plaintext)

    def seal(self, plaintext: bytes) -> str:
        """A printable token (a Fernet token) that only this key opens."""
        return self._fernet.encrypt(plaintext).decode("ascii")

    def unseal(self, token: str) -> bytes:
        try:
            ciphertext = token.encode("ascii")
        except UnicodeEncodeError:
            raise FailureError("cannot decrypt stored secret material: not a sealed value") from None
        return self.decrypt(ciphertext)

    def decrypt(self, ciphertext: bytes) -> bytes:
        try:
            return self._fernet.decrypt(ciphertext)
        except InvalidToken:
            raise FailureError("cannot decrypt stored secret material: wrong state key") from None
