"""The small interfaces adapters implement; services depend on these, never on an adapter."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager
from typing import Any, Protocol

from infraplane.core.approval import Approval
from infraplane.core.audit import Actor, AuditEvent, ChainHead
from infraplane.core.catalog import PublishedVersion
from infraplane.core.proposals import Proposal
from infraplane.core.records import (
    ComponentRecord,
    EnvironmentRecord,
    LockHolder,
    PublishedBundle,
    RevisionRecord,
    StateVersion,
)
from infraplane.core.runs import EventSink, OutputValues, PlanSummary, RunRequest

__all__ = [
    "AuditRepository",
    "CatalogRepository",
    "EnvironmentRepository",
    "LockRepository",
    "PolicyRepository",
    "ProposalRepository",
    "Runner",
    "Store",
    "Transaction",
]


class CatalogRepository(Protocol):
    """Blueprint versions and their content-addressed archives."""

    def get(self, name: str, version: str) -> PublishedVersion | None: ...

    def versions(self, name: str) -> list[PublishedVersion]: ...

    def all(self) -> list[PublishedVersion]: ...

    def add(self, version: PublishedVersion) -> None: ...

    def deprecate(self, name: str, version: str, at: str, by: str, reason: str) -> None: ...

    def put_archive(self, digest: str, data: bytes) -> None: ...

    def get_archive(self, digest: str) -> bytes: ...


class AuditRepository(Protocol):
    """The append-only, hash-chained audit log."""

    def append(self, actor: Actor, action: str, subject: str, payload: Mapping[str, Any]) -> AuditEvent: ...

    def events(self, after: int = 0, limit: int | None = None, action: str | None = None) -> Iterator[AuditEvent]:
        """Events in chain order; `action` keeps those whose action starts with it."""
        ...

    def head(self) -> ChainHead | None:
        """The newest event as recorded apart from the events themselves (None: that record is gone)."""
        ...


class EnvironmentRepository(Protocol):
    """Environments, their components, revisions and Terraform state versions."""

    def get(self, name: str) -> EnvironmentRecord | None: ...

    def all(self) -> list[EnvironmentRecord]: ...

    def save(self, record: EnvironmentRecord) -> None: ...

    def components(self, environment: str) -> list[ComponentRecord]: ...

    def save_component(self, record: ComponentRecord) -> None: ...

    def delete_component(self, environment: str, name: str) -> None: ...

    def add_revision(self, record: RevisionRecord) -> None: ...

    def revisions(self, environment: str) -> list[RevisionRecord]: ...

    def add_state(self, version: StateVersion) -> None: ...

    def latest_state(self, environment: str, component: str) -> StateVersion | None: ...

    def state_history(self, environment: str, component: str) -> list[StateVersion]: ...


class LockRepository(Protocol):
    """Lease-based locks keyed by name."""

    def get(self, key: str) -> LockHolder | None: ...

    def put(self, key: str, holder: LockHolder) -> None: ...

    def delete(self, key: str) -> None: ...


class PolicyRepository(Protocol):
    """Published policy bundles (their archives live with the catalog's, content-addressed)."""

    def get(self, name: str, version: str) -> PublishedBundle | None: ...

    def all(self) -> list[PublishedBundle]: ...

    def add(self, bundle: PublishedBundle) -> None: ...


class ProposalRepository(Protocol):
    """Proposals, their saved plans (encrypted at rest) and approvals."""

    def get(self, proposal_id: str) -> Proposal | None: ...

    def lock(self, proposal_id: str) -> Proposal | None: ...

    def all(self, environment: str | None = None) -> list[Proposal]: ...

    def save(self, proposal: Proposal) -> None: ...

    def put_plans(self, proposal_id: str, plans: Mapping[str, bytes]) -> None: ...

    def plans(self, proposal_id: str) -> dict[str, bytes]: ...

    def add_approval(self, proposal_id: str, approval: Approval) -> None: ...


class Transaction(Protocol):
    """One atomic unit of work: state changes and their audit events commit together."""

    @property
    def catalog(self) -> CatalogRepository: ...

    @property
    def audit(self) -> AuditRepository: ...

    @property
    def environments(self) -> EnvironmentRepository: ...

    @property
    def locks(self) -> LockRepository: ...

    @property
    def policies(self) -> PolicyRepository: ...

    @property
    def proposals(self) -> ProposalRepository: ...


class Store(Protocol):
    """The metadata store (SQLite or PostgreSQL)."""

    def transaction(self) -> AbstractContextManager[Transaction]: ...


class Runner(Protocol):
    """Runs one kind of blueprint. Reading (plan, outputs, refresh) is kept apart from changing (apply, destroy)."""

    # -- reading --
    def plan(self, request: RunRequest, on_event: EventSink, destroy: bool = False) -> PlanSummary: ...

    def outputs(self, request: RunRequest) -> OutputValues: ...

    def refresh(self, request: RunRequest, on_event: EventSink) -> PlanSummary: ...

    def saved_plan(self, plan: PlanSummary) -> bytes | None:
        """The saved plan's bytes, kept with a proposal; None when the runner has no saved plans."""
        ...

    def restore_plan(
        self, request: RunRequest, plan: PlanSummary, content: bytes | None, on_event: EventSink
    ) -> PlanSummary:
        """Prepare the work directory and put a kept saved plan back, so apply runs exactly that plan."""
        ...

    # -- changing --
    def apply(self, request: RunRequest, plan: PlanSummary, on_event: EventSink) -> OutputValues: ...

    def destroy(self, request: RunRequest, on_event: EventSink) -> None: ...


class EnvironmentHistory(Protocol):
    """The environments git repository: one file per environment, one commit per applied change."""

    def commit(self, environment: str, document: Mapping[str, Any] | None, message: str, author: str) -> str:
        """Write (or, for None, remove) the environment's file and commit it; returns the commit id."""
        ...


__all__ += ["EnvironmentHistory"]
