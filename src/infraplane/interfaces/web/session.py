"""Sign-in sessions and CSRF tokens of the web page, as signed cookies (itsdangerous).

The session cookie carries the token the person signed in with, sealed by the store's key (so the
cookie alone reveals nothing) and signed with a timestamp (so it ends after `max_age`). Every
request authenticates that token again, so a revoked or expired token signs the browser out at once.
CSRF: a random nonce lives in its own HttpOnly cookie; each form carries the nonce signed for forms,
and a POST goes on only when the two match (a double-submit that another site can neither read nor forge).
"""

from __future__ import annotations

import hmac
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from itsdangerous import BadSignature, URLSafeTimedSerializer

__all__ = ["CSRF_COOKIE", "SESSION_COOKIE", "Sessions", "load_signing_key"]

SESSION_COOKIE = "ipl_session"
CSRF_COOKIE = "ipl_csrf"
CSRF_FIELD = "csrf"


def load_signing_key(path: Path) -> bytes:
    """The server's cookie-signing key, made (owner-only) on first use; kept in the home so restarts keep sessions."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        key = secrets.token_bytes(32)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(key)
        return key


@dataclass(frozen=True)
class Sessions:
    """Makes and reads the two cookies' values; `max_age` bounds a session and a form's token."""

    key: bytes
    max_age: int = 8 * 3600

    def _serializer(self, salt: str) -> URLSafeTimedSerializer:
        return URLSafeTimedSerializer(self.key, salt=salt)

    def session_value(self, sealed_token: str) -> str:
        return self._serializer("infraplane-session").dumps(sealed_token)

    def sealed_token(self, value: str | None) -> str | None:
        """The sealed token inside a session cookie; None when it is missing, forged or too old."""
        if not value:
            return None
        try:
            loaded = self._serializer("infraplane-session").loads(value, max_age=self.max_age)
        except BadSignature:
            return None
        return loaded if isinstance(loaded, str) else None

    @staticmethod
    def new_nonce() -> str:
        return secrets.token_urlsafe(24)

    def csrf_token(self, nonce: str) -> str:
        """What a form carries for the browser whose CSRF cookie holds `nonce`."""
        return self._serializer("infraplane-csrf").dumps(nonce)

    def csrf_valid(self, nonce: str | None, token: str | None) -> bool:
        """Whether a form's token was made for this browser's nonce (and is not too old)."""
        if not nonce or not token:
            return False
        try:
            loaded = self._serializer("infraplane-csrf").loads(token, max_age=self.max_age)
        except BadSignature:
            return False
        return isinstance(loaded, str) and hmac.compare_digest(loaded, nonce)
