"""Environment use cases: plan, up, destroy, list, show.

`up` resolves the file (bad input stops here, before any runner), plans every
component whose desired configuration changed since its last apply, asks for
confirmation, then applies in dependency order: each component starts as soon
as its dependencies are done; a component whose inputs were unknown at plan
time is planned again with its dependencies' real outputs first.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from infraplane.core.audit import Actor
from infraplane.core.environment import parse_environment
from infraplane.core.graph import fingerprint, wire_inputs
from infraplane.core.policy import PolicyDecision
from infraplane.core.ports import Runner, Store
from infraplane.core.proposals import ComponentChange
from infraplane.core.records import (
    ComponentRecord,
    EnvironmentRecord,
    RevisionRecord,
)
from infraplane.core.runs import PlanSummary, RunRequest, Target
from infraplane.errors import FailureError, InfraplaneError, InputError, NotFoundError
from infraplane.services.audit import record
from infraplane.services.catalog import CatalogService
from infraplane.services.environments.resolution import Resolution, load_environment_file, resolve
from infraplane.services.orchestration.destroying import destroy_component
from infraplane.services.orchestration.executor import GraphOutcome, reverse, run_graph
from infraplane.services.orchestration.explain import decision_summary, outcome_error, why_planned
from infraplane.services.orchestration.guardrails import Guardrails, PolicyDeniedError
from infraplane.services.orchestration.plans import ComponentPlan, EnvironmentPlan, read_plan
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
        guardrails: Guardrails | None = None,
    ) -> None:
        self._store = store
        self._catalog = catalog
        self._runners = runners
        self._work_dir = work_dir
        self._target_for = target_for
        self._concurrency = concurrency
        self._lease_seconds = lease_seconds
        self._default_target = default_target
        self._guardrails = guardrails
        self._records_db = EnvironmentRecords(store)

    @property
    def store(self) -> Store:
        return self._store

    @property
    def guardrails(self) -> Guardrails | None:
        return self._guardrails

    # -- reading -------------------------------------------------------------------------------

    def resolve_file(self, file: Path) -> Resolution:
        """Parse and resolve an environment file; every problem is an InputError naming file and field."""
        return resolve(load_environment_file(file), self._catalog, str(file))

    def resolve_document(
        self, document: Mapping[str, Any], source: str, pins: Mapping[str, str] | None = None
    ) -> Resolution:
        """Resolve an environment given as data (an agent's request, a stored revision)."""
        environment, problems = parse_environment(document, source)
        if environment is None:
            raise InputError.from_problems(problems)
        return resolve(environment, self._catalog, source, pins)

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

    def _session(self, actor: Actor, progress: Progress) -> RunSession:
        def archive_for(digest: str) -> bytes:
            with self._store.transaction() as tx:
                return tx.catalog.get_archive(digest)

        return RunSession(self._store, self._runners, self._work_dir, actor, self._lease_seconds, progress, archive_for)

    def _context(self, resolution: Resolution, component: str) -> dict[str, str]:
        meta = resolution.environment.metadata
        return {
            "environment": meta.name,
            "team": meta.team,
            "tier": meta.tier,
            "owner": meta.effective_owner,
            "component": component,
        }

    def _target(self, resolution: Resolution) -> Target:
        return self._target_for(resolution.environment.spec.target or self._default_target)

    # -- planning ------------------------------------------------------------------------------

    def plan(
        self, resolution: Resolution, actor: Actor, progress: Progress, replan_all: bool = False
    ) -> EnvironmentPlan:
        """Policies on the request, then a plan of every component whose desired configuration changed."""
        target = self._target(resolution)
        request_decision = self._check_request(resolution, actor)
        with self._session(actor, progress) as session:
            session.leases.acquire(environment_lock(resolution.environment.name))
            plan = self._plan(session, resolution, target, replan_all)
            self._keep_plans(session, plan)
        plan.request_decision = request_decision
        self._record_decision(plan, actor)
        return plan

    def restore_plan(self, resolution: Resolution, changes: Sequence[ComponentChange]) -> EnvironmentPlan:
        """An approved plan rebuilt from what a proposal kept (counts, fingerprints); the plan files come later."""
        by_name = {c.name: c for c in changes}
        plans: dict[str, ComponentPlan] = {}
        for component in resolution.graph.components:
            change = by_name.get(component.name)
            context = self._context(resolution, component.name)
            if change is None or change.status not in ("planned", "unchanged"):
                plans[component.name] = ComponentPlan(component, "waits", "planned when its inputs are known", context)
                continue
            summary = None
            if change.status == "planned":
                summary = PlanSummary(
                    component.name, change.add, change.change, change.destroy, output_changes=change.output_changes
                )
            plans[component.name] = ComponentPlan(
                component,
                change.status,
                change.reason,
                context,
                fingerprint=change.fingerprint or None,
                summary=summary,
                stale=change.stale,
            )
        return EnvironmentPlan(resolution, self._target(resolution), plans)

    def _keep_plans(self, session: RunSession, plan: EnvironmentPlan) -> None:
        """Read each saved plan and the state it was made against, so a proposal can keep both."""
        with self._store.transaction() as tx:
            for item in plan.components.values():
                if item.summary is not None:
                    item.saved = session.runner(item.component.blueprint.spec.runner).saved_plan(item.summary)
                latest = tx.environments.latest_state(plan.name, item.name)
                item.state = (latest.serial, latest.lineage) if latest else None

    def _check_request(self, resolution: Resolution, actor: Actor) -> PolicyDecision | None:
        """Policies on the request itself, before any runner starts; a deny stops here."""
        if self._guardrails is None:
            return None
        decision = self._guardrails.check_request(resolution, actor)
        if decision.denied:
            with self._store.transaction() as tx:
                record(
                    tx,
                    actor,
                    "policy.deny",
                    f"environment:{resolution.environment.name}",
                    {"hook": "request", **decision_summary(decision)},
                )
            raise PolicyDeniedError(
                f"{resolution.environment.name}: the request is denied by {len(decision.denies())} policy finding(s)",
                decision,
            )
        return decision

    def _record_decision(self, plan: EnvironmentPlan, actor: Actor) -> None:
        decision = plan.decision()
        if not decision.bundles:
            return
        with self._store.transaction() as tx:
            record(
                tx,
                actor,
                "policy.decision",
                f"environment:{plan.name}",
                {"hook": "plan", **decision_summary(decision)},
            )

    def _records(self, environment: str) -> dict[str, ComponentRecord]:
        return self._records_db.components(environment)

    def _plan(self, session: RunSession, resolution: Resolution, target: Target, replan_all: bool) -> EnvironmentPlan:
        name = resolution.environment.name
        records = self._records(name)
        outputs = {n: r.outputs for n, r in records.items() if r.status == "applied"}
        plans: dict[str, ComponentPlan] = {}
        to_plan: list[str] = []
        for component in resolution.graph.components:
            context = self._context(resolution, component.name)
            values, unknown = wire_inputs(component, outputs)
            previous = records.get(component.name)
            if unknown:
                waits_for = sorted(
                    {f"{r.component}.{r.output}" for k, r in component.output_refs().items() if k in unknown}
                )
                reason = "known after apply: " + ", ".join(waits_for)
                plans[component.name] = ComponentPlan(component, "waits", reason, context, values, unknown)
                session.progress.component(component.name, status="waits", note=reason)
                continue
            print_ = fingerprint(component, values, context)
            if not replan_all and previous and previous.status == "applied" and previous.applied_fingerprint == print_:
                plans[component.name] = ComponentPlan(
                    component, "unchanged", "no change since the last apply", context, values, [], print_
                )
                session.progress.component(component.name, status="unchanged", add=0, change=0, destroy=0)
                continue
            reason = why_planned(previous, component, values, context)
            stale = previous is None or previous.status != "applied" or previous.applied_fingerprint != print_
            plans[component.name] = ComponentPlan(
                component, "planned", reason, context, values, [], print_, stale=stale
            )
            to_plan.append(component.name)

        def work(component_name: str) -> None:
            item = plans[component_name]
            session.progress.component(component_name, status="planning", started=time.monotonic(), note=item.reason)
            item.summary = self._run_plan(session, name, item, target)
            item.plan = read_plan(item.summary)
            if self._guardrails is not None:
                item.decision, item.cost = self._guardrails.check_plan(
                    resolution, item.component, item.plan, item.summary.destroying
                )
            note = item.summary.note or item.reason
            if item.decision is not None and item.decision.findings:
                note = f"{len(item.decision.denies())} deny, {len(item.decision.warnings())} warn; {note}"
            session.progress.component(
                component_name,
                status="denied" if item.decision is not None and item.decision.denied else "planned",
                add=item.summary.add,
                change=item.summary.change,
                destroy=item.summary.destroy,
                note=note,
            )

        outcome = run_graph({n: set() for n in to_plan}, work, self._concurrency)
        if not outcome.ok:
            for failed, error in outcome.errors.items():
                session.progress.component(failed, status="failed", note=str(error))
            raise FailureError(f"planning failed: {outcome_error(outcome)}")
        plan = EnvironmentPlan(resolution, target, plans)
        if self._guardrails is not None:
            current = self._guardrails.current_costs(name)
            reports = [p.cost if p.status == "planned" and p.cost else current.get(n) for n, p in plans.items()]
            plan.budget_decision = self._guardrails.check_budget(resolution, [r for r in reports if r is not None])
        return plan

    def _request(
        self, session: RunSession, environment: str, item: ComponentPlan, inputs: Mapping[str, Any], target: Target
    ) -> RunRequest:
        component = item.component
        return session.request(
            environment, component.name, component.blueprint, component.digest, inputs, item.context, target
        )

    def _run_plan(self, session: RunSession, environment: str, item: ComponentPlan, target: Target) -> PlanSummary:
        component = item.component
        session.leases.acquire(component_lock(environment, component.name))
        request = self._request(session, environment, item, item.inputs, target)
        session.recover(request)
        return session.runner(component.blueprint.spec.runner).plan(
            request, session.on_event(environment, component.name)
        )

    def apply(
        self,
        plan: EnvironmentPlan,
        actor: Actor,
        progress: Progress,
        saved: Mapping[str, bytes | None],
        register: Callable[[Resolution, Target, Actor], int] | None = None,
    ) -> UpResult:
        """Apply an approved plan in dependency order, running each component's kept saved plan.

        A component whose inputs were unknown when it was planned is planned again with its
        dependencies' real outputs, and checked by the same guardrails, before it is applied.
        Raises FailureError (after recording it) when a component fails.
        """
        name = plan.name
        with self._session(actor, progress) as session:
            session.leases.acquire(environment_lock(name))
            revision = (register or self._records_db.register)(plan.resolution, plan.target, actor)
            if not plan.has_changes():
                self._records_db.finish(name, actor, revision, "ready", "", {"result": "no changes"})
                return UpResult(plan, None, applied=False, revision=revision)
            self._records_db.set_status(name, "applying", "")
            with self._store.transaction() as tx:
                record(
                    tx,
                    actor,
                    "environment.up.start",
                    f"environment:{name}",
                    {"revision": revision, "run": session.run_id},
                )
            outcome = run_graph(
                plan.resolution.graph.dependencies(),
                lambda n: self._apply_component(session, plan, n, saved),
                self._concurrency,
                lambda n, because: self._skip(session, plan, n, because),
            )
            if outcome.ok:
                self._records_db.finish(name, actor, revision, "ready", "", {"run": session.run_id})
                return UpResult(plan, outcome, applied=True, revision=revision)
            error = outcome_error(outcome)
            self._records_db.finish(name, actor, None, "failed", error, {"run": session.run_id, "error": error})
            raise FailureError(f"{name}: {error}")

    def _skip(self, session: RunSession, plan: EnvironmentPlan, name: str, because: str) -> None:
        item = plan.components[name]
        if item.status != "unchanged":
            self._records_db.save_component(
                plan.name, item.component, "skipped", error=f"not started: {because} failed"
            )
        session.progress.component(name, status="skipped", note=f"not started: {because} failed")

    def _apply_component(
        self, session: RunSession, plan: EnvironmentPlan, name: str, saved: Mapping[str, bytes | None]
    ) -> None:
        environment = plan.name
        item = plan.components[name]
        component = item.component
        records = self._records(environment)
        outputs = {n: r.outputs for n, r in records.items() if r.status == "applied"}
        values, unknown = wire_inputs(component, outputs)
        if unknown:
            raise FailureError(f"{name}: inputs {', '.join(unknown)} are still unknown after its dependencies ran")
        print_ = fingerprint(component, values, item.context)
        previous = records.get(name)
        if previous and previous.status == "applied" and previous.applied_fingerprint == print_:
            session.progress.component(name, status="unchanged", add=0, change=0, destroy=0)
            return
        started = time.monotonic()
        summary = item.summary
        if summary is None or item.fingerprint != print_:
            upstream = sorted({r.component for r in component.output_refs().values()})
            session.progress.component(
                name, status="planning", started=started, note="planning with real outputs of " + ", ".join(upstream)
            )
            item = replace(item, inputs=values, fingerprint=print_)
            summary = self._run_plan(session, environment, item, plan.target)
            if self._guardrails is not None:
                decision, _ = self._guardrails.check_plan(
                    plan.resolution, component, read_plan(summary), summary.destroying
                )
                if decision is not None and decision.denied:
                    rules = ", ".join(sorted({f"{f.rule} {f.address}" for f in decision.denies()}))
                    self._records_db.save_component(
                        environment, component, "failed", error=f"denied by policy: {rules}"
                    )
                    session.progress.component(name, status="denied", note=f"denied by policy: {rules}")
                    raise PolicyDeniedError(f"{name}: denied by policy: {rules}", decision)
        session.leases.acquire(component_lock(environment, name))
        request = self._request(session, environment, item, values, plan.target)
        runner = session.runner(component.blueprint.spec.runner)
        if summary is item.summary and name in saved:
            # The approved plan, exactly: put its saved plan file back in a freshly prepared work directory.
            summary = runner.restore_plan(request, summary, saved[name], session.on_event(environment, name))
        self._records_db.save_component(environment, component, "applying", error="")
        with self._store.transaction() as tx:
            record(
                tx,
                session.actor,
                "component.apply.start",
                f"component:{environment}/{name}",
                {
                    "blueprint": component.ref,
                    "digest": component.digest,
                    "add": summary.add,
                    "change": summary.change,
                    "destroy": summary.destroy,
                },
            )
        session.progress.component(
            name, status="applying", started=started, add=summary.add, change=summary.change, destroy=summary.destroy
        )
        try:
            if component.blueprint.spec.runner == "terraform" and not summary.has_changes:
                produced = runner.outputs(request)
            else:
                produced = runner.apply(request, summary, session.on_event(environment, name))
        except InfraplaneError as exc:
            self._records_db.save_component(environment, component, "failed", error=exc.message)
            with self._store.transaction() as tx:
                record(
                    tx, session.actor, "component.apply.fail", f"component:{environment}/{name}", {"error": exc.message}
                )
            session.progress.component(name, status="failed", note=exc.message)
            raise
        self._records_db.save_component(
            environment,
            component,
            "applied",
            applied_fingerprint=print_,
            inputs=values,
            context=item.context,
            outputs=dict(produced.values),
            sensitive_outputs=produced.sensitive | component.blueprint.sensitive_outputs(),
            error="",
        )
        with self._store.transaction() as tx:
            record(
                tx,
                session.actor,
                "component.apply.finish",
                f"component:{environment}/{name}",
                {
                    "blueprint": component.ref,
                    "digest": component.digest,
                    "seconds": round(time.monotonic() - started, 1),
                },
            )
        session.progress.component(name, status="applied")

    # -- destroying ----------------------------------------------------------------------------

    def destroy(self, name: str, actor: Actor, progress: Progress) -> None:
        """Destroy every component in reverse dependency order."""
        env, components, _ = self.get(name)
        alive = [c for c in components if c.status != "destroyed"]
        target = self._target_for(env.target)
        with self._session(actor, progress) as session:
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
