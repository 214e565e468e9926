"""Drafting a proposal from its checks: a plan (or a destroy) becomes a decided Proposal with a plan digest.

Nothing is stored here; creating and re-planning store what this drafts.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from infraplane.core.audit import Actor, canonical_json, utc_timestamp
from infraplane.core.diff import ResourceDiff
from infraplane.core.policy import Finding
from infraplane.core.proposal_lifecycle import initial_status
from infraplane.core.proposals import (
    BlastRadius,
    ComponentChange,
    CostDelta,
    Proposal,
    ProposalKind,
    approval_document,
)
from infraplane.core.state import TerraformState
from infraplane.errors import InputError, RefusedError
from infraplane.services.environments.sealing import sealed_document
from infraplane.services.orchestration.plan_checks import PlanChecks
from infraplane.services.orchestration.plans import EnvironmentPlan
from infraplane.services.orchestration.service import EnvironmentService
from infraplane.services.policy import PolicyService
from infraplane.services.proposals.review import (
    component_changes,
    cost_delta,
    destroy_cost,
    destroy_review,
    other_environments,
    outputs_after,
    plan_review,
)

__all__ = ["ProposalDrafter", "sha256_digest"]


def sha256_digest(content: bytes) -> str:
    return "sha256:" + hashlib.sha256(content).hexdigest()


class ProposalDrafter:
    def __init__(
        self,
        environments: EnvironmentService,
        policies: PolicyService,
        guardrails: PlanChecks | None,
        expire_after: timedelta,
    ) -> None:
        self._environments = environments
        self._store = environments.store
        self._policies = policies
        self._guardrails = guardrails
        self._expire_after = expire_after

    def from_plan(
        self,
        plan: EnvironmentPlan,
        actor: Actor,
        justification: str,
        kind: ProposalKind,
        rollback_to: int | None,
        now: datetime,
        proposal_id: str | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> tuple[Proposal, dict[str, bytes]]:
        """The proposal a plan makes, and the saved plan files to keep with it."""
        saved = {n: p.saved for n, p in plan.components.items() if p.saved is not None}
        diffs, radius, warnings = plan_review(plan)
        meta = plan.resolution.environment.metadata
        with self._store.transaction() as tx:
            env = tx.environments.get(plan.name)
            dependents = tx.environments.dependents(plan.name)
            current = tx.environments.components(plan.name)
        if dependents:
            after, unknown = outputs_after(plan, current)
            radius, read_warnings = other_environments(radius, dependents, after, unknown)
            warnings = sorted({*warnings, *read_warnings})
        proposal = self._assemble(
            environment=plan.name,
            team=meta.team,
            tier=meta.tier,
            kind=kind,
            actor=actor,
            justification=justification,
            base_revision=env.current_revision if env else 0,
            document=sealed_document(plan.resolution, self._store.seal),
            components=component_changes(plan, {n: sha256_digest(c) for n, c in saved.items()}),
            diff=tuple(diffs),
            findings=plan.decision().findings,
            cost=cost_delta(plan),
            radius=radius,
            warnings=tuple(warnings),
            rollback_to=rollback_to,
            blueprint=plan.resolution.top.blueprint.name,
            now=now,
            proposal_id=proposal_id,
            extra=extra,
        )
        return proposal, saved

    def destroy(
        self,
        name: str,
        actor: Actor,
        justification: str,
        now: datetime,
        proposal_id: str | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> Proposal:
        """Destroying is proposed like any change: its diff is every resource in the components' state."""
        env, components, revisions = self._environments.get(name)
        alive = [c for c in components if c.status != "destroyed"]
        if env.status == "destroyed" or not alive:
            raise RefusedError(f"{name} is already destroyed")
        states: dict[str, TerraformState] = {}
        changes = []
        with self._store.transaction() as tx:
            dependents = tx.environments.dependents(name)
            for component in alive:
                latest = tx.environments.latest_state(name, component.name)
                if latest is not None:
                    states[component.name] = latest.state
                changes.append(
                    ComponentChange(
                        name=component.name,
                        blueprint=component.blueprint,
                        digest=component.digest,
                        status="destroy",
                        reason="destroy the environment",
                        destroy=len(states[component.name].managed_instances()) if latest else 0,
                        state_serial=latest.serial if latest else None,
                        state_lineage=latest.lineage if latest else "",
                    )
                )
        current = next((r for r in revisions if r.number == env.current_revision), None)
        graph = None
        if current is not None:
            try:
                graph = self._environments.resolve_document(
                    current.document["environment"], name, current.document.get("pins")
                ).graph
            except InputError:
                graph = None  # a blueprint no longer resolvable does not stop a destroy
        costs = self._guardrails.current_costs(name) if self._guardrails else {}
        diffs, radius = destroy_review(graph, states, costs)
        radius, warnings = other_environments(radius, dependents, None)  # every output it exposes goes
        cost = destroy_cost(costs) if self._guardrails else None
        return self._assemble(
            environment=name,
            team=env.team,
            tier=env.tier,
            kind="destroy",
            actor=actor,
            justification=justification,
            base_revision=env.current_revision,
            document=dict(current.document) if current else {},
            components=tuple(changes),
            diff=tuple(diffs),
            findings=(),
            cost=cost,
            radius=radius,
            warnings=tuple(warnings),
            rollback_to=None,
            blueprint=env.blueprint,
            now=now,
            proposal_id=proposal_id,
            extra=extra,
        )

    def _assemble(
        self,
        *,
        environment: str,
        team: str,
        tier: str,
        kind: ProposalKind,
        actor: Actor,
        justification: str,
        base_revision: int,
        document: Mapping[str, Any],
        components: tuple[ComponentChange, ...],
        diff: tuple[ResourceDiff, ...],
        findings: tuple[Finding, ...],
        cost: CostDelta | None,
        radius: BlastRadius,
        warnings: tuple[str, ...],
        rollback_to: int | None,
        blueprint: str,
        now: datetime,
        proposal_id: str | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> Proposal:
        """A proposal from its checks: the approval rules decide it, and its plan digest binds approvals."""
        rules_input = approval_document(
            kind=kind,
            environment=environment,
            team=team,
            tier=tier,
            actor=actor,
            cost=cost,
            radius=radius,
            findings=findings,
            warnings=warnings,
        )
        decision = self._policies.decide_approval(rules_input, tier, team, blueprint)
        digest = sha256_digest(
            canonical_json(
                {"kind": kind, "document": document, "components": [c.as_dict() for c in components]}
            ).encode()
        )
        return Proposal(
            id=proposal_id or f"p-{uuid.uuid4().hex[:10]}",
            environment=environment,
            team=team,
            tier=tier,
            kind=kind,
            status=initial_status(decision.outcome),
            actor=actor,
            justification=justification,
            created_at=utc_timestamp(now),
            updated_at=utc_timestamp(now),
            expires_at=utc_timestamp(now + self._expire_after),
            base_revision=base_revision,
            document=document,
            components=components,
            diff=diff,
            findings=findings,
            cost=cost,
            blast_radius=radius,
            warnings=warnings,
            decision=decision,
            plan_digest=digest,
            rollback_to=rollback_to,
            extra=dict(extra or {}),
        )
