"""Drift checks: a refresh-only plan of every component of an environment, read into drift items.

Terraform components are read from the refresh-only plan's `resource_drift` (core/drift.py); a runner
that can only dry-run (Ansible `--check --diff`) reports how many tasks would change; a runner that cannot
tell at all is reported "not checkable", never clean. Every check is an audit event.
"""

from __future__ import annotations

from dataclasses import dataclass

from infraplane.core.audit import Actor
from infraplane.core.drift import DriftItem, classified, drift_items, drifted_plan, not_checkable
from infraplane.core.policy import plan_input
from infraplane.core.ports import Store
from infraplane.core.records import ComponentRecord, EnvironmentRecord
from infraplane.core.runs import PlanSummary
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
    if summary.has_changes:
        message = f"{summary.change or 0} {summary.note or 'changes'} in a dry run"
        return [DriftItem(environment, component.name, None, None, "changed", message=message)]
    return []


class DriftService:
    def __init__(self, store: Store, environments: EnvironmentService, policies: PolicyService) -> None:
        self._store = store
        self._environments = environments
        self._policies = policies

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

    def check(self, environment: str, actor: Actor, progress: Progress) -> DriftReport:
        """Check one environment for drift; the result (counts, never values) is an audit event."""
        env = self._environments.get(environment)[0]
        results = self._environments.refresh(environment, actor, progress)
        items: list[DriftItem] = []
        for component, summary in results:
            items.extend(self._classify(env, component, summary))
        report = DriftReport(environment, tuple(items), tuple(c.name for c, _ in results))
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
                },
            )
        return report

    def environments(self) -> list[str]:
        return [record.name for record, _ in self._environments.environments()]
