"""Drift checks: a refresh-only plan of every component of an environment, read into drift items.

Terraform components are read from the refresh-only plan's `resource_drift` (core/drift.py); an Ansible
component's check mode (`--check --diff`) names each task that would change, and each task check mode
skips (a `command`, a module without check-mode support) as "not checkable"; a runner that cannot dry-run
at all is "not checkable" too, never clean. Every check is an audit event.
"""

from __future__ import annotations

import threading
from collections.abc import Collection, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from infraplane.core.audit import Actor
from infraplane.core.drift import DriftItem, classified, drift_items, drifted_plan, not_checkable, task_items
from infraplane.core.policy import plan_input
from infraplane.core.ports import Store
from infraplane.core.records import ComponentRecord, EnvironmentRecord
from infraplane.core.runs import PlanSummary
from infraplane.errors import InfraplaneError
from infraplane.services.audit import record
from infraplane.services.orchestration.progress import Progress
from infraplane.services.orchestration.service import EnvironmentService
from infraplane.services.policy import PolicyService

__all__ = ["DriftReport", "DriftService"]


@dataclass(frozen=True)
class DriftReport:
    environment: str
    items: tuple[DriftItem, ...]
    components: tuple[str, ...]
    tier: str = ""
    # The revert proposal the check opened by itself (settings `drift.auto_revert`), if any.
    auto_revert: str | None = None
    error: str | None = None  # the check failed (one environment of a fleet check)

    @property
    def drifted(self) -> bool:
        return any(item.kind != "not-checkable" for item in self.items)


def _component_items(environment: str, component: ComponentRecord, summary: PlanSummary) -> list[DriftItem]:
    if summary.plan is not None:
        return drift_items(environment, component.name, summary.plan)
    if not summary.known:
        return [
            not_checkable(environment, component.name, summary.note or f"the {component.runner} runner cannot dry-run")
        ]
    items = task_items(environment, component.name, summary.tasks)
    if items or not summary.has_changes:
        return items
    message = f"{summary.change or 0} {summary.note or 'changes'} in a dry run"
    return [DriftItem(environment, component.name, None, None, "changed", message=message)]


class DriftService:
    def __init__(
        self, store: Store, environments: EnvironmentService, policies: PolicyService, concurrency: int = 4
    ) -> None:
        self._store = store
        self._environments = environments
        self._policies = policies
        self._concurrency = concurrency

    def _classify(self, env: EnvironmentRecord, component: ComponentRecord, summary: PlanSummary) -> list[DriftItem]:
        """Drift items with their severity: the drifted state is judged by the same plan policies as a change."""
        items = _component_items(env.name, component, summary)
        if summary.plan is None or not items:
            return items
        document = plan_input(
            drifted_plan(summary.plan),
            {"name": env.name, "team": env.team, "tier": env.tier, "owner": env.team},
            {"name": component.name, "blueprint": component.blueprint.split("@")[0], "version": ""},
            {},
        )
        decision = self._policies.decide("plan", document, env.tier, env.team, component.blueprint.split("@")[0])
        findings = [(f.address, f.attribute, f.rule, f.severity, f.message) for f in decision.findings]
        return classified(items, findings)

    def items(
        self,
        environment: str,
        actor: Actor,
        progress: Progress,
        only: Collection[str] | None = None,
        slots: threading.BoundedSemaphore | None = None,
    ) -> DriftReport:
        """Refresh the environment's components (or `only` those) and read what drifted; records nothing."""
        env = self._environments.get(environment)[0]
        results = self._environments.refresh(environment, actor, progress, only, slots)
        items: list[DriftItem] = []
        for component, summary in results:
            items.extend(self._classify(env, component, summary))
        return DriftReport(environment, tuple(items), tuple(c.name for c, _ in results), env.tier)

    def check(
        self,
        environment: str,
        actor: Actor,
        progress: Progress,
        slots: threading.BoundedSemaphore | None = None,
    ) -> DriftReport:
        """Check one environment for drift; the result (counts, never values) is an audit event."""
        report = self.items(environment, actor, progress, slots=slots)
        items = report.items
        with self._store.transaction() as tx:
            record(
                tx,
                actor,
                "drift.check",
                f"environment:{environment}",
                {
                    "components": list(report.components),
                    "drifted": sum(1 for i in items if i.kind not in ("not-checkable",)),
                    "not_checkable": [i.component for i in items if i.kind == "not-checkable"],
                    "addresses": sorted({i.address for i in items if i.address}),
                    "rules": sorted({i.rule for i in items if i.rule}),
                    "severities": sorted({i.severity for i in items if i.severity}),
                },
            )
        return report

    def check_many(self, environments: Sequence[str], actor: Actor, progress: Progress) -> list[DriftReport]:
        """Check several environments at once; at most `concurrency` refresh-only plans run at a time in all.

        An environment whose check fails is reported with its error; the others are still checked.
        """
        slots = threading.BoundedSemaphore(self._concurrency)

        def one(name: str) -> DriftReport:
            try:
                return self.check(name, actor, progress, slots)
            except InfraplaneError as exc:
                return DriftReport(name, (), (), error=exc.message)

        workers = max(1, min(len(environments), self._concurrency))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="drift") as pool:
            return list(pool.map(one, environments))

    def environments(self) -> list[str]:
        """Environments with something deployed to check (not destroyed, not still new)."""
        return [
            record.name
            for record, _ in self._environments.environments()
            if record.status not in ("new", "destroyed", "destroying")
        ]
