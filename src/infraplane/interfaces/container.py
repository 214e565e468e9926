"""The composition root: settings, the store, runners and services, built once per process.

The only place that knows both sides: it builds the adapters and hands them to the services
as the ports of `core/ports.py`, and turns the sandbox into a run target (data the runners apply).
Adapters and services are imported where they are built, so a command pays only for what it
uses (`policy check` needs neither Terraform, the sandbox nor `ask`'s ranking).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import timedelta
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from infraplane.core.audit import Actor
from infraplane.core.runs import Target
from infraplane.errors import ConfigError, Problem, RefusedError
from infraplane.settings import AskSettings, Settings, load_settings

if TYPE_CHECKING:
    from infraplane.adapters.cloud.inventory import CloudInventory
    from infraplane.adapters.store import SqlStore
    from infraplane.adapters.terraform.import_suggestion import TerraformImports
    from infraplane.adapters.terraform.runner import TerraformRunner
    from infraplane.adapters.terraform_module import ModuleInterfaceCache
    from infraplane.core.ask.suggestion import ChatBackend
    from infraplane.core.ports import Runner, StateBackendFactory, Store, Transaction
    from infraplane.core.upstream import UpstreamAccess
    from infraplane.services.advisors import AdvisorService
    from infraplane.services.ask import AskService
    from infraplane.services.audit import AuditService
    from infraplane.services.catalog import CatalogService
    from infraplane.services.cost import CostService
    from infraplane.services.drift import DriftService
    from infraplane.services.drift_remediation import DriftRemediation
    from infraplane.services.kpi import KpiService
    from infraplane.services.orchestration.service import EnvironmentService
    from infraplane.services.policy import PolicyService
    from infraplane.services.policy_replay import PolicyReplayService
    from infraplane.services.proposals import ProposalService
    from infraplane.services.proposals.wording import SummaryRephraser
    from infraplane.services.scheduler import Job
    from infraplane.services.tasks import TaskRunner
    from infraplane.services.tokens import TokenService
    from infraplane.services.unmanaged import UnmanagedService

__all__ = ["Container", "chat_backend"]


class _StoreOnFirstUse:
    """A `Store` opened (imported, created, migrated) the first time something is asked of it."""

    def __init__(self, opener: Callable[[], Store]) -> None:
        self._opener = opener

    def transaction(self) -> AbstractContextManager[Transaction]:
        return self._opener().transaction()

    def read(self) -> AbstractContextManager[Transaction]:
        return self._opener().read()

    def seal(self, plaintext: bytes) -> str:
        return self._opener().seal(plaintext)

    def unseal(self, token: str) -> bytes:
        return self._opener().unseal(token)


def chat_backend(settings: AskSettings) -> ChatBackend | None:
    """The configured LLM backend of `ask`, or None for the built-in resolver alone."""
    if settings.llm == "none":
        return None
    if not settings.llm_url:
        reason = f"ask.llm is {settings.llm!r} but ask.llm_url is not set"
        raise ConfigError(reason, [Problem("config.yaml", "ask.llm_url", "required when ask.llm is set")])
    from infraplane.adapters.llm import AnthropicMessages, OpenAIChat

    backend = OpenAIChat if settings.llm == "openai" else AnthropicMessages
    return backend(settings.llm_url, settings.llm_key, settings.llm_model, settings.llm_timeout_seconds)


class Container:
    """Lazily wires adapters into services; interfaces ask it for what they need."""

    def __init__(self, settings: Settings | None = None, user: str | None = None, worker: bool = False) -> None:
        self._settings = settings
        self._user = user
        # An `infraplane worker`: Terraform reaches state through the server's API, not a loopback server.
        self._worker = worker

    @cached_property
    def settings(self) -> Settings:
        return self._settings or load_settings()

    @cached_property
    def store(self) -> SqlStore:
        from infraplane.adapters.secrets import SecretBox, keep_files_private
        from infraplane.adapters.store import SqlStore

        keep_files_private()  # the store, work directories and tools' files are the owner's alone
        home = self.settings.home
        if not home.exists():
            # A new home is never made silently: say where, and how another is chosen.
            home.mkdir(parents=True, exist_ok=True, mode=0o700)
            sys.stderr.write(
                f"infraplane: created a new home at {home} ({self.settings.home_source or 'as configured'}); "
                "set INFRAPLANE_HOME to use another\n"
            )
        store = SqlStore(
            self.settings.effective_database_url, SecretBox.from_key_file(self.settings.effective_state_key_file)
        )
        store.migrate()
        return store

    @property
    def human(self) -> Actor:
        """The person at this terminal (`--as`, INFRAPLANE_USER, or the login name)."""
        return Actor("human", self._user or self.settings.user)

    def upstream_access(self, who: str) -> UpstreamAccess:
        """Which other environments `who` may read outputs of from this machine (no token: the CLI, MCP over stdio).

        An environment may read those of its own team; `who` adds the teams named as groups listing them in
        `groups:` (`groups: {network: [alice]}` lets alice's environments read the network team's).
        """
        from infraplane.core.upstream import UpstreamAccess

        teams = frozenset(group for group, members in self.settings.groups.items() if who in members)
        return UpstreamAccess(who, teams)

    @cached_property
    def catalog(self) -> CatalogService:
        from infraplane.adapters.archive import pack_directory
        from infraplane.adapters.terraform_module import read_module_interface
        from infraplane.services.catalog import CatalogService

        limits = self.settings.limits
        return CatalogService(
            self.store, pack_directory, read_module_interface, limits.document_bytes, limits.archive_bytes
        )

    @cached_property
    def audit(self) -> AuditService:
        from infraplane.services.audit import AuditService

        return AuditService(self.store)

    @cached_property
    def tokens(self) -> TokenService:
        from infraplane.services.tokens import TokenService

        return TokenService(self.store)

    @cached_property
    def policies(self) -> PolicyService:
        from infraplane.adapters.policy.backend import RegoPolicies
        from infraplane.adapters.secrets import keep_files_private
        from infraplane.adapters.store.published_policies import open_published_policies
        from infraplane.services.policy import PolicyService

        configured = self.settings.policies
        # Reading which bundles are published needs neither SQLAlchemy nor a migration check when the
        # store is a SQLite file already at the newest migration (most of `policy check`'s start-up);
        # the store itself is opened only when the service writes (publish).
        reader = open_published_policies(self.settings.effective_database_url)
        store: Store = self.store if reader is None else _StoreOnFirstUse(lambda: self.store)
        keep_files_private()
        cache = self.settings.home / "policies"  # unpacked published bundles, and compiled bundles in compiled/
        return PolicyService(
            store,
            RegoPolicies(cache / "compiled", self.settings.limits.archive_bytes),
            cache,
            configured.params,
            configured.builtin,
            reader,
        )

    @cached_property
    def policy_replay(self) -> PolicyReplayService:
        from infraplane.services.policy_replay import PolicyReplayService

        return PolicyReplayService(self.store, self.policies)

    @cached_property
    def costs(self) -> CostService:
        from infraplane.adapters.prices import load_price_table
        from infraplane.services.cost import CostService

        budgets = self.settings.budgets
        return CostService(self.store, budgets.tiers, budgets.teams, budgets.mode, load_price_table)

    @cached_property
    def terraform_tool(self) -> tuple[str, Path]:
        """The Terraform (or OpenTofu) binary and infraplane's own CLI configuration for it."""
        from infraplane.adapters.terraform.cli_config import discover_mirror, find_tool, write_cli_config

        configured = self.settings.terraform
        names = ["terraform", "tofu"] if configured.binary == "auto" else [configured.binary]
        tool = next((found for name in names if (found := find_tool(name)) is not None), None)
        if tool is None:
            raise ConfigError(f"terraform.binary: {' or '.join(names)} is not on PATH")
        cli_config = write_cli_config(
            self.settings.home / "terraform" / "terraformrc",
            configured.plugin_cache,
            discover_mirror(configured.provider_mirror),
        )
        return tool.path, cli_config

    @cached_property
    def module_interfaces(self) -> ModuleInterfaceCache:
        from infraplane.adapters.terraform_module import ModuleInterfaceCache

        return ModuleInterfaceCache(self.settings.home / "cache" / "module-interfaces")

    def _terraform(self) -> TerraformRunner:
        from infraplane.adapters.terraform.runner import TerraformRunner

        binary, cli_config = self.terraform_tool
        configured = self.settings.terraform
        return TerraformRunner(
            binary, cli_config, configured.plugin_cache, self.module_interfaces, configured.go_gc_percent
        )

    @cached_property
    def runners(self) -> dict[str, Runner]:
        from infraplane.adapters.ansible.runner import AnsibleRunner
        from infraplane.adapters.script.runner import ScriptRunner

        return {"terraform": self._terraform(), "ansible": AnsibleRunner(), "script": ScriptRunner()}

    def target(self, kind: str) -> Target:
        """Where an environment's resources go, as the data runners apply; the sandbox must be running."""
        if kind == "aws":
            # The usual AWS credential and configuration variables reach the tools; nothing else does.
            return Target("aws", environment={k: v for k, v in os.environ.items() if k.startswith("AWS_")})
        from infraplane.adapters.sandbox.control import sandbox_status
        from infraplane.adapters.sandbox.provider import sandbox_target

        info = sandbox_status(self.settings.home)
        if info is None:
            raise RefusedError("the sandbox cloud is not running: start it with `infraplane sandbox start`")
        return sandbox_target(info.endpoint)

    def _state_backend(self) -> StateBackendFactory:
        if not self._worker:
            from infraplane.adapters.terraform.state_server import StateServer

            return StateServer
        from infraplane.adapters.terraform.remote_state import remote_state_factory

        team = self.settings.team
        secret = self.settings.worker_secret()
        if not team.server_url or not secret:
            missing = "team.server_url" if not team.server_url else "team.worker_token (or team.worker_token_file)"
            raise ConfigError(
                f"{missing} is not set: a worker reaches Terraform state through the server's API",
                [Problem(str(self.settings.config_file), missing.split(" ")[0], "required by `infraplane worker`")],
            )
        return remote_state_factory(team.server_url, secret)

    @cached_property
    def environments(self) -> EnvironmentService:
        from infraplane.services.orchestration.plan_checks import PlanChecks
        from infraplane.services.orchestration.service import EnvironmentService

        return EnvironmentService(
            store=self.store,
            catalog=self.catalog,
            runners=self.runners,
            work_dir=self.settings.work_dir,
            target_for=self.target,
            concurrency=self.settings.concurrency,
            lease_seconds=self.settings.lock_lease_seconds,
            lock_wait_seconds=self.settings.lock_wait_seconds,
            default_target=self.settings.default_target,
            state_backend=self._state_backend(),
            checks=PlanChecks(self.policies, self.costs),
            document_bytes=self.settings.limits.document_bytes,
            patient=self._worker,
        )

    @cached_property
    def drift(self) -> DriftService:
        from infraplane.services.drift import DriftService

        return DriftService(self.store, self.environments, self.policies, self.settings.concurrency)

    @cached_property
    def drift_remediation(self) -> DriftRemediation:
        from infraplane.adapters.terraform_module import PublishedModuleInterfaces
        from infraplane.services.drift_remediation import DriftRemediation

        def archive_for(digest: str) -> bytes:
            with self.store.read() as tx:
                return tx.catalog.get_archive(digest)

        interfaces = PublishedModuleInterfaces(self.module_interfaces, archive_for)
        return DriftRemediation(
            self.drift, self.proposals, self.environments, interfaces, self.settings.drift.auto_revert
        )

    @cached_property
    def unmanaged(self) -> UnmanagedService:
        from infraplane.services.unmanaged import UnmanagedService

        def inventory() -> CloudInventory:
            from infraplane.adapters.cloud.inventory import CloudInventory

            target = self.target(self.settings.default_target)
            return CloudInventory(target, self.settings.unmanaged.regions or [target.region])

        def suggester() -> TerraformImports:
            from infraplane.adapters.terraform.import_suggestion import TerraformImports

            return TerraformImports(*self.terraform_tool)

        return UnmanagedService(self.store, inventory, suggester, lambda: self.target(self.settings.default_target))

    @cached_property
    def kpi(self) -> KpiService:
        from infraplane.services.kpi import KpiService

        return KpiService(self.store)

    @cached_property
    def proposals(self) -> ProposalService:
        from infraplane.adapters.git_repository import EnvironmentsRepository
        from infraplane.services.proposals import ProposalService

        configured = self.settings.proposals
        return ProposalService(
            environments=self.environments,
            policies=self.policies,
            guardrails=self.environments.checks,
            groups=self.settings.groups,
            expire_after=timedelta(hours=configured.expire_after_hours),
            repository=EnvironmentsRepository(
                configured.environments_repo or self.settings.home / "environments", configured.environments_remote
            ),
        )

    @cached_property
    def rephraser(self) -> SummaryRephraser | None:
        """The configured LLM (`ask.llm*`) rewording proposal summaries for reading; None when none is configured."""
        from infraplane.services.proposals.wording import SummaryRephraser

        configured = self.settings.ask
        backend = chat_backend(configured)
        if backend is None:
            return None
        return SummaryRephraser(backend, " ".join(p for p in (configured.llm, configured.llm_model) if p))

    @cached_property
    def advisors(self) -> AdvisorService:
        from infraplane.adapters.cloudwatch import CloudWatchMetrics
        from infraplane.core.advisors import AdvisorLimits
        from infraplane.services.advisors import AdvisorService

        configured = self.settings.advisors
        limits = AdvisorLimits(
            window_days=configured.window_days,
            min_hours=configured.min_hours,
            headroom=configured.headroom,
            horizon_days=configured.horizon_days,
            burst_ratio=configured.burst_ratio,
            idle_days=configured.idle_days,
            ttl_grace_days=configured.ttl_grace_days,
        )
        return AdvisorService(
            store=self.store,
            catalog=self.catalog,
            environments=self.environments,
            proposals=self.proposals,
            metrics=CloudWatchMetrics(),
            target_for=self.target,
            prices=lambda: self.costs.table,
            limits=limits,
            idle_tiers=frozenset(configured.idle_tiers),
        )

    @cached_property
    def ask(self) -> AskService:
        from infraplane.services.ask import AskService

        def taken() -> set[str]:
            # Straight from the store: `ask --dry-run` must not need terraform on PATH.
            with self.store.transaction() as tx:
                return {record.name for record in tx.environments.all()}

        return AskService(self.catalog, taken, chat_backend(self.settings.ask))

    @property
    def home(self) -> Path:
        return self.settings.home

    @cached_property
    def jobs(self) -> list[Job]:
        """The periodic jobs, built once: each keeps its own memory (when each environment was last checked)."""
        from infraplane.interfaces.background_work import build_jobs

        return build_jobs(self)

    @cached_property
    def tasks(self) -> TaskRunner:
        """Runs a task with the CLI's own use cases (the server's pool and `infraplane worker` both call it)."""
        from infraplane.interfaces.background_work import task_runner

        return task_runner(self)

    def close(self) -> None:
        if "store" in self.__dict__:
            self.store.dispose()
