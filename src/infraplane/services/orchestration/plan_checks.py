"""The checks orchestration runs: policies on the request before planning, then policies and cost on each plan.

Not to be confused with the guardrails service (`services/policy.py`: bundles, publishing,
tests), which these checks call.
"""

from __future__ import annotations

from dataclasses import replace

from infraplane.core.audit import Actor
from infraplane.core.cost import CostReport
from infraplane.core.graph import ResolvedComponent, fill_defaults
from infraplane.core.plan import NormalizedPlan
from infraplane.core.policy import PolicyDecision, plan_input, request_input
from infraplane.errors import NotFoundError, RefusedError
from infraplane.services.cost import CostService
from infraplane.services.environments.resolution import Resolution
from infraplane.services.policy import PolicyService

__all__ = ["PlanChecks", "PolicyDeniedError"]


class PolicyDeniedError(RefusedError):
    """A deny finding blocks the change; the findings travel with the error."""

    code = "policy_denied"

    def __init__(self, message: str, decision: PolicyDecision) -> None:
        super().__init__(message)
        self.decision = decision


def _environment(resolution: Resolution) -> dict[str, str]:
    meta = resolution.environment.metadata
    return {"name": meta.name, "team": meta.team, "tier": meta.tier, "owner": meta.effective_owner}


class PlanChecks:
    """Policies on the request and on each component's plan, cost estimates and budgets, for one orchestration."""

    def __init__(self, policies: PolicyService, costs: CostService) -> None:
        self._policies = policies
        self._costs = costs

    def check_request(self, resolution: Resolution, actor: Actor) -> PolicyDecision:
        """Before anything is planned: the environment, the blueprint, the inputs, who asks."""
        top = resolution.top.blueprint
        blueprint = {
            "name": top.name,
            "version": top.version,
            "runner": top.spec.runner,
            "labels": list(top.metadata.labels),
            "compliance": dict(top.spec.compliance),
        }
        document = request_input(
            _environment(resolution),
            blueprint,
            # What the policies judge is what will be deployed: the given inputs plus the blueprint's defaults.
            fill_defaults(top, resolution.environment.spec.inputs),
            {"kind": actor.kind, "id": actor.id},
            {},
        )
        meta = resolution.environment.metadata
        return self._policies.decide("request", document, meta.tier, meta.team, top.name)

    def check_budget(self, resolution: Resolution, reports: list[CostReport]) -> PolicyDecision:
        """The tier's and team's budgets against the whole environment's monthly cost after the change."""
        meta = resolution.environment.metadata
        findings = self._costs.budget_findings(self._costs.combined(reports), meta.tier, meta.team, meta.name)
        return PolicyDecision("plan", tuple(findings))

    def current_costs(self, environment: str) -> dict[str, CostReport]:
        """What each component costs now, from its newest state (none for a new environment)."""
        try:
            return self._costs.estimate_environment(environment)
        except NotFoundError:
            return {}

    def check_plan(
        self, resolution: Resolution, component: ResolvedComponent, plan: NormalizedPlan | None, destroying: bool
    ) -> tuple[PolicyDecision | None, CostReport | None]:
        """Policies and cost on one component's normalized plan.

        Both are None when the runner makes no plan document (Ansible, scripts); a destroy plan is priced
        but not judged.
        """
        if plan is None:
            return None, None
        cost = self._costs.estimate_plan(plan)
        if destroying:
            return None, cost
        blueprint = component.blueprint
        document = plan_input(
            plan,
            _environment(resolution),
            {"name": component.name, "blueprint": blueprint.name, "version": blueprint.version},
            {},
        )
        meta = resolution.environment.metadata
        decision = self._policies.decide("plan", document, meta.tier, meta.team, blueprint.name)
        findings = tuple(replace(f, component=component.name) for f in decision.findings)
        return replace(decision, findings=findings), cost
