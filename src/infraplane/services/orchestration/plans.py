"""An environment's plan: what each component would do, and why."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from infraplane.core.cost import CostReport
from infraplane.core.graph import ResolvedComponent
from infraplane.core.plan import NormalizedPlan
from infraplane.core.policy import PolicyDecision
from infraplane.core.runs import PlanSummary, Target
from infraplane.services.environments.resolution import Resolution

__all__ = ["ComponentPlan", "EnvironmentPlan", "read_plan"]

PlanStatus = Literal["planned", "unchanged", "waits"]


def read_plan(summary: PlanSummary) -> NormalizedPlan | None:
    """The plan the runner parsed (once) for policies, cost and the proposal's diff; None without a plan document."""
    return summary.plan


@dataclass
class ComponentPlan:
    """One component's part of a plan."""

    component: ResolvedComponent
    status: PlanStatus
    reason: str
    context: dict[str, str]
    inputs: dict[str, Any] = field(default_factory=dict)
    unknown_inputs: list[str] = field(default_factory=list)
    fingerprint: str | None = None
    summary: PlanSummary | None = None
    # The desired configuration differs from what was last applied (or nothing was): even a plan
    # without resource changes must go through apply, so the component's record and outputs are updated.
    stale: bool = False
    decision: PolicyDecision | None = None
    cost: CostReport | None = None
    # Kept for a proposal: the saved plan's bytes and the state (serial, lineage) it was made against.
    saved: bytes | None = None
    state: tuple[int, str] | None = None
    plan: NormalizedPlan | None = None
    # Why a waiting component has no preview ("" when it has one, or does not wait).
    not_previewed: str = ""
    # Resources planned to be replaced (a drift revert whose drift a plain apply would keep).
    replace: tuple[str, ...] = ()
    # Its plan found drift (noise aside): even without resource changes, applying it writes the cloud's
    # values into the state (what a drift accept needs).
    drifted: bool = False

    @property
    def name(self) -> str:
        return self.component.name

    @property
    def previewed(self) -> bool:
        """Waiting on outputs, yet planned with them "known after apply": its changes, findings and cost are known."""
        return self.status == "waits" and self.summary is not None

    @property
    def reviewable(self) -> bool:
        """A plan whose diff, findings and cost a reviewer reads: a real plan or a preview."""
        return self.status == "planned" or self.previewed

    def counts(self) -> tuple[int | None, int | None, int | None]:
        if self.status == "unchanged":
            return 0, 0, 0
        if self.summary is None:
            return None, None, None
        return self.summary.add, self.summary.change, self.summary.destroy

    def as_dict(self) -> dict[str, Any]:
        add, change, destroy = self.counts()
        blueprint = self.component.blueprint
        return {
            "name": self.name,
            "blueprint": blueprint.name,
            "version": blueprint.version,
            "digest": self.component.digest,
            "runner": blueprint.spec.runner,
            "status": self.status,
            "add": add,
            "change": change,
            "destroy": destroy,
            "changes_known": add is not None,
            "known_after_apply": list(self.unknown_inputs),
            "previewed": self.previewed,
            "not_previewed": self.not_previewed,
            "depends_on": sorted(self.component.depends_on),
            "reason": self.reason,
            "note": self.summary.note if self.summary else "",
            "findings": [f.as_dict() for f in self.decision.findings] if self.decision else [],
            "cost": self.cost.as_dict() if self.cost else None,
            "policy_checked": self.decision is not None,
            "replace": list(self.replace),
        }


@dataclass
class EnvironmentPlan:
    resolution: Resolution
    target: Target
    components: dict[str, ComponentPlan]
    request_decision: PolicyDecision | None = None
    budget_decision: PolicyDecision | None = None

    def decision(self) -> PolicyDecision:
        """Every finding of this plan (request, components, budget) and the bundles that decided."""
        parts = [d for d in (self.request_decision, self.budget_decision) if d is not None]
        parts += [p.decision for p in self.components.values() if p.decision is not None]
        return PolicyDecision.merge("plan", parts)

    @property
    def name(self) -> str:
        return self.resolution.environment.name

    def has_changes(self) -> bool:
        return any(
            p.status == "waits" or (p.status == "planned" and (p.stale or p.summary is None or p.summary.has_changes))
            for p in self.components.values()
        )

    def as_dict(self) -> dict[str, Any]:
        meta = self.resolution.environment.metadata
        return {
            "environment": {"name": meta.name, "team": meta.team, "tier": meta.tier, "target": self.target.kind},
            "blueprint": self.resolution.top.ref,
            "components": [self.components[c.name].as_dict() for c in self.resolution.graph.components],
            "policy": self.decision().as_dict(),
            "cost": self.cost_summary(),
        }

    def cost_summary(self) -> dict[str, float] | None:
        """Monthly cost before/after/delta over the components whose plans could be priced."""
        reports = [p.cost for p in self.components.values() if p.cost is not None and p.reviewable]
        if not reports:
            return None
        before = sum(float(r.total_before) for r in reports)
        after = sum(float(r.total_after) for r in reports)
        return {"before": round(before, 2), "after": round(after, 2), "delta": round(after - before, 2)}
