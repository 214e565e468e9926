"""Planning an environment: the request's checks, then a plan of every component whose configuration changed.

Components wait when an input is an output not yet known; the others are planned in
parallel, each checked (policies, cost) as soon as its plan is parsed. A waiting component
is previewed when its runner can: planned with those inputs "known after apply", and checked
the same way, so the proposal shows its resources, findings and cost (core/preview.py).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import replace

from infraplane.core.audit import Actor
from infraplane.core.drift import drift_items
from infraplane.core.drift_remediation import unreverted
from infraplane.core.graph import fingerprint, wire_inputs
from infraplane.core.policy import PolicyDecision
from infraplane.core.ports import Store
from infraplane.core.preview import unchecked_findings
from infraplane.core.proposals import ComponentChange
from infraplane.core.runs import PlanSummary, Target
from infraplane.errors import FailureError
from infraplane.services.audit import record
from infraplane.services.environments.resolution import Resolution
from infraplane.services.orchestration.executor import run_graph
from infraplane.services.orchestration.explain import decision_summary, outcome_error, why_planned
from infraplane.services.orchestration.plan_checks import PlanChecks, PolicyDeniedError
from infraplane.services.orchestration.plans import ComponentPlan, EnvironmentPlan, read_plan
from infraplane.services.orchestration.records import EnvironmentRecords
from infraplane.services.orchestration.session import RunSession, component_lock

__all__ = ["Planner", "component_context", "run_plan", "run_preview"]


def component_context(resolution: Resolution, component: str) -> dict[str, str]:
    """The context every component's run receives (the `infraplane` variable of a Terraform module)."""
    meta = resolution.environment.metadata
    return {
        "environment": meta.name,
        "team": meta.team,
        "tier": meta.tier,
        "owner": meta.effective_owner,
        "component": component,
    }


def run_preview(session: RunSession, environment: str, item: ComponentPlan, target: Target) -> PlanSummary | None:
    """Plan one waiting component with its unknown inputs left "known after apply"; None when its runner cannot."""
    component = item.component
    session.leases.acquire(component_lock(environment, component.name))
    request = session.request(
        environment, component.name, component.blueprint, component.digest, item.inputs, item.context, target
    )
    runner = session.runner(component.blueprint.spec.runner)
    return runner.preview(request, item.unknown_inputs, session.on_event(environment, component.name))


def run_plan(
    session: RunSession, environment: str, item: ComponentPlan, target: Target, replace: Sequence[str] = ()
) -> PlanSummary:
    """Plan one component with its runner, under the component's lease (`replace`: resources to replace)."""
    component = item.component
    session.leases.acquire(component_lock(environment, component.name))
    request = session.request(
        environment, component.name, component.blueprint, component.digest, item.inputs, item.context, target
    )
    session.recover(request)
    runner = session.runner(component.blueprint.spec.runner)
    return runner.plan(request, session.on_event(environment, component.name), replace=replace)


class Planner:
    def __init__(self, store: Store, records: EnvironmentRecords, checks: PlanChecks | None, concurrency: int) -> None:
        self._store = store
        self._records = records
        self._checks = checks
        self._concurrency = concurrency

    def check_request(self, resolution: Resolution, actor: Actor) -> PolicyDecision | None:
        """Policies on the request itself, before any runner starts; a deny stops here."""
        if self._checks is None:
            return None
        decision = self._checks.check_request(resolution, actor)
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

    def record_decision(self, plan: EnvironmentPlan, actor: Actor) -> None:
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

    def keep_plans(self, session: RunSession, plan: EnvironmentPlan) -> None:
        """Read each saved plan and the state it was made against, so a proposal can keep both."""
        with self._store.transaction() as tx:
            for item in plan.components.values():
                if item.summary is not None:
                    item.saved = session.runner(item.component.blueprint.spec.runner).saved_plan(item.summary)
                latest = tx.environments.latest_state(plan.name, item.name)
                item.state = (latest.serial, latest.lineage) if latest else None

    @staticmethod
    def _not_previewed(session: RunSession, item: ComponentPlan, why: str) -> None:
        item.not_previewed = why
        item.reason += f"; not previewed: {why}"
        session.progress.component(item.name, status="waits", note=item.reason)

    def _has_state(self, environment: str, component: str) -> bool:
        with self._store.transaction() as tx:
            latest = tx.environments.latest_state(environment, component)
        return latest is not None and bool(latest.state.managed_instances())

    def restore(self, resolution: Resolution, target: Target, changes: Sequence[ComponentChange]) -> EnvironmentPlan:
        """An approved plan rebuilt from what a proposal kept (counts, fingerprints); the plan files come later."""
        by_name = {c.name: c for c in changes}
        plans: dict[str, ComponentPlan] = {}
        for component in resolution.graph.components:
            change = by_name.get(component.name)
            context = component_context(resolution, component.name)
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
                replace=change.replace,
                drifted=change.drifted,
            )
        return EnvironmentPlan(resolution, target, plans)

    def plan(
        self, session: RunSession, resolution: Resolution, target: Target, replan_all: bool, revert: bool = False
    ) -> EnvironmentPlan:
        """Plan every component whose desired configuration changed since its last apply, and check each plan.

        `revert` (a drift revert: every component, `replan_all`): a component whose plan leaves some drift as it
        is (core/drift_remediation.unreverted) is planned again with those resources replaced.
        """
        name = resolution.environment.name
        records = self._records.components(name)
        outputs = {n: r.outputs for n, r in records.items() if r.status == "applied"}
        plans: dict[str, ComponentPlan] = {}
        to_plan: list[str] = []
        to_preview: list[str] = []
        for component in resolution.graph.components:
            context = component_context(resolution, component.name)
            values, unknown = wire_inputs(component, outputs)
            previous = records.get(component.name)
            if unknown:
                waits_for = sorted(
                    {f"{r.component}.{r.output}" for k, r in component.output_refs().items() if k in unknown}
                )
                reason = "known after apply: " + ", ".join(waits_for)
                plans[component.name] = ComponentPlan(component, "waits", reason, context, values, unknown)
                if self._has_state(name, component.name):
                    # A preview has no state to plan against: it would show a component made anew.
                    self._not_previewed(session, plans[component.name], "it has resources already")
                else:
                    to_preview.append(component.name)
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

        def preview(component_name: str) -> None:
            item = plans[component_name]
            session.progress.component(component_name, status="planning", started=time.monotonic(), note=item.reason)
            try:
                summary = run_preview(session, name, item, target)
            except FailureError as exc:
                # Terraform cannot plan some modules without the values (a count from an unknown input).
                self._not_previewed(session, item, exc.message)
                return
            if summary is None:
                runner = item.component.blueprint.spec.runner
                self._not_previewed(session, item, f"the {runner} runner cannot plan before its inputs are known")
                return
            item.summary = summary
            item.plan = read_plan(summary)
            if self._checks is not None and item.plan is not None:
                decision, item.cost = self._checks.check_plan(resolution, item.component, item.plan, False)
                waits_for = {k: f"{r.component}.{r.output}" for k, r in item.component.output_refs().items()}
                unchecked = unchecked_findings(component_name, item.plan, waits_for)
                if decision is not None:
                    item.decision = replace(decision, findings=decision.findings + unchecked)
            note = f"preview, {item.reason}"
            if item.decision is not None and item.decision.findings:
                note = f"{len(item.decision.denies())} deny, {len(item.decision.warnings())} warn; {note}"
            session.progress.component(
                component_name,
                status="denied" if item.decision is not None and item.decision.denied else "waits",
                add=summary.add,
                change=summary.change,
                destroy=summary.destroy,
                note=note,
            )

        def work(component_name: str) -> None:
            if component_name in to_preview:
                preview(component_name)
                return
            item = plans[component_name]
            session.progress.component(component_name, status="planning", started=time.monotonic(), note=item.reason)
            item.summary = run_plan(session, name, item, target)
            item.plan = read_plan(item.summary)
            stays = unreverted(name, component_name, item.plan) if revert and item.plan is not None else ()
            if stays:
                # Applying the code again would leave this drift: plan those resources replaced instead.
                note = f"drift a plain apply would keep: replacing {', '.join(stays)}"
                session.progress.component(component_name, status="planning", note=note)
                session.runner(item.component.blueprint.spec.runner).saved_plan(item.summary)  # the first plan goes
                item.replace = stays
                item.summary = run_plan(session, name, item, target, replace=stays)
                item.plan = read_plan(item.summary)
            item.drifted = item.plan is not None and bool(drift_items(name, component_name, item.plan))
            if self._checks is not None:
                item.decision, item.cost = self._checks.check_plan(
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

        outcome = run_graph({n: set() for n in to_plan + to_preview}, work, self._concurrency)
        if not outcome.ok:
            for failed, error in outcome.errors.items():
                session.progress.component(failed, status="failed", note=str(error))
            raise FailureError(f"planning failed: {outcome_error(outcome)}")
        plan = EnvironmentPlan(resolution, target, plans)
        if self._checks is not None:
            current = self._checks.current_costs(name)
            reports = [p.cost if p.reviewable and p.cost else current.get(n) for n, p in plans.items()]
            plan.budget_decision = self._checks.check_budget(resolution, [r for r in reports if r is not None])
        return plan
