"""What the store remembers about environments: records, component conditions, revisions, state, leases."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal

from infraplane.core.state import TerraformState, parse_state

__all__ = [
    "ComponentRecord",
    "ComponentStatus",
    "EnvironmentRecord",
    "EnvironmentStatus",
    "LockHolder",
    "PolicyReplayRecord",
    "PublishedBundle",
    "RevisionRecord",
    "StateVersion",
]

EnvironmentStatus = Literal["new", "applying", "ready", "failed", "destroying", "destroyed", "interrupted"]
ComponentStatus = Literal[
    "pending", "applying", "applied", "failed", "skipped", "destroying", "destroyed", "interrupted"
]


@dataclass(frozen=True)
class EnvironmentRecord:
    name: str
    team: str
    tier: str
    owner: str
    blueprint: str
    target: str
    ttl: str | None
    status: EnvironmentStatus
    error: str = ""
    current_revision: int = 0
    created_at: str = ""
    updated_at: str = ""


@dataclass(frozen=True)
class ComponentRecord:
    environment: str
    name: str
    blueprint: str
    digest: str
    runner: str
    status: ComponentStatus
    applied_fingerprint: str = ""
    inputs: Mapping[str, Any] = field(default_factory=dict)
    context: Mapping[str, str] = field(default_factory=dict)
    outputs: Mapping[str, Any] = field(default_factory=dict)
    sensitive_outputs: frozenset[str] = frozenset()
    depends_on: tuple[str, ...] = ()
    error: str = ""
    updated_at: str = ""

    def masked_outputs(self) -> dict[str, Any]:
        """Outputs with sensitive values hidden, for anything a person or a log sees."""
        return {k: ("(sensitive)" if k in self.sensitive_outputs else v) for k, v in self.outputs.items()}


@dataclass(frozen=True)
class RevisionRecord:
    environment: str
    number: int
    document: Mapping[str, Any]
    created_at: str
    created_by: str


@dataclass(frozen=True)
class StateVersion:
    environment: str
    component: str
    serial: int
    lineage: str
    content: bytes
    created_at: str

    @cached_property
    def state(self) -> TerraformState:
        """The content parsed (once); raises StateFormatError when it is not a Terraform state."""
        return parse_state(self.content)


@dataclass(frozen=True)
class LockHolder:
    """Who holds a lease: which run, which process on which host, and the tool process it started."""

    run_id: str
    pid: int
    host: str
    acquired_at: str
    lease_expires: float
    child_pid: int | None = None


@dataclass(frozen=True)
class PublishedBundle:
    """A policy bundle version in the store: name@version bound to its digest."""

    name: str
    version: str
    digest: str
    manifest: Mapping[str, Any]
    published_at: str
    published_by: str


@dataclass(frozen=True)
class PolicyReplayRecord:
    """A stored policy replay: which bundle version was judged, by whom and when, and its report (as JSON data)."""

    id: str
    name: str
    version: str
    digest: str
    created_at: str
    created_by: str
    report: Mapping[str, Any]


@dataclass(frozen=True)
class ComponentApply:
    """The start (and end) of one component's apply under a proposal's approved plan: the idempotency record."""

    proposal_id: str
    component: str
    plan_digest: str
    run_id: str
    started_at: str
    finished_at: str | None = None
    outcome: str = ""  # applied | failed | recovered (the state showed it had landed) | "" while it runs
