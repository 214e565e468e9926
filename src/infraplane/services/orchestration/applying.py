"""Applying an approved plan: components in dependency order, each running exactly its kept saved plan.

A component whose inputs were unknown when it was planned is planned again with its
dependencies' real outputs, and checked by the same policies, before it is applied. If it
was previewed, that plan must keep to what was reviewed (core/preview.py): otherwise it is
not touched, and the apply stops with a PreviewDepartedError naming every difference.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import replace

from infraplane.core.audit import Actor, utc_timestamp
from infraplane.core.cost import CostReport
from infraplane.core.diff import plan_diff
from infraplane.core.graph import fingerprint, wire_inputs
from infraplane.core.plan import NormalizedPlan
from infraplane.core.policy import PolicyDecision
from infraplane.core.ports import Store
from infraplane.core.preview import Reviewed, departures
from infraplane.core.records import ComponentApply
from infraplane.errors import FailureError, InfraplaneError, RefusedError
from infraplane.services.audit import record
from infraplane.services.orchestration.executor import GraphOutcome, run_graph
from infraplane.services.orchestration.explain import outcome_error
from infraplane.services.orchestration.plan_checks import PlanChecks, PolicyDeniedError
from infraplane.services.orchestration.planning import run_plan
from infraplane.services.orchestration.plans import ComponentPlan, EnvironmentPlan, read_plan
from infraplane.services.orchestration.records import EnvironmentRecords
from infraplane.services.orchestration.session import RunSession, component_lock

__all__ = ["Applier", "ApplyClaim", "CutShortError", "PreviewDepartedError"]

# (proposal id, approved plan digest): with the component's name, the key of the idempotency record.
ApplyClaim = tuple[str, str]


class CutShortError(RefusedError):
    """A run that died had started this component's apply, and a new plan shows changes still to make.

    What the cut-short apply did is only known from that new plan: the proposal is planned again
    (proposals/applying.py), never applied a second time under the same approved plan.
    """

    code = "cut_short"


class PreviewDepartedError(RefusedError):
    """Planned with the real outputs, a previewed component departs from what was reviewed; it was not touched."""

    code = "preview_departed"

    def __init__(self, message: str, departures: Mapping[str, Sequence[str]]) -> None:
        super().__init__(message)
        self.departures = {name: list(found) for name, found in departures.items()}

    def summary(self) -> str:
        """Every difference, component by component, in one line."""
        parts = (f"{name} departs from its preview: {', '.join(found)}" for name, found in self.departures.items())
        return "; ".join(parts)


class Applier:
    def __init__(self, store: Store, records: EnvironmentRecords, checks: PlanChecks | None, concurrency: int) -> None:
        self._store = store
        self._records = records
        self._checks = checks
        self._concurrency = concurrency

    def apply(
        self,
        session: RunSession,
        plan: EnvironmentPlan,
        actor: Actor,
        revision: int,
        saved: Mapping[str, bytes | None],
        reviewed: Mapping[str, Reviewed],
        claim: ApplyClaim | None = None,
    ) -> GraphOutcome:
        """Run every component of `plan` (revision `revision`) in dependency order; record the outcome.

        `reviewed` holds what was reviewed of each previewed component, which its apply-time plan must keep to.
        """
        name = plan.name
        self._records.set_status(name, "applying", "")
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
            lambda n: self._apply_component(session, plan, n, saved, reviewed.get(n), claim),
            self._concurrency,
            lambda n, because: self._skip(session, plan, n, because),
        )
        if outcome.ok:
            self._records.finish(name, actor, revision, "ready", "", {"run": session.run_id})
            return outcome
        error = outcome_error(outcome)
        self._records.finish(name, actor, None, "failed", error, {"run": session.run_id, "error": error})
        cut_short = [e for e in outcome.errors.values() if isinstance(e, CutShortError)]
        if cut_short:
            raise CutShortError(f"{name}: {error}")
        departed = {n: e for n, e in outcome.errors.items() if isinstance(e, PreviewDepartedError)}
        if departed:
            found = {n: f for e in departed.values() for n, f in e.departures.items()}
            raise PreviewDepartedError(f"{name}: {error}", found)
        raise FailureError(f"{name}: {error}")

    def _keep_to_preview(
        self,
        session: RunSession,
        plan: EnvironmentPlan,
        name: str,
        reviewed: Reviewed,
        normalized: NormalizedPlan | None,
        decision: PolicyDecision | None,
        cost: CostReport | None,
    ) -> None:
        """Raise PreviewDepartedError, before the component is touched, when its plan leaves what was reviewed."""
        planned = Reviewed.of(
            name,
            plan_diff(name, normalized) if normalized is not None else (),
            decision.findings if decision is not None else (),
            round(float(cost.total_after), 2) if cost is not None else None,
        )
        found = departures(reviewed, planned)
        if not found:
            return
        with self._store.transaction() as tx:
            record(
                tx,
                session.actor,
                "component.preview.depart",
                f"component:{plan.name}/{name}",
                {"departures": found, "run": session.run_id},
            )
        error = PreviewDepartedError(f"departs from its preview: {'; '.join(found)}", {name: found})
        session.progress.component(name, status="failed", note=error.message)
        raise error

    def _skip(self, session: RunSession, plan: EnvironmentPlan, name: str, because: str) -> None:
        item = plan.components[name]
        if item.status != "unchanged":
            self._records.save_component(plan.name, item.component, "skipped", error=f"not started: {because} failed")
        session.progress.component(name, status="skipped", note=f"not started: {because} failed")

    def _apply_component(
        self,
        session: RunSession,
        plan: EnvironmentPlan,
        name: str,
        saved: Mapping[str, bytes | None],
        reviewed: Reviewed | None,
        claim: ApplyClaim | None = None,
    ) -> None:
        environment = plan.name
        item = plan.components[name]
        component = item.component
        records = self._records.components(environment)
        outputs = {n: r.outputs for n, r in records.items() if r.status == "applied"}
        values, unknown = wire_inputs(component, outputs)
        if unknown:
            raise FailureError(f"{name}: inputs {', '.join(unknown)} are still unknown after its dependencies ran")
        print_ = fingerprint(component, values, item.context)
        previous = records.get(name)
        # A planned change to a configuration already applied (a drift revert) still runs; nothing else does.
        reverting = item.status == "planned" and item.summary is not None and (item.summary.has_changes or item.drifted)
        if previous and previous.status == "applied" and previous.applied_fingerprint == print_ and not reverting:
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
            summary = run_plan(session, environment, item, plan.target)
            normalized = read_plan(summary)
            decision, cost = (
                self._checks.check_plan(plan.resolution, component, normalized, summary.destroying)
                if self._checks is not None
                else (None, None)
            )
            if reviewed is not None:
                self._keep_to_preview(session, plan, name, reviewed, normalized, decision, cost)
            if decision is not None and decision.denied:
                rules = ", ".join(sorted({f"{f.rule} {f.address}" for f in decision.denies()}))
                self._records.save_component(environment, component, "failed", error=f"denied by policy: {rules}")
                session.progress.component(name, status="denied", note=f"denied by policy: {rules}")
                raise PolicyDeniedError(f"{name}: denied by policy: {rules}", decision)
        session.leases.acquire(component_lock(environment, name))
        request = session.request(
            environment, name, component.blueprint, component.digest, values, item.context, plan.target
        )
        runner = session.runner(component.blueprint.spec.runner)
        ticket = None
        if claim is not None:
            ticket = ComponentApply(claim[0], name, claim[1], session.run_id, utc_timestamp())
            with self._store.transaction() as tx:
                earlier = tx.proposals.claim_apply(ticket)
            if earlier is not None:
                self._settle(session, plan, name, replace(item, inputs=values, fingerprint=print_), earlier)
                return
        if summary is item.summary and name in saved:
            # The approved plan, exactly: put its saved plan file back in a freshly prepared work directory.
            summary = runner.restore_plan(request, summary, saved[name], session.on_event(environment, name))
        self._records.save_component(environment, component, "applying", error="")
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
            if component.blueprint.spec.runner == "terraform" and not summary.has_changes and not item.drifted:
                produced = runner.outputs(request)
            else:
                produced = runner.apply(request, summary, session.on_event(environment, name))
        except InfraplaneError as exc:
            if ticket is not None:
                with self._store.transaction() as tx:
                    tx.proposals.finish_apply(replace(ticket, finished_at=utc_timestamp(), outcome="failed"))
            self._records.save_component(environment, component, "failed", error=exc.message)
            with self._store.transaction() as tx:
                record(
                    tx, session.actor, "component.apply.fail", f"component:{environment}/{name}", {"error": exc.message}
                )
            session.progress.component(name, status="failed", note=exc.message)
            raise
        self._records.save_component(
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
            if ticket is not None:
                tx.proposals.finish_apply(replace(ticket, finished_at=utc_timestamp(), outcome="applied"))
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

    def _settle(
        self, session: RunSession, plan: EnvironmentPlan, name: str, item: ComponentPlan, earlier: ComponentApply
    ) -> None:
        """This approved plan's apply of `name` was started before, by run `earlier.run_id`: never run it again.

        A new plan tells what that run left: nothing to do (it landed) -> the component is recorded
        applied; changes -> CutShortError, and the proposal is planned again.
        """
        environment = plan.name
        component = item.component
        runner = session.runner(component.blueprint.spec.runner)
        if earlier.outcome == "failed":
            raise FailureError(f"{name}: its apply under this plan failed before (run {earlier.run_id})")
        session.progress.component(name, status="planning", note=f"checking what run {earlier.run_id} left")
        summary = run_plan(session, environment, item, plan.target)
        if summary.has_changes:
            with self._store.transaction() as tx:
                record(
                    tx,
                    session.actor,
                    "component.apply.cut_short",
                    f"component:{environment}/{name}",
                    {"previous_run": earlier.run_id, "run": session.run_id},
                )
            self._records.save_component(environment, component, "interrupted", error="its apply was cut short")
            session.progress.component(name, status="failed", note=f"the apply of run {earlier.run_id} was cut short")
            raise CutShortError(
                f"{name}: the apply run {earlier.run_id} started was cut short and changes are left; "
                "it is planned again"
            )
        request = session.request(
            environment, name, component.blueprint, component.digest, item.inputs, item.context, plan.target
        )
        produced = runner.outputs(request)
        self._records.save_component(
            environment,
            component,
            "applied",
            applied_fingerprint=item.fingerprint,
            inputs=item.inputs,
            context=item.context,
            outputs=dict(produced.values),
            sensitive_outputs=produced.sensitive | component.blueprint.sensitive_outputs(),
            error="",
        )
        with self._store.transaction() as tx:
            if earlier.finished_at is None:
                tx.proposals.finish_apply(replace(earlier, finished_at=utc_timestamp(), outcome="recovered"))
            record(
                tx,
                session.actor,
                "component.apply.recovered",
                f"component:{environment}/{name}",
                {"previous_run": earlier.run_id, "run": session.run_id, "blueprint": component.ref},
            )
        session.progress.component(name, status="applied", note=f"applied by run {earlier.run_id}; not run again")
