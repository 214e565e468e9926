"""Cost estimates of plans and of what environments run now, and budgets."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Literal

from infraplane.core.cost import CostReport, PriceTable, check_budget, estimate
from infraplane.core.plan import NormalizedPlan, ResourceChange
from infraplane.core.policy import Finding
from infraplane.core.ports import PriceTableLoader, Store
from infraplane.core.state import TerraformState
from infraplane.errors import NotFoundError
from infraplane.services.documents import MAX_PLAN_BYTES
from infraplane.services.policy import read_plan_file

__all__ = ["CostService"]


def _state_resources(state: TerraformState) -> Iterator[ResourceChange]:
    """Managed resources of a Terraform state, as no-op changes so they price like a plan's."""
    for resource, instance in state.managed_instances():
        yield ResourceChange(
            address=instance.address,
            mode="managed",
            type=resource.type,
            name=resource.name,
            provider=resource.provider,
            actions=("no-op",),
            before=instance.attributes,
            after=instance.attributes,
            after_unknown={},
        )


class CostService:
    def __init__(
        self,
        store: Store,
        budgets_tiers: Mapping[str, float],
        budgets_teams: Mapping[str, float],
        mode: Literal["deny", "warn"],
        prices: PriceTableLoader,
    ) -> None:
        self._store = store
        self._prices = prices
        self._tiers = dict(budgets_tiers)
        self._teams = dict(budgets_teams)
        self._mode = mode
        self._table: PriceTable | None = None

    @property
    def table(self) -> PriceTable:
        if self._table is None:
            self._table = self._prices()
        return self._table

    def estimate_plan(self, plan: NormalizedPlan) -> CostReport:
        return estimate(plan, self.table)

    def estimate_plan_file(self, path: Path, max_bytes: int = MAX_PLAN_BYTES) -> CostReport:
        return self.estimate_plan(read_plan_file(path, max_bytes))

    def estimate_environment(self, name: str) -> dict[str, CostReport]:
        """What each Terraform component of an environment costs now, from its newest state version."""
        with self._store.transaction() as tx:
            if tx.environments.get(name) is None:
                raise NotFoundError(f"no environment named {name!r}")
            components = [
                c for c in tx.environments.components(name) if c.runner == "terraform" and c.status != "destroyed"
            ]
            states = {c.name: tx.environments.latest_state(name, c.name) for c in components}
        reports = {}
        for component, state in states.items():
            resources = tuple(_state_resources(state.state)) if state else ()
            reports[component] = estimate(NormalizedPlan("", resources, {}, {}), self.table)
        return reports

    def combined(self, reports: list[CostReport]) -> CostReport:
        """One report over several components (an environment's planned and unchanged parts)."""
        resources = tuple(r for report in reports for r in report.resources)
        return CostReport(self.table.currency, self.table.region, self.table.as_of, resources)

    def budget_findings(self, report: CostReport, tier: str, team: str, environment: str) -> list[Finding]:
        """COST-001 findings for the tier's and the team's monthly budgets, with the numbers."""
        findings = []
        for scope, budget in ((f"tier {tier}", self._tiers.get(tier)), (f"team {team}", self._teams.get(team))):
            found = check_budget(report, budget, self._mode, f"{scope} (environment {environment})")
            if found is not None:
                findings.append(found)
        return findings
