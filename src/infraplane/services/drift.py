"""Drift checks: a refresh-only plan of every component of an environment, read into drift items.

Terraform components are read from the refresh-only plan's `resource_drift` (core/drift.py); a runner
that can only dry-run (Ansible `--check --diff`) reports how many tasks would change; a runner that cannot
tell at all is reported "not checkable", never clean. Every check is an audit event.
"""

from __future__ import annotations

from dataclasses import dataclass

from infraplane.core.audit import Actor
from infraplane.core.drift import DriftItem, drift_items, not_checkable
from infraplane.core.ports import Store
from infraplane.core.records import ComponentRecord
from infraplane.core.runs import PlanSummary
from infraplane.services.audit import record
from infraplane.services.orchestration.progress import Progress
from infraplane.services.orchestration.service import EnvironmentService

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
    def __init__(self, store: Store, environments: EnvironmentService) -> None:
        self._store = store
        self._environments = environments

    def check(self, environment: str, actor: Actor, progress: Progress) -> DriftReport:
        """Check one environment for drift; the result (counts, never values) is an audit event."""
        results = self._environments.refresh(environment, actor, progress)
        items: list[DriftItem] = []
        for component, summary in results:
            items.extend(_component_items(environment, component, summary))
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
                },
            )
        return report

    def environments(self) -> list[str]:
        return [record.name for record, _ in self._environments.environments()]
