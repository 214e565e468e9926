"""The small interfaces adapters implement; services depend on these, never on an adapter."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from infraplane.core.advisors import MetricPoint, MetricQuery
from infraplane.core.cost import PriceTable
from infraplane.core.inventory import CloudResource
from infraplane.core.module_interface import ModuleInterface
from infraplane.core.policy import Finding, Hook, PolicyDecision
from infraplane.core.policy_bundles import LoadedBundle, TestResult
from infraplane.core.runs import EventSink, OutputValues, PlanSummary, RunRequest, Target
from infraplane.core.state import TerraformState
from infraplane.core.store_ports import (
    AuditRepository,
    CatalogRepository,
    EnvironmentRepository,
    LockRepository,
    PolicyRepository,
    ProposalQuery,
    ProposalRepository,
    PublishedPolicies,
    Store,
    TokenRepository,
    Transaction,
)
from infraplane.core.tasks import Task
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
    "ProposalQuery",
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

    def vet(self, bundle: LoadedBundle) -> None:
        """Compile and try a bundle where a crash or a hang of the Rego engine cannot reach this process.

        InputError naming the bundle when the engine crashes, runs out of time or memory on it.
        """
        ...

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
