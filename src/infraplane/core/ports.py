"""The small interfaces adapters implement; services depend on these, never on an adapter."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from infraplane.core.advisors import MetricPoint, MetricQuery
from infraplane.core.approval import Approval
from infraplane.core.audit import Actor, AuditEvent, ChainHead
from infraplane.core.catalog import PublishedVersion
from infraplane.core.cost import PriceTable
from infraplane.core.identity import TokenRecord
from infraplane.core.inventory import CloudResource
from infraplane.core.module_interface import ModuleInterface
from infraplane.core.policy import Finding, Hook, PolicyDecision
from infraplane.core.policy_bundles import LoadedBundle, TestResult
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
from infraplane.core.runs import EventSink, OutputValues, PlanSummary, RunRequest, Target
from infraplane.core.state import TerraformState
from infraplane.core.tasks import Task
from infraplane.core.upstream import Dependency
from infraplane.errors import Problem

__all__ = [
    "AuditRepository",
    "CatalogRepository",
    "ChatBackendError",
    "DirectoryPacker",
    "EnvironmentRepository",
    "LockRepository",
    "MetricsReader",
    "ModuleInterfaceReader",
    "PolicyBundles",
    "PolicyEngine",
    "PolicyRepository",
    "PriceTableLoader",
    "ProposalRepository",
    "PublishedPolicies",
    "Runner",
    "StateBackend",
    "StateBackendFactory",
    "StateCallbacks",
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


class Runner(Protocol):
    """Runs one kind of blueprint. Reading (plan, outputs, refresh) is kept apart from changing (apply, destroy)."""

    # -- reading --
    def plan(
        self, request: RunRequest, on_event: EventSink, destroy: bool = False, replace: Sequence[str] = ()
    ) -> PlanSummary:
        """A saved plan; `replace` names resources planned to be replaced (a drift revert)."""
        ...

    def outputs(self, request: RunRequest) -> OutputValues: ...

    def refresh(self, request: RunRequest, on_event: EventSink) -> PlanSummary: ...

    def preview(self, request: RunRequest, unknown: Sequence[str], on_event: EventSink) -> PlanSummary | None:
        """A plan with the inputs `unknown` left "known after apply", never to be applied; None when the runner
        cannot plan without them (its dry run needs every value)."""
        ...

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


__all__ += [
    "CloudInventoryPort",
    "EnvironmentHistory",
    "ImportSuggester",
    "ImportSuggestionResult",
    "PublishedInterfaces",
]


# ------------------------------------------------------------------------------------------------
# Ports of the services' other adapters (issue 11). The composition root (interfaces/container.py)
# builds the adapters and passes them in; no module under services/ imports infraplane.adapters
# (an import-linter contract in pyproject.toml keeps it so).
# ------------------------------------------------------------------------------------------------


class DirectoryPacker(Protocol):
    """Packs a blueprint directory into its normalized archive (same content, same bytes, same digest)."""

    def __call__(self, root: Path, max_bytes: int | None = None) -> bytes:
        """The archive; ArchiveTooLarge (core/archives.py) before reading when its files exceed `max_bytes`."""
        ...


class ModuleInterfaceReader(Protocol):
    """Reads a Terraform module directory's interface; problems name the file and the reason."""

    def __call__(self, directory: Path) -> tuple[ModuleInterface, list[Problem]]: ...


class PublishedInterfaces(Protocol):
    """The module interface of a published blueprint version's Terraform source (cached by digest)."""

    def __call__(self, digest: str, source: str) -> ModuleInterface: ...


class CloudInventoryPort(Protocol):
    """Lists the cloud's resources of every type the inventory table knows (adapters/cloud)."""

    def list(self) -> tuple[list[CloudResource], list[str]]:
        """Every resource found, and a problem line for each type and region that could not be listed."""
        ...


class ImportSuggester(Protocol):
    """Writes `import` blocks and the configuration Terraform generates for them into a directory, validated."""

    def suggest(
        self, resources: Sequence[CloudResource], directory: Path, target: Target
    ) -> ImportSuggestionResult: ...


@dataclass(frozen=True)
class ImportSuggestionResult:
    directory: Path
    addresses: Mapping[str, str]  # cloud id -> Terraform address
    valid: bool
    removed: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "directory": str(self.directory),
            "imports": [{"id": i, "address": a} for i, a in self.addresses.items()],
            "valid": self.valid,
            "removed": list(self.removed),
            "problems": list(self.problems),
        }


class PriceTableLoader(Protocol):
    """Loads the price table cost estimates read (raises ConfigError naming the file and field)."""

    def __call__(self) -> PriceTable: ...


@dataclass(frozen=True)
class StateCallbacks:
    """What a Terraform state backend needs from the store; all keyed by (environment, component)."""

    read: Callable[[str, str], bytes | None]
    # (environment, component, the content as Terraform sent it, that content parsed)
    write: Callable[[str, str, bytes, TerraformState], None]
    holds_lease: Callable[[str, str], bool]
    run_id: str = ""  # the run the backend serves: a remote state API checks the lease is this run's


class StateBackend(Protocol):
    """A Terraform `http` state backend served for the lifetime of one run (a context manager)."""

    def __enter__(self) -> StateBackend: ...

    def __exit__(self, *exc: object) -> None: ...

    def backend_environment(self, environment: str, component: str) -> dict[str, str]:
        """Environment variables that point Terraform's http backend at one component's state."""
        ...


class StateBackendFactory(Protocol):
    def __call__(self, callbacks: StateCallbacks) -> StateBackend: ...


class PolicyEngine(Protocol):
    """Evaluates loaded policy bundles (Rego): findings, approval entries, and the bundles' own tests."""

    def check(self) -> None:
        """Compile every bundle; raises InputError naming the file, line and reason of a Rego error."""
        ...

    def evaluate(
        self, hook: Hook, document: Mapping[str, Any], tier: str, team: str, blueprint: str
    ) -> PolicyDecision: ...

    def evaluate_bundle(
        self,
        bundle: LoadedBundle,
        hook: Hook,
        document: Mapping[str, Any],
        packages: Collection[str] | None = None,
    ) -> list[Finding]:
        """One bundle's findings on one document, whatever its scope; only `packages`' rules when given."""
        ...

    def approval_entries(
        self, document: Mapping[str, Any], tier: str, team: str, blueprint: str
    ) -> tuple[list[Mapping[str, Any]], list[Mapping[str, Any]], list[str]]: ...

    def run_tests(self, bundle: LoadedBundle) -> list[TestResult]: ...


class PolicyBundles(Protocol):
    """Reads policy bundles (a directory, or a published archive) and builds an engine over some of them."""

    def load(self, directory: Path) -> LoadedBundle: ...

    def load_archive(self, archive: bytes, target: Path) -> LoadedBundle: ...

    def engine(self, bundles: list[LoadedBundle]) -> PolicyEngine: ...


class MetricsReader(Protocol):
    """Reads one metric of one resource from the target's monitoring (CloudWatch), a datapoint an hour."""

    def hourly(self, target: Target, query: MetricQuery, start: datetime, end: datetime) -> list[MetricPoint]:
        """The metric's `query.statistic` per hour from `start` to `end`, oldest first; [] when it has none.

        FailureError when the monitoring cannot be read (naming the metric).
        """
        ...


class ChatBackendError(Exception):
    """A chat backend could not be reached or did not answer with a chat reply (callers fall back)."""


@dataclass(frozen=True)
class QueueStatus:
    """What `/readyz` reports of the task queue: tasks waiting, tasks running, workers seen alive."""

    waiting: int
    running: int
    workers: int


class TaskQueue(Protocol):
    """Where plans, applies, drift checks and scheduled jobs run.

    Embedded: the server's own thread pool. Team mode: durable tasks in the store, run by
    `infraplane worker` processes on any machine (adapters/queue/). Tasks with one `key` run one
    at a time, in the order they were submitted.
    """

    def submit(self, task: Task) -> None: ...

    def pending(self, key: str) -> bool:
        """Whether a task with `key` waits or runs now."""
        ...

    def status(self) -> QueueStatus: ...

    def close(self, wait: bool = True) -> None: ...


__all__ += ["QueueStatus", "TaskQueue"]
