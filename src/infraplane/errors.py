"""Every error infraplane raises on purpose, with a stable code.

The interfaces map these to exit codes (CLI), HTTP statuses (API) and tool
errors (MCP); nothing else should need to know the hierarchy::

    InfraplaneError                 code "error"            exit 1
    ├── InputError                  code "invalid_input"    exit 2   (bad file, field, argument)
    │   └── NotFoundError           code "not_found"        exit 2
    ├── UnauthenticatedError        code "unauthenticated"  exit 2   (no token, or an unknown, revoked or expired one)
    ├── RefusedError                code "refused"          exit 2   (valid request, not allowed)
    │   ├── ForbiddenError          code "forbidden"        exit 2   (the identity's role or kind does not allow it)
    │   ├── ImmutableVersionError   code "immutable_version" exit 2
    │   ├── ConfirmationRequiredError code "confirmation_required" exit 2 (say yes first: --yes, `"yes": true`)
    │   └── IllegalTransitionError  code "illegal_transition" exit 2  (a proposal status change the lifecycle forbids)
    ├── ConfigError                 code "invalid_config"   exit 2
    └── FailureError                code "failed"           exit 1   (the request was fine, the work failed)
        └── AuditChainBrokenError   code "audit_chain_broken" exit 1
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Self

__all__ = [
    "AuditChainBrokenError",
    "ConfigError",
    "ConfirmationRequiredError",
    "FailureError",
    "ForbiddenError",
    "IllegalTransitionError",
    "ImmutableVersionError",
    "InfraplaneError",
    "InputError",
    "NotFoundError",
    "Problem",
    "RefusedError",
    "UnauthenticatedError",
]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: where (file, field) and why."""

    file: str
    field: str
    reason: str

    def __str__(self) -> str:
        where = self.file
        if self.field:
            where = f"{where}: {self.field}" if where else self.field
        return f"{where}: {self.reason}" if where else self.reason

    def as_dict(self) -> dict[str, str]:
        return {"file": self.file, "field": self.field, "reason": self.reason}


class InfraplaneError(Exception):
    """Base of every deliberate error; carries a stable code and exit status."""

    code = "error"
    exit_code = 1
    http_status = 500

    def __init__(self, message: str, problems: Iterable[Problem] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.problems: Sequence[Problem] = tuple(problems)

    def as_dict(self) -> dict[str, object]:
        body: dict[str, object] = {"error": self.code, "message": self.message}
        if self.problems:
            body["problems"] = [p.as_dict() for p in self.problems]
        return body

    @classmethod
    def from_problems(cls, problems: Sequence[Problem]) -> Self:
        """The error saying its first problem (and how many more there are)."""
        first = str(problems[0]) if problems else "invalid input"
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        return cls(first + more, problems)


class InputError(InfraplaneError):
    """The caller gave something invalid: a file, a field, an argument."""

    code = "invalid_input"
    exit_code = 2
    http_status = 422


class NotFoundError(InputError):
    """A named thing (blueprint, version, environment) does not exist."""

    code = "not_found"
    http_status = 404


class RefusedError(InfraplaneError):
    """A well-formed request that the rules do not allow."""

    code = "refused"
    exit_code = 2
    http_status = 409


class UnauthenticatedError(InfraplaneError):
    """No token was given, or the token is unknown, revoked or expired."""

    code = "unauthenticated"
    exit_code = 2
    http_status = 401


class ForbiddenError(RefusedError):
    """The identity is known but its role (or being an agent) does not allow this action."""

    code = "forbidden"
    http_status = 403


class ImmutableVersionError(RefusedError):
    """A published version exists with other content; versions never change."""

    code = "immutable_version"


class ConfirmationRequiredError(RefusedError):
    """The change needs an explicit yes (it would deny running environments), and none was given.

    `detail` is what the caller should read before saying yes (a policy replay's report), as JSON data.
    """

    code = "confirmation_required"

    def __init__(self, message: str, detail: Mapping[str, object] | None = None) -> None:
        super().__init__(message)
        self.detail = dict(detail or {})


class IllegalTransitionError(RefusedError):
    """A proposal status change the lifecycle's transition table does not allow (`core/proposal_lifecycle.py`)."""

    code = "illegal_transition"

    def __init__(self, message: str, transition: str, source: str, target: str | None) -> None:
        super().__init__(message)
        self.transition = transition
        self.source = source
        self.target = target


class ConfigError(InfraplaneError):
    """The configuration file or settings are invalid."""

    code = "invalid_config"
    exit_code = 2
    http_status = 500


class FailureError(InfraplaneError):
    """The request was valid but carrying it out failed."""

    code = "failed"
    exit_code = 1
    http_status = 502


class AuditChainBrokenError(FailureError):
    """The audit log's hash chain does not verify."""

    code = "audit_chain_broken"

    def __init__(self, message: str, sequence: int) -> None:
        super().__init__(message)
        self.sequence = sequence
