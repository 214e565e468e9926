"""API tokens: create (the secret is shown once), list, revoke, and turn a presented secret into an identity.

A secret is `ipl_` and 43 URL-safe characters (256 random bits); the store keeps only its SHA-256.
A fast hash is enough for secrets this long (no dictionary to try), and it keeps every request's
authentication a single indexed lookup. Tokens are revoked, never deleted, so the audit trail's
names keep meaning something.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
from collections.abc import Iterable
from datetime import timedelta
from pathlib import Path

from infraplane.core.audit import Actor, utc_timestamp
from infraplane.core.clock import Clock, system_clock
from infraplane.core.identity import Identity, Role, TokenRecord
from infraplane.core.names import NAME_PATTERN
from infraplane.core.ports import Store
from infraplane.errors import ForbiddenError, InputError, NotFoundError, Problem, RefusedError, UnauthenticatedError
from infraplane.services.audit import record

__all__ = ["TOKEN_PREFIX", "TokenService", "parse_expires", "token_digest"]

TOKEN_PREFIX = "ipl_"  # noqa: S105 - a prefix that makes leaked tokens easy to spot, not a secret
_TOKEN_NAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{0,63}$")
_TEAM = re.compile(NAME_PATTERN)
_DURATION = re.compile(r"^(\d{1,5})([hdw])$")
_UNITS = {"h": "hours", "d": "days", "w": "weeks"}


def token_digest(secret: str) -> str:
    return "sha256:" + hashlib.sha256(secret.encode("utf-8")).hexdigest()


def parse_expires(text: str, field: str = "expires") -> timedelta:
    """`30d`, `12h`, `2w` as a duration; InputError naming `field` otherwise."""
    match = _DURATION.match(text.strip())
    if not match or int(match.group(1)) == 0:
        reason = "a positive duration such as 12h, 30d or 2w"
        raise InputError(f"{field}: {text!r} is not {reason}", [Problem("", field, reason)])
    return timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})


def _write_private(path: Path, text: str) -> None:
    """Write `text` to `path`, readable by the owner alone from the first byte."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)
    path.chmod(0o600)


class TokenService:
    def __init__(self, store: Store, clock: Clock = system_clock) -> None:
        self._store = store
        self._clock = clock

    def _now(self) -> str:
        return utc_timestamp(self._clock())

    def create(
        self,
        name: str,
        role: Role,
        teams: Iterable[str],
        agent: bool,
        expires: timedelta | None,
        actor: Actor,
    ) -> tuple[TokenRecord, str]:
        """A new token and its secret; the secret is returned here and never again."""
        problems = []
        if not _TOKEN_NAME.match(name):
            problems.append(
                Problem("", "name", "lower-case letters, digits and . _ @ - (at most 64), not " + repr(name))
            )
        team_set = frozenset(teams)
        problems += [
            Problem("", "teams", f"{team!r} is not a team name (lower-case letters, digits and -)")
            for team in sorted(team_set)
            if not _TEAM.match(team)
        ]
        if problems:
            raise InputError(f"{problems[0].field}: {problems[0].reason}", problems)
        now = self._clock()
        token = TokenRecord(
            name=name,
            role=role,
            teams=team_set,
            agent=agent,
            created_at=utc_timestamp(now),
            created_by=actor.id,
            expires_at=utc_timestamp(now + expires) if expires else None,
        )
        secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
        with self._store.transaction() as tx:
            if tx.tokens.get(name) is not None:
                raise RefusedError(
                    f"a token named {name!r} exists (revoked tokens keep their names)", [Problem("", "name", "taken")]
                )
            tx.tokens.add(token, token_digest(secret))
            record(tx, actor, "token.create", f"token:{name}", _audit_payload(token))
        return token, secret

    def list(self) -> list[TokenRecord]:
        with self._store.transaction() as tx:
            return tx.tokens.all()

    def get(self, name: str) -> TokenRecord:
        with self._store.transaction() as tx:
            token = tx.tokens.get(name)
        if token is None:
            raise NotFoundError(f"no token named {name!r}", [Problem("", "name", "unknown token")])
        return token

    def revoke(self, name: str, actor: Actor) -> TokenRecord:
        """Revoke `name`: it stops authenticating at once. Revoking a revoked token changes nothing."""
        with self._store.transaction() as tx:
            token = tx.tokens.get(name)
            if token is None:
                raise NotFoundError(f"no token named {name!r}", [Problem("", "name", "unknown token")])
            if token.revoked_at is None:
                tx.tokens.revoke(name, self._now())
                record(tx, actor, "token.revoke", f"token:{name}", _audit_payload(token))
                token = tx.tokens.get(name) or token
        return token

    def authenticate(self, secret: str, state_api: bool = False) -> Identity:
        """The identity behind a presented secret; UnauthenticatedError when it is unknown, revoked or expired.

        A worker token opens the Terraform state API (`state_api`) and nothing else (ForbiddenError).
        """
        secret = secret.strip()
        if not secret.startswith(TOKEN_PREFIX):
            raise UnauthenticatedError("a token is required: send `Authorization: Bearer ipl_...`")
        with self._store.read() as tx:
            token = tx.tokens.by_digest(token_digest(secret))
        state = token.state(self._now()) if token else "unknown"
        if token is None or state != "active":
            # One message for every failure: a caller learns nothing about which tokens exist.
            raise UnauthenticatedError("the token is not valid (unknown, revoked or expired)")
        if token.role is Role.WORKER and not state_api:
            raise ForbiddenError(f"{token.name} is a worker token: it reaches Terraform state and nothing else")
        return token.identity

    def ensure_admin(self, path: Path, actor: Actor | None = None) -> str | None:
        """On a server's first start: an admin token written to `path` (0600), its secret returned.

        None when an active admin token exists already (its secret is not kept; `infraplane token
        create --role admin` on the server's machine makes another).
        """
        now = self._now()
        tokens = self.list()
        if any(t.role is Role.ADMIN and not t.agent and t.state(now) == "active" for t in tokens):
            return None
        taken = {t.name for t in tokens}
        name = next(n for n in ("admin", *(f"admin-{i}" for i in range(2, 1000))) if n not in taken)
        _, secret = self.create(name, Role.ADMIN, (), False, None, actor or Actor("system", "infraplane-serve"))
        _write_private(path, secret + "\n")
        return secret


def _audit_payload(token: TokenRecord) -> dict[str, object]:
    return {
        "name": token.name,
        "role": token.role.label,
        "teams": sorted(token.teams),
        "agent": token.agent,
        "expires_at": token.expires_at,
    }
