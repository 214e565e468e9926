"""The store's ports: one repository per kind of record, a transaction over them, and the store.

Re-exported by core/ports.py, where services import them from with the other ports.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Protocol

from infraplane.core.approval import Approval
from infraplane.core.audit import Actor, AuditEvent, ChainHead
from infraplane.core.catalog import PublishedVersion
from infraplane.core.identity import TokenRecord
from infraplane.core.proposals import Proposal
from infraplane.core.records import (
    ComponentApply,
    ComponentRecord,
    EnvironmentRecord,
    LockHolder,
    PolicyReplayRecord,
    PublishedBundle,
    RevisionRecord,
    StateVersion,
)
from infraplane.core.upstream import Dependency

__all__ = [
    "AuditRepository",
    "CatalogRepository",
    "EnvironmentRepository",
    "LockRepository",
    "PolicyRepository",
    "ProposalQuery",
    "ProposalRepository",
    "PublishedPolicies",
    "Store",
    "TokenRepository",
    "Transaction",
]


class CatalogRepository(Protocol):
    """Blueprint versions and their content-addressed archives."""

    def get(self, name: str, version: str) -> PublishedVersion | None: ...

    def versions(self, name: str) -> list[PublishedVersion]: ...

    def all(self) -> list[PublishedVersion]: ...

    def generation(self) -> tuple[int, int]:
        """Changes whenever a version is published or deprecated (both are append-only): a cache key."""
        ...

    def add(self, version: PublishedVersion) -> None: ...

    def deprecate(self, name: str, version: str, at: str, by: str, reason: str) -> None: ...

    def put_archive(self, digest: str, data: bytes) -> None: ...

    def get_archive(self, digest: str) -> bytes: ...


class AuditRepository(Protocol):
    """The append-only, hash-chained audit log."""

    def append(self, actor: Actor, action: str, subject: str, payload: Mapping[str, Any]) -> AuditEvent: ...

    def events(
        self, after: int = 0, limit: int | None = None, action: str | None = None, subject: str | None = None
    ) -> Iterator[AuditEvent]:
        """Events in chain order; `action` keeps those whose action starts with it, `subject` those about it."""
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

    def set_dependencies(self, consumer: str, dependencies: Sequence[Dependency]) -> None:
        """Replace what `consumer` reads of other environments (its applied revision's reads; [] when destroyed)."""
        ...

    def dependencies(self, consumer: str) -> list[Dependency]:
        """What `consumer` reads of other environments, as last applied."""
        ...

    def dependents(self, producer: str) -> list[Dependency]:
        """Every applied environment's read of `producer`'s outputs."""
        ...


class LockRepository(Protocol):
    """Lease-based locks keyed by name."""

    def get(self, key: str) -> LockHolder | None: ...

    def put(self, key: str, holder: LockHolder) -> None: ...

    def claim(self, key: str, holder: LockHolder) -> bool:
        """Insert the lock when no row has `key` (atomically, across processes); whether it was inserted."""
        ...

    def delete(self, key: str) -> None: ...


class PolicyRepository(Protocol):
    """Published policy bundles (their archives live with the catalog's, content-addressed) and replay reports."""

    def get(self, name: str, version: str) -> PublishedBundle | None: ...

    def all(self) -> list[PublishedBundle]: ...

    def add(self, bundle: PublishedBundle) -> None: ...

    def add_replay(self, replay: PolicyReplayRecord) -> None: ...

    def get_replay(self, replay_id: str) -> PolicyReplayRecord | None: ...

    def replays(self, name: str | None = None) -> list[PolicyReplayRecord]:
        """Stored replay reports, oldest first (of one bundle name when given)."""
        ...


class PublishedPolicies(Protocol):
    """Read-only: the published policy bundles and their archives, as the store holds them.

    What `policy check` reads; the composition root may give a reader cheaper to open than the store.
    """

    def all(self) -> list[PublishedBundle]: ...

    def archive(self, digest: str) -> bytes: ...


@dataclass(frozen=True)
class ProposalQuery:
    """Which proposals to find, oldest first: each field narrows; None means any."""

    environment: str | None = None
    statuses: frozenset[str] | None = None
    kind: str | None = None
    teams: frozenset[str] | None = None
    after: tuple[str, str] | None = None  # (created_at, id) of the last one already seen
    expires_by: str | None = None  # expires_at at or before this timestamp


class ProposalRepository(Protocol):
    """Proposals, their saved plans (encrypted at rest) and approvals."""

    def get(self, proposal_id: str) -> Proposal | None: ...

    def lock(self, proposal_id: str) -> Proposal | None: ...

    def all(self, environment: str | None = None) -> list[Proposal]: ...

    def find(self, query: ProposalQuery, limit: int | None = None) -> list[Proposal]:
        """Proposals matching `query` ordered by (created_at, id), at most `limit`; filtered in the store."""
        ...

    def save(self, proposal: Proposal) -> None: ...

    def put_plans(self, proposal_id: str, plans: Mapping[str, bytes]) -> None: ...

    def plans(self, proposal_id: str) -> dict[str, bytes]: ...

    def put_plan_documents(self, proposal_id: str, documents: Mapping[str, bytes]) -> None:
        """Each component's plan JSON (`terraform show -json`, scrubbed), kept encrypted for policy replay."""
        ...

    def plan_documents(self, proposal_id: str) -> dict[str, bytes]: ...

    def add_approval(self, proposal_id: str, approval: Approval) -> None: ...

    def claim_apply(self, claim: ComponentApply) -> ComponentApply | None:
        """Record that `claim.run_id` starts this component's apply; None when recorded now, else the
        earlier record of the same (proposal, component, plan digest): that apply must not run again."""
        ...

    def finish_apply(self, claim: ComponentApply) -> None: ...

    def applies(self, proposal_id: str) -> list[ComponentApply]: ...


class TokenRepository(Protocol):
    """API tokens, found by name or by the digest of their secret; rows are revoked, never deleted."""

    def get(self, name: str) -> TokenRecord | None: ...

    def by_digest(self, digest: str) -> TokenRecord | None: ...

    def all(self) -> list[TokenRecord]: ...

    def add(self, token: TokenRecord, digest: str) -> None: ...

    def revoke(self, name: str, at: str) -> None: ...


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

    @property
    def tokens(self) -> TokenRepository: ...


class Store(Protocol):
    """The metadata store (SQLite or PostgreSQL)."""

    def transaction(self) -> AbstractContextManager[Transaction]: ...

    def read(self) -> AbstractContextManager[Transaction]:
        """A transaction that only reads: it takes no write lock, so readers never queue behind writers.

        Writing in it is a bug (PostgreSQL refuses it; SQLite may answer busy).
        """
        ...

    def seal(self, plaintext: bytes) -> str:
        """A token of `plaintext` encrypted with the store's key (sensitive inputs kept in documents)."""
        ...

    def unseal(self, token: str) -> bytes:
        """The plaintext of a token `seal` made; FailureError when this key cannot open it."""
        ...
