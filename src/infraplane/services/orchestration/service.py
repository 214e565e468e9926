"""Environment use cases: plan, up, destroy, list, show.

`up` resolves the file (bad input stops here, before any runner), plans every
component whose desired configuration changed since its last apply
(`planning.py`), asks for confirmation, then applies in dependency order
(`applying.py`): each component starts as soon as its dependencies are done; a
component whose inputs were unknown at plan time is planned again with its
dependencies' real outputs first.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from infraplane.core.audit import Actor
from infraplane.core.environment import parse_environment
from infraplane.core.ports import Runner, StateBackendFactory, Store
from infraplane.core.preview import Reviewed
from infraplane.core.proposals import ComponentChange
from infraplane.core.records import (
    ComponentRecord,
    EnvironmentRecord,
    RevisionRecord,
)
from infraplane.core.runs import PlanSummary, Target
from infraplane.core.upstream import UpstreamAccess, UpstreamOutputs
from infraplane.errors import FailureError, InputError, NotFoundError, Problem
from infraplane.services.audit import record
from infraplane.services.catalog import CatalogService
from infraplane.services.documents import MAX_DEPTH, MAX_DOCUMENT_BYTES, json_depth_exceeds
from infraplane.services.environments.resolution import Resolution, load_environment_file, resolve
from infraplane.services.environments.sealing import unsealed
from infraplane.services.environments.upstream import UpstreamReader, UpstreamView
from infraplane.services.orchestration.applying import Applier, ApplyClaim
from infraplane.services.orchestration.destroying import destroy_component
from infraplane.services.orchestration.executor import GraphOutcome, reverse, run_graph
from infraplane.services.orchestration.explain import outcome_error
from infraplane.services.orchestration.plan_checks import PlanChecks
from infraplane.services.orchestration.planning import Planner
from infraplane.services.orchestration.plans import EnvironmentPlan
from infraplane.services.orchestration.progress import Progress
from infraplane.services.orchestration.records import EnvironmentRecords
from infraplane.services.orchestration.session import RunSession, component_lock, environment_lock

__all__ = ["EnvironmentService", "UpResult"]

TargetResolver = Callable[[str], Target]


@dataclass(frozen=True)
class UpResult:
    plan: EnvironmentPlan
    outcome: GraphOutcome | None
    applied: bool
    revision: int | None = None


class EnvironmentService:
    def __init__(
        self,
        store: Store,
        catalog: CatalogService,
        runners: Mapping[str, Runner],
        work_dir: Path,
        target_for: TargetResolver,
        concurrency: int,
        lease_seconds: float,
        default_target: str,
        state_backend: StateBackendFactory,
        checks: PlanChecks | None = None,
        document_bytes: int = MAX_DOCUMENT_BYTES,
        patient: bool = False,
        lock_wait_seconds: float = 0.0,
    ) -> None:
        self._lock_wait_seconds = lock_wait_seconds
        # Patient (a worker's runs): a lease a live run holds is waited for, not refused; on another
        # machine "live" only means "renewed", so a run taking over a dead one's task must wait it out.
        self._patient = patient
        self._store = store
        self._document_bytes = document_bytes
        self._catalog = catalog
        self._runners = runners
        self._work_dir = work_dir
        self._target_for = target_for
        self._concurrency = concurrency
        self._lease_seconds = lease_seconds
        self._default_target = default_target
        self._checks = checks
        self._state_backend = state_backend
        self._upstream = UpstreamReader(catalog)
        self._records_db = EnvironmentRecords(store)
        self._planner = Planner(store, self._records_db, checks, concurrency)
        self._applier = Applier(store, self._records_db, checks, concurrency)

    @property
    def store(self) -> Store:
        return self._store

    @property
    def checks(self) -> PlanChecks | None:
        """The checks run on requests and plans (None when policies and cost are not wired)."""
        return self._checks

    # -- reading -------------------------------------------------------------------------------

    def resolve_file(self, file: Path, access: UpstreamAccess | None = None) -> Resolution:
        """Parse and resolve an environment file; every problem is an InputError naming file and field.

        Other environments' outputs it reads must be readable for `access` (the requester's teams).
        """
        environment = load_environment_file(file, self._document_bytes)
        return resolve(environment, self._catalog, str(file), None, self.upstream_outputs, access)

    def resolve_document(
        self,
        document: Mapping[str, Any],
        source: str,
        pins: Mapping[str, str] | None = None,
        access: UpstreamAccess | None = None,
    ) -> Resolution:
        """Resolve an environment given as data (an agent's request, a stored revision).

        Sensitive inputs a stored document holds sealed are opened here, for the run, and only here.
        `access` checks the other environments it reads; None for a stored revision (checked when proposed).
        """
        if json_depth_exceeds(document, MAX_DEPTH):  # as deep as an environment file may be; deeper recurses away
            raise InputError.from_problems([Problem(source, "", f"refused: nested more than {MAX_DEPTH} levels deep")])
        environment, problems = parse_environment(unsealed(document, self._store.unseal, source), source)
        if environment is None:
            raise InputError.from_problems(problems)
        return resolve(environment, self._catalog, source, pins, self.upstream_outputs, access)

    def upstream_outputs(self, name: str) -> UpstreamOutputs | None:
        """Environment `name`'s outputs as another environment reading it sees them; None when it does not exist."""
        with self._store.read() as tx:
            return self._upstream.outputs(tx, name)

    def upstream(self, name: str) -> UpstreamView:
        """What the environment reads of others (and whether each changed since it was applied), and who reads it."""
        env, _, _ = self.get(name)
        with self._store.read() as tx:
            return self._upstream.status(tx, env)

    def environments(self) -> list[tuple[EnvironmentRecord, list[ComponentRecord]]]:
        with self._store.transaction() as tx:
            return [(env, tx.environments.components(env.name)) for env in tx.environments.all()]

    def get(self, name: str) -> tuple[EnvironmentRecord, list[ComponentRecord], list[RevisionRecord]]:
        with self._store.transaction() as tx:
            env = tx.environments.get(name)
            if env is None:
                known = ", ".join(e.name for e in tx.environments.all()) or "none"
                raise NotFoundError(f"no environment named {name!r} (environments: {known})")
            return env, tx.environments.components(name), tx.environments.revisions(name)

    def state_history(self, environment: str, component: str) -> list[tuple[int, str]]:
        """(serial, time) of every stored state version of a component; the content never leaves the store."""
        with self._store.transaction() as tx:
            return [(v.serial, v.created_at) for v in tx.environments.state_history(environment, component)]

    # -- sessions ------------------------------------------------------------------------------

    def _session(self, actor: Actor, progress: Progress, patient: bool = False) -> RunSession:
        def archive_for(digest: str) -> bytes:
            with self._store.transaction() as tx:
                return tx.catalog.get_archive(digest)

        return RunSession(
            self._store,
            self._runners,
            self._work_dir,
            actor,
            self._lease_seconds,
            progress,
            archive_for,
            self._state_backend,
            patient or self._patient,
            # A person's or an agent's run waits a while for a live holder (a scheduled drift check); the
            # system's own runs skip a busy environment until their next tick.
            0.0 if actor.kind == "system" else self._lock_wait_seconds,
        )

    def _target(self, resolution: Resolution) -> Target:
        return self._target_for(resolution.environment.spec.target or self._default_target)

    # -- planning ------------------------------------------------------------------------------

    def plan(
        self,
        resolution: Resolution,
        actor: Actor,
        progress: Progress,
        replan_all: bool = False,
        revert: bool = False,
    ) -> EnvironmentPlan:
        """Policies on the request, then a plan of every component whose desired configuration changed.

        `revert`: a drift revert; every component is planned, and drift a plain apply would keep is replaced.
        """
        target = self._target(resolution)
        request_decision = self._planner.check_request(resolution, actor)
        with self._session(actor, progress) as session:
            session.leases.acquire(environment_lock(resolution.environment.name))
            plan = self._planner.plan(session, resolution, target, replan_all or revert, revert)
            self._planner.keep_plans(session, plan)
        plan.request_decision = request_decision
        self._planner.record_decision(plan, actor)
        return plan

    def restore_plan(self, resolution: Resolution, changes: Sequence[ComponentChange]) -> EnvironmentPlan:
        """An approved plan rebuilt from what a proposal kept (counts, fingerprints); the plan files come later."""
        return self._planner.restore(resolution, self._target(resolution), changes)

    # -- applying ------------------------------------------------------------------------------

    def apply(
        self,
        plan: EnvironmentPlan,
        actor: Actor,
        progress: Progress,
        saved: Mapping[str, bytes | None],
        register: Callable[[Resolution, Target, Actor], int] | None = None,
        reviewed: Mapping[str, Reviewed] | None = None,
        claim: ApplyClaim | None = None,
        patient: bool = False,
    ) -> UpResult:
        """Apply an approved plan in dependency order, running each component's kept saved plan.

        A component whose inputs were unknown when it was planned is planned again with its
        dependencies' real outputs, and checked by the same policies, before it is applied; one that
        was previewed must keep to what was reviewed of it (`reviewed`), or the apply stops with a
        PreviewDepartedError before touching it. Raises FailureError (after recording it) when a component fails.
        With `claim` (proposal id, plan digest) each component's apply is recorded before it starts and never
        started twice (a resumed run settles what a dead one started); `patient` waits for live lease holders.
        """
        with self._session(actor, progress, patient) as session:
            session.leases.acquire(environment_lock(plan.name))
            revision = (register or self._records_db.register)(plan.resolution, plan.target, actor)
            if not plan.has_changes():
                self._records_db.finish(plan.name, actor, revision, "ready", "", {"result": "no changes"})
                return UpResult(plan, None, applied=False, revision=revision)
            outcome = self._applier.apply(session, plan, actor, revision, saved, reviewed or {}, claim)
            return UpResult(plan, outcome, applied=True, revision=revision)

    # -- drift ---------------------------------------------------------------------------------

    def refresh(
        self,
        name: str,
        actor: Actor,
        progress: Progress,
        only: Collection[str] | None = None,
        slots: threading.BoundedSemaphore | None = None,
    ) -> list[tuple[ComponentRecord, PlanSummary]]:
        """A refresh-only plan of every live component (or of `only`), under the environment's lease.

        Components are refreshed in parallel (at most `concurrency`, and each holds one of `slots` when given:
        a fleet check shares them across environments). Reads only: the state is not written (the refresh-only
        plan is saved, never applied).
        """
        env, components, _ = self.get(name)
        alive = [c for c in components if c.status not in ("destroyed", "pending") and (only is None or c.name in only)]
        target = self._target_for(env.target)
        results: dict[str, PlanSummary] = {}
        with self._session(actor, progress) as session:
            session.leases.acquire(environment_lock(name))
            by_name = {c.name: c for c in alive}

            def work(component_name: str) -> None:
                component = by_name[component_name]
                published = self._catalog.get(component.blueprint)
                with slots or contextlib.nullcontext():
                    session.leases.acquire(component_lock(name, component.name))
                    request = session.request(
                        name,
                        component.name,
                        published.blueprint,
                        component.digest,
                        component.inputs,
                        component.context,
                        target,
                    )
                    session.recover(request)
                    runner = session.runner(component.runner)
                    summary = runner.refresh(request, session.on_event(name, component.name))
                    runner.saved_plan(summary)  # the refresh-only plan holds values in clear; it is not kept
                    results[component.name] = summary

            outcome = run_graph({c.name: set() for c in alive}, work, self._concurrency)
            if not outcome.ok:
                raise FailureError(f"{name}: drift check failed: {outcome_error(outcome)}")
        return [(c, results[c.name]) for c in alive]

    # -- destroying ----------------------------------------------------------------------------

    def destroy(self, name: str, actor: Actor, progress: Progress, patient: bool = False) -> None:
        """Destroy every component in reverse dependency order (destroying a destroyed one changes nothing)."""
        env, components, _ = self.get(name)
        alive = [c for c in components if c.status != "destroyed"]
        target = self._target_for(env.target)
        with self._session(actor, progress, patient) as session:
            session.leases.acquire(environment_lock(name))
            self._records_db.set_status(name, "destroying", "")
            with self._store.transaction() as tx:
                record(
                    tx,
                    actor,
                    "environment.destroy.start",
                    f"environment:{name}",
                    {"components": [c.name for c in alive]},
                )
            names = {c.name for c in alive}
            dependencies = {c.name: set(c.depends_on) & names for c in alive}
            by_name = {c.name: c for c in alive}
            outcome = run_graph(
                reverse(dependencies),
                lambda n: destroy_component(self._store, self._catalog, session, by_name[n], target),
                self._concurrency,
                lambda n, because: progress.component(
                    n, status="skipped", note=f"kept: {because} could not be destroyed"
                ),
            )
            if not outcome.ok:
                error = outcome_error(outcome)
                self._records_db.set_status(name, "failed", error)
                with self._store.transaction() as tx:
                    record(tx, actor, "environment.destroy.fail", f"environment:{name}", {"error": error})
                raise FailureError(f"{name}: {error}")
            self._records_db.set_status(name, "destroyed", "")
            with self._store.transaction() as tx:
                record(tx, actor, "environment.destroy.finish", f"environment:{name}", {})

    def wait_for_environment(self, name: str, actor: Actor, progress: Progress) -> None:
        """Wait until no live run holds the environment's lease, taking a dead one's over after its lease."""
        with self._session(actor, progress, patient=True) as session:
            session.leases.acquire(environment_lock(name))
