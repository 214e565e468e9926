"""Who may do what on the server: roles, identities behind tokens, and one authorization decision.

Roles are cumulative (viewer < requester < approver < admin). An identity marked as an agent
can never approve, reject, apply or destroy, whatever its role. A non-admin identity sees and acts
only on its teams' environments and proposals; everything else is "not found" to it, so another
team's names do not leak. The API, the web page and MCP over HTTP all ask `authorize`; none of
them decides on its own.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import IntEnum, StrEnum

from infraplane.core.audit import Actor
from infraplane.core.upstream import UpstreamAccess

__all__ = [
    "AGENT_NEVER",
    "Action",
    "Authorization",
    "Identity",
    "Role",
    "TokenRecord",
    "authorize",
    "required_role",
]


class Role(IntEnum):
    """What a token may do; each role may also do everything of the roles below it.

    `worker` stands apart, below them all: an `infraplane worker`'s token reaches Terraform state
    through the state API and can do nothing else (no read, no propose); no other role reaches state.
    """

    WORKER = 0
    VIEWER = 1
    REQUESTER = 2
    APPROVER = 3
    ADMIN = 4

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Role:
        """The role named `text` (viewer, requester, approver, admin); ValueError otherwise."""
        try:
            return cls[text.strip().upper()]
        except KeyError:
            allowed = ", ".join(role.label for role in cls)
            raise ValueError(f"{text!r} is not a role (one of: {allowed})") from None


class Action(StrEnum):
    """Everything the server lets an identity do, by the least role it needs (see `required_role`)."""

    READ = "read"  # catalog, environments, proposals, audit, cost, policy check of an uploaded plan
    PROPOSE = "propose"  # create, update, upgrade, destroy, rollback proposals
    APPROVE = "approve"
    REJECT = "reject"
    APPLY = "apply"  # apply an approved proposal (a destroy proposal's apply destroys)
    PUBLISH = "publish"  # blueprints and policy bundles
    MANAGE_TOKENS = "manage_tokens"
    STATE = "state"  # Terraform state through the state API: workers only


_REQUIRED: dict[Action, Role] = {
    Action.READ: Role.VIEWER,
    Action.PROPOSE: Role.REQUESTER,
    Action.APPROVE: Role.APPROVER,
    Action.REJECT: Role.APPROVER,
    Action.APPLY: Role.APPROVER,
    Action.PUBLISH: Role.ADMIN,
    Action.MANAGE_TOKENS: Role.ADMIN,
    Action.STATE: Role.WORKER,
}

# Agents propose; people decide and carry out. No role lifts this. Publishing (the catalog is the
# set of pre-approved options) and managing tokens (a token an agent minted could be a person's)
# would let an agent step around the same rule, so they are people's too.
AGENT_NEVER = frozenset(
    {Action.APPROVE, Action.REJECT, Action.APPLY, Action.PUBLISH, Action.MANAGE_TOKENS, Action.STATE}
)


def required_role(action: Action) -> Role:
    return _REQUIRED[action]


@dataclass(frozen=True)
class Identity:
    """The holder of one token: a person or an agent, with a role and the teams it acts for."""

    name: str
    role: Role
    teams: frozenset[str] = field(default_factory=frozenset)
    agent: bool = False

    @property
    def actor(self) -> Actor:
        """How the audit trail and the services name this identity."""
        return Actor("agent" if self.agent else "human", self.name)

    @property
    def all_teams(self) -> bool:
        """An admin acts for every team."""
        return self.role is Role.ADMIN

    def sees(self, team: str) -> bool:
        """Whether this identity may know that something of `team` exists."""
        return self.all_teams or team in self.teams

    def visible(self, teams: Iterable[str]) -> set[str]:
        return {team for team in teams if self.sees(team)}

    @property
    def upstream_access(self) -> UpstreamAccess:
        """Whose teams' environments this identity's environments may read outputs of (an admin: every team)."""
        return UpstreamAccess(self.name, None if self.all_teams else self.teams)


@dataclass(frozen=True)
class TokenRecord:
    """What the store keeps of a token: who it names and what it may do; the secret itself is never kept."""

    name: str
    role: Role
    teams: frozenset[str]
    agent: bool
    created_at: str
    created_by: str
    expires_at: str | None = None  # utc_timestamp format, so timestamps compare as text
    revoked_at: str | None = None

    @property
    def identity(self) -> Identity:
        return Identity(self.name, self.role, self.teams, self.agent)

    def state(self, now: str) -> str:
        """`active`, `revoked` or `expired` at the moment `now` (utc_timestamp format)."""
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= now:
            return "expired"
        return "active"

    def as_dict(self, now: str) -> dict[str, object]:
        return {
            "name": self.name,
            "role": self.role.label,
            "teams": sorted(self.teams),
            "agent": self.agent,
            "created_at": self.created_at,
            "created_by": self.created_by,
            "expires_at": self.expires_at,
            "revoked_at": self.revoked_at,
            "state": self.state(now),
        }


@dataclass(frozen=True)
class Authorization:
    """The answer to "may this identity do this?": allowed, or why not (and whether to hide the thing)."""

    allowed: bool
    reason: str = ""
    # True when the thing belongs to another team: answer "not found", not "forbidden".
    hidden: bool = False


def authorize(identity: Identity, action: Action, team: str | None = None) -> Authorization:
    """Whether `identity` may do `action`, on something owned by `team` when given."""
    if team is not None and not identity.sees(team):
        return Authorization(False, f"{identity.name} does not act for team {team}", hidden=True)
    if identity.agent and action in AGENT_NEVER:
        return Authorization(False, f"{identity.name} is an agent: agents propose, people {action.value}")
    if (action is Action.STATE) != (identity.role is Role.WORKER):
        # Workers reach Terraform state and nothing else; nobody else reaches state this way.
        if identity.role is Role.WORKER:
            return Authorization(False, f"{identity.name} is a worker token: it can only reach Terraform state")
        return Authorization(False, f"{identity.name} is a {identity.role.label}; only worker tokens reach state")
    needed = required_role(action)
    if identity.role < needed:
        return Authorization(
            False, f"{identity.name} is a {identity.role.label}; {action.value} needs the {needed.label} role"
        )
    return Authorization(True)
