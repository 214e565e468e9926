"""Proposal use cases: propose (create, update, upgrade, rollback, destroy), approve, reject, apply.

Every transition is written with its audit event in the same transaction. Apply
runs exactly the saved plans the approvals were given for; if an environment's
state moved since they were made, apply refuses, plans again, and the proposal
goes back to decision (the new plan digest leaves the old approvals behind).
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from infraplane.adapters.git_repository import EnvironmentsRepository
from infraplane.core.approval import Approval, ApprovalDecision, approval_input, missing_approvals
from infraplane.core.audit import SYSTEM, Actor, canonical_json, utc_timestamp
from infraplane.core.diff import ResourceDiff
from infraplane.core.policy import Finding
from infraplane.core.ports import Store, Transaction
from infraplane.core.proposals import (
    BlastRadius,
    ComponentChange,
    CostDelta,
    Proposal,
    ProposalKind,
    ProposalStatus,
)
from infraplane.core.records import RevisionRecord
from infraplane.core.state import TerraformState
from infraplane.errors import FailureError, InputError, NotFoundError, Problem, RefusedError
from infraplane.services.audit import record
from infraplane.services.environments.resolution import Resolution
from infraplane.services.orchestration.plan_checks import PlanChecks
from infraplane.services.orchestration.plans import EnvironmentPlan
from infraplane.services.orchestration.progress import Progress
from infraplane.services.orchestration.service import EnvironmentService
from infraplane.services.policy import PolicyService
from infraplane.services.proposals.history import commit_message, repository_document
from infraplane.services.proposals.review import (
    component_changes,
    cost_delta,
    destroy_cost,
    destroy_review,
    plan_review,
)

__all__ = ["ProposalService", "StalePlanError", "parse_time"]


class StalePlanError(RefusedError):
    """The environment moved since the proposal was planned; it was planned again and needs a new decision."""

    code = "stale_plan"


def _sha256(content: bytes) -> str:
    return "sha256:" + hashlib.sha256(content).hexdigest()


def parse_time(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


class ProposalService:
    def __init__(
        self,
        environments: EnvironmentService,
        policies: PolicyService,
        guardrails: PlanChecks | None,
        groups: Mapping[str, list[str]],
        expire_after: timedelta,
        repository: EnvironmentsRepository,
    ) -> None:
        self._environments = environments
        self._store = environments.store
        self._policies = policies
        self._guardrails = guardrails
        self._groups = {name: set(members) for name, members in groups.items()}
        self._expire_after = expire_after
        self.repository = repository

    @property
    def store(self) -> Store:
        return self._store

    # -- reading -------------------------------------------------------------------------------

    def get(self, proposal_id: str) -> Proposal:
        with self._store.transaction() as tx:
            return self._open(tx, proposal_id, lock=False)

    def proposals(self, environment: str | None = None, status: str | None = None) -> list[Proposal]:
        """Proposals, oldest first; any past its expiry is marked expired on the way."""
        with self._store.transaction() as tx:
            found = [self._expired(tx, p) for p in tx.proposals.all(environment)]
        return [p for p in found if status is None or p.status == status]

    def missing(self, proposal: Proposal) -> list[str]:
        """What the proposal still needs before it may be applied (empty when nothing)."""
        return missing_approvals(proposal.decision, proposal.approvals, proposal.plan_digest, self._groups)

    def upgradable(self, blueprints: set[str]) -> list[tuple[str, str, str]]:
        """(environment, current version, newest allowed) for environments a newer version of these could reach."""
        with self._store.transaction() as tx:
            names = [env.name for env in tx.environments.all()]
        found = []
        for name in names:
            current = self._current(name)
            pins = current.document.get("pins", {}) if current is not None else {}
            reachable = sorted(blueprints & set(pins))
            if current is None or not reachable:
                continue
            try:
                newest = self._environments.resolve_document(current.document["environment"], name).pins()
            except (InputError, NotFoundError):
                continue
            for blueprint in reachable:
                if newest.get(blueprint) and newest[blueprint] != pins[blueprint]:
                    found.append((name, f"{blueprint}@{pins[blueprint]}", f"{blueprint}@{newest[blueprint]}"))
        return found

    # -- proposing -----------------------------------------------------------------------------

    def propose_document(
        self, document: Mapping[str, Any], actor: Actor, justification: str, progress: Progress
    ) -> Proposal | None:
        """An environment given as data (an agent's request, `ask`): same checks as a file."""
        return self.propose(self._environments.resolve_document(document, "request"), actor, justification, progress)

    def propose_update(
        self, name: str, inputs: Mapping[str, Any], actor: Actor, justification: str, progress: Progress
    ) -> Proposal | None:
        """Change some inputs of an existing environment, keeping its blueprint versions."""
        revision = self._current_revision(name)
        environment = dict(revision.document["environment"])
        spec = dict(environment.get("spec", {}))
        spec["inputs"] = {**spec.get("inputs", {}), **inputs}
        environment["spec"] = spec
        resolution = self._environments.resolve_document(environment, "inputs", revision.document.get("pins"))
        return self.propose(resolution, actor, justification, progress)

    def propose_upgrade(self, name: str, actor: Actor, justification: str, progress: Progress) -> Proposal | None:
        """The newest versions the environment's constraints allow; None when it already runs them."""
        revision = self._current_revision(name)
        resolution = self._environments.resolve_document(revision.document["environment"], f"environment {name}")
        if resolution.pins() == revision.document.get("pins"):
            return None
        return self.propose(resolution, actor, justification, progress, kind="upgrade")

    def propose_rollback(
        self, name: str, to: int, actor: Actor, justification: str, progress: Progress
    ) -> Proposal | None:
        """Revision `to`'s exact blueprint versions and inputs."""
        _, _, revisions = self._environments.get(name)
        chosen = next((r for r in revisions if r.number == to), None)
        if chosen is None:
            known = ", ".join(str(r.number) for r in revisions) or "none"
            raise InputError.from_problems([Problem("", "--to", f"{name} has no revision {to} (revisions: {known})")])
        resolution = self._environments.resolve_document(
            chosen.document["environment"], f"{name} revision {to}", chosen.document.get("pins")
        )
        return self.propose(resolution, actor, justification, progress, kind="rollback", rollback_to=to)

    def _current(self, name: str) -> RevisionRecord | None:
        """The revision an environment runs now; None when it does not exist or was destroyed."""
        with self._store.transaction() as tx:
            env = tx.environments.get(name)
            if env is None or env.status == "destroyed":
                return None
            return next((r for r in tx.environments.revisions(name) if r.number == env.current_revision), None)

    def _current_revision(self, name: str) -> RevisionRecord:
        self._environments.get(name)  # an unknown name is a NotFoundError listing the known ones
        current = self._current(name)
        if current is None:
            raise RefusedError(f"{name} has no applied revision to change; propose it from an environment file")
        return current

    def _kind(self, resolution: Resolution) -> ProposalKind:
        current = self._current(resolution.environment.name)
        if current is None:
            return "create"
        return "update" if current.document.get("pins") == resolution.pins() else "upgrade"

    def propose(
        self,
        resolution: Resolution,
        actor: Actor,
        justification: str,
        progress: Progress,
        kind: ProposalKind | None = None,
        rollback_to: int | None = None,
        replan_all: bool = False,
    ) -> Proposal | None:
        """Plan, check and decide a change; None when the environment already matches it."""
        self._require_justification(actor, justification)
        plan = self._environments.plan(resolution, actor, progress, replan_all)
        if not plan.has_changes():
            return None
        now = datetime.now(UTC)
        proposal, saved = self._from_plan(plan, actor, justification, kind or self._kind(resolution), rollback_to, now)
        with self._store.transaction() as tx:
            tx.proposals.save(proposal)
            tx.proposals.put_plans(proposal.id, saved)
            self._record_created(tx, proposal)
        return proposal

    def propose_destroy(self, name: str, actor: Actor, justification: str) -> Proposal:
        """Destroying is proposed like any change: its diff is every resource in the components' state."""
        self._require_justification(actor, justification)
        proposal = self._destroy_proposal(name, actor, justification)
        with self._store.transaction() as tx:
            tx.proposals.save(proposal)
            self._record_created(tx, proposal)
        return proposal

    def _destroy_proposal(
        self, name: str, actor: Actor, justification: str, proposal_id: str | None = None
    ) -> Proposal:
        env, components, revisions = self._environments.get(name)
        alive = [c for c in components if c.status != "destroyed"]
        if env.status == "destroyed" or not alive:
            raise RefusedError(f"{name} is already destroyed")
        states: dict[str, TerraformState] = {}
        changes = []
        with self._store.transaction() as tx:
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
        diffs, radius = destroy_review(graph, states)
        cost = destroy_cost(self._guardrails.current_costs(name)) if self._guardrails else None
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
            warnings=(),
            rollback_to=None,
            blueprint=env.blueprint,
            now=datetime.now(UTC),
            proposal_id=proposal_id,
        )

    def _require_justification(self, actor: Actor, justification: str) -> None:
        if actor.kind == "agent" and not justification.strip():
            raise InputError.from_problems(
                [Problem("", "justification", "agents must say why they propose a change (a sentence or two)")]
            )

    def _from_plan(
        self,
        plan: EnvironmentPlan,
        actor: Actor,
        justification: str,
        kind: ProposalKind,
        rollback_to: int | None,
        now: datetime,
        proposal_id: str | None = None,
    ) -> tuple[Proposal, dict[str, bytes]]:
        saved = {n: p.saved for n, p in plan.components.items() if p.saved is not None}
        diffs, radius, warnings = plan_review(plan)
        meta = plan.resolution.environment.metadata
        with self._store.transaction() as tx:
            env = tx.environments.get(plan.name)
        proposal = self._assemble(
            environment=plan.name,
            team=meta.team,
            tier=meta.tier,
            kind=kind,
            actor=actor,
            justification=justification,
            base_revision=env.current_revision if env else 0,
            document=plan.resolution.revision_document(),
            components=component_changes(plan, {n: _sha256(c) for n, c in saved.items()}),
            diff=tuple(diffs),
            findings=plan.decision().findings,
            cost=cost_delta(plan),
            radius=radius,
            warnings=tuple(warnings),
            rollback_to=rollback_to,
            blueprint=plan.resolution.top.blueprint.name,
            now=now,
            proposal_id=proposal_id,
        )
        return proposal, saved

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
    ) -> Proposal:
        """A proposal from its checks: the approval rules decide it, and its plan digest binds approvals."""
        rules_input = approval_input(
            kind=kind,
            environment=environment,
            team=team,
            tier=tier,
            actor_kind=actor.kind,
            actor_id=actor.id,
            cost_delta=cost.delta if cost else 0.0,
            destroyed=len(radius.destroyed),
            replaced=len(radius.replaced),
            downstream=len(radius.downstream_components),
            data_at_risk=radius.data_at_risk,
            denies=sum(1 for f in findings if f.severity == "deny"),
            warnings=sum(1 for f in findings if f.severity == "warn"),
            dependency_warnings=len(warnings),
            params={},
        )
        decision = self._policies.decide_approval(rules_input, tier, team, blueprint)
        digest = _sha256(
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
            status=self._status_for(decision),
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
        )

    @staticmethod
    def _status_for(decision: ApprovalDecision) -> ProposalStatus:
        if decision.outcome == "blocked":
            return "blocked"
        return "approved" if decision.outcome == "auto-approved" else "pending"

    def _record_created(self, tx: Transaction, proposal: Proposal) -> None:
        record(
            tx,
            proposal.actor,
            "proposal.create",
            f"proposal:{proposal.id}",
            {
                "environment": proposal.environment,
                "kind": proposal.kind,
                "justification": proposal.justification,
                "plan_digest": proposal.plan_digest,
                "blueprint": proposal.document.get("blueprint"),
                "rollback_to": proposal.rollback_to,
                "cost": proposal.cost.as_dict() if proposal.cost else None,
                "findings": {
                    "deny": sum(1 for f in proposal.findings if f.severity == "deny"),
                    "warn": sum(1 for f in proposal.findings if f.severity == "warn"),
                },
            },
        )
        self._record_decision(tx, proposal)

    def _record_decision(self, tx: Transaction, proposal: Proposal) -> None:
        record(
            tx,
            SYSTEM,
            "proposal.decide",
            f"proposal:{proposal.id}",
            {
                "outcome": proposal.decision.outcome,
                "rule": proposal.decision.rule,
                "requirements": [r.as_dict() for r in proposal.decision.requirements],
                "bundles": list(proposal.decision.bundles),
                "status": proposal.status,
                "plan_digest": proposal.plan_digest,
            },
        )

    # -- deciding ------------------------------------------------------------------------------

    def _open(self, tx: Transaction, proposal_id: str, lock: bool = True) -> Proposal:
        proposal = tx.proposals.lock(proposal_id) if lock else tx.proposals.get(proposal_id)
        if proposal is None:
            known = [p.id for p in tx.proposals.all()][-5:]
            hint = f" (latest: {', '.join(known)})" if known else ""
            raise NotFoundError(
                f"no proposal {proposal_id!r}{hint}", [Problem("", "id", f"no proposal {proposal_id!r}")]
            )
        return self._expired(tx, proposal)

    def _expired(self, tx: Transaction, proposal: Proposal, now: datetime | None = None) -> Proposal:
        moment = now or datetime.now(UTC)
        if proposal.status in ("pending", "approved", "blocked") and parse_time(proposal.expires_at) <= moment:
            proposal = proposal.with_status("expired", f"expired at {proposal.expires_at}", utc_timestamp(moment))
            tx.proposals.save(proposal)
            record(tx, SYSTEM, "proposal.expire", f"proposal:{proposal.id}", {"expires_at": proposal.expires_at})
        return proposal

    def approve(self, proposal_id: str, actor: Actor, comment: str = "") -> Proposal:
        """Record one person's approval of the current plan digest; enough of them approve the proposal."""
        if actor.kind != "human":
            raise RefusedError(f"{actor}: only people approve; agents and the system can only propose")
        with self._store.transaction() as tx:
            proposal = self._open(tx, proposal_id)
            if proposal.status != "pending":
                raise RefusedError(f"{proposal.id} is {proposal.status}; only a pending proposal can be approved")
            if proposal.actor.kind == "human" and proposal.actor.id == actor.id:
                raise RefusedError(f"{actor.id} proposed {proposal.id}; a proposer cannot approve their own proposal")
            current = [a for a in proposal.approvals if a.plan_digest == proposal.plan_digest]
            if any(a.approver == actor.id for a in current):
                raise RefusedError(f"{actor.id} already approved {proposal.id}; a person counts once")
            before = self.missing(proposal)
            approval = Approval(actor.id, utc_timestamp(), proposal.plan_digest, comment)
            after = missing_approvals(
                proposal.decision, (*proposal.approvals, approval), proposal.plan_digest, self._groups
            )
            if after == before:
                raise RefusedError(
                    f"{actor.id}'s approval would not count: {proposal.id} still needs {'; '.join(before)}"
                    f" (groups: {', '.join(self._groups_of(actor.id)) or 'none'})"
                )
            tx.proposals.add_approval(proposal.id, approval)
            status: ProposalStatus = "approved" if not after else "pending"
            proposal = replace(proposal, approvals=(*proposal.approvals, approval))
            proposal = proposal.with_status(status, proposal.result, approval.at)
            tx.proposals.save(proposal)
            record(
                tx,
                actor,
                "proposal.approve",
                f"proposal:{proposal.id}",
                {"plan_digest": proposal.plan_digest, "comment": comment, "status": status, "still_needs": after},
            )
            return proposal

    def _groups_of(self, person: str) -> list[str]:
        return sorted(g for g, members in self._groups.items() if person in members)

    def reject(self, proposal_id: str, actor: Actor, reason: str) -> Proposal:
        if actor.kind != "human":
            raise RefusedError(f"{actor}: only people reject proposals")
        if not reason.strip():
            raise InputError.from_problems([Problem("", "--reason", "say why the proposal is rejected")])
        with self._store.transaction() as tx:
            proposal = self._open(tx, proposal_id)
            if proposal.status not in ("pending", "approved", "blocked"):
                raise RefusedError(f"{proposal.id} is {proposal.status}; it can no longer be rejected")
            proposal = proposal.with_status("rejected", reason, utc_timestamp())
            tx.proposals.save(proposal)
            record(tx, actor, "proposal.reject", f"proposal:{proposal.id}", {"reason": reason})
            return proposal

    # -- applying ------------------------------------------------------------------------------

    def apply(self, proposal_id: str, actor: Actor, progress: Progress) -> Proposal:
        """Apply exactly the approved plans; refuse and re-plan when the environment moved since."""
        if actor.kind == "agent":
            raise RefusedError(f"{actor}: agents cannot apply; a person applies an approved proposal")
        with self._store.transaction() as tx:
            proposal = self._open(tx, proposal_id)
        if actor.kind == "system" and proposal.decision.outcome != "auto-approved":
            raise RefusedError(f"{proposal.id} needed approvals; the system only applies auto-approved proposals")
        if proposal.status != "approved":
            needs = self.missing(proposal) if proposal.status == "pending" else []
            detail = f": still needs {'; '.join(needs)}" if needs else ""
            raise RefusedError(f"{proposal.id} is {proposal.status}{detail}")
        needs = self.missing(proposal)
        if needs:
            raise RefusedError(f"{proposal.id} cannot be applied: still needs {'; '.join(needs)}")
        moved = self._moved(proposal)
        if moved:
            self._replan(proposal, moved, progress)
        with self._store.transaction() as tx:
            proposal = self._open(tx, proposal_id)
            if proposal.status != "approved":
                raise RefusedError(f"{proposal.id} is {proposal.status}; another apply may have started")
            proposal = proposal.with_status("applying", "", utc_timestamp())
            tx.proposals.save(proposal)
            record(tx, actor, "proposal.apply.start", f"proposal:{proposal.id}", {"plan_digest": proposal.plan_digest})
        try:
            revision = self._execute(proposal, actor, progress)
        except FailureError as exc:
            with self._store.transaction() as tx:
                failed = proposal.with_status("failed", exc.message, utc_timestamp())
                tx.proposals.save(failed)
                record(tx, actor, "proposal.apply.fail", f"proposal:{proposal.id}", {"error": exc.message})
            raise
        with self._store.transaction() as tx:
            done = replace(proposal.with_status("applied", "", utc_timestamp()), applied_revision=revision)
            tx.proposals.save(done)
            record(tx, actor, "proposal.apply.finish", f"proposal:{proposal.id}", {"revision": revision})
        self._commit(done, actor)
        return done

    def _moved(self, proposal: Proposal) -> list[str]:
        """Why the saved plans no longer fit the environment (empty when they still do)."""
        reasons = []
        with self._store.transaction() as tx:
            env = tx.environments.get(proposal.environment)
            current = env.current_revision if env else 0
            if current != proposal.base_revision:
                reasons.append(
                    f"revision {current} was applied since this was planned on revision {proposal.base_revision}"
                )
            for change in proposal.components:
                if change.status not in ("planned", "destroy"):
                    continue
                latest = tx.environments.latest_state(proposal.environment, change.name)
                now = (latest.serial, latest.lineage) if latest else None
                then = (change.state_serial, change.state_lineage) if change.state_serial is not None else None
                if now != then:
                    was, is_ = (then[0] if then else "none"), (now[0] if now else "none")
                    reasons.append(f"{change.name}'s state moved (serial {was} -> {is_})")
        return reasons

    def _replan(self, proposal: Proposal, moved: list[str], progress: Progress) -> None:
        if proposal.kind == "destroy":
            fresh = self._destroy_proposal(proposal.environment, proposal.actor, proposal.justification, proposal.id)
            fresh = replace(fresh, created_at=proposal.created_at)
            saved: dict[str, bytes] = {}
        else:
            resolution = self._environments.resolve_document(
                proposal.document["environment"], f"proposal {proposal.id}", proposal.document.get("pins")
            )
            plan = self._environments.plan(resolution, proposal.actor, progress)
            if not plan.has_changes():
                with self._store.transaction() as tx:
                    done = proposal.with_status(
                        "rejected", "superseded: the environment already matches it", utc_timestamp()
                    )
                    tx.proposals.save(done)
                    record(tx, SYSTEM, "proposal.supersede", f"proposal:{proposal.id}", {"because": moved})
                raise StalePlanError(
                    f"{proposal.id}: the plan is stale ({'; '.join(moved)}), and the environment already matches "
                    "what it proposed; nothing is left to apply"
                )
            fresh, saved = self._from_plan(
                plan,
                proposal.actor,
                proposal.justification,
                proposal.kind,
                proposal.rollback_to,
                parse_time(proposal.created_at),
                proposal_id=proposal.id,
            )
        with self._store.transaction() as tx:
            fresh = replace(fresh, approvals=proposal.approvals, expires_at=proposal.expires_at)
            fresh = fresh.with_status(fresh.status, "re-planned: " + "; ".join(moved), utc_timestamp())
            tx.proposals.save(fresh)
            tx.proposals.put_plans(fresh.id, saved)
            record(
                tx,
                SYSTEM,
                "proposal.replan",
                f"proposal:{fresh.id}",
                {"because": moved, "plan_digest": fresh.plan_digest, "previous_digest": proposal.plan_digest},
            )
            self._record_decision(tx, fresh)
        needs = self.missing(fresh)
        state = f"{fresh.status}" + (f", needs {'; '.join(needs)}" if needs and fresh.status == "pending" else "")
        raise StalePlanError(
            f"{proposal.id}: the plan is stale ({'; '.join(moved)}); it was planned again and goes back to "
            f"decision (now {state}); review it with `infraplane proposal show {proposal.id}`"
        )

    def _execute(self, proposal: Proposal, actor: Actor, progress: Progress) -> int | None:
        if proposal.kind == "destroy":
            self._environments.destroy(proposal.environment, actor, progress)
            return None
        resolution = self._environments.resolve_document(
            proposal.document["environment"], f"proposal {proposal.id}", proposal.document.get("pins")
        )
        plan = self._environments.restore_plan(resolution, proposal.components)
        with self._store.transaction() as tx:
            kept = tx.proposals.plans(proposal.id)
        saved = {c.name: kept.get(c.name) for c in proposal.components if c.status == "planned"}
        result = self._environments.apply(plan, actor, progress, saved)
        return result.revision

    def _commit(self, proposal: Proposal, actor: Actor) -> None:
        """Commit the applied desired state to the environments repository (a failure is recorded, not fatal)."""
        document = None if proposal.kind == "destroy" else repository_document(proposal)
        try:
            commit = self.repository.commit(
                proposal.environment, document, commit_message(proposal, actor), proposal.actor.id
            )
        except FailureError as exc:
            with self._store.transaction() as tx:
                record(tx, SYSTEM, "environments_repository.fail", f"proposal:{proposal.id}", {"error": exc.message})
            return
        with self._store.transaction() as tx:
            record(tx, SYSTEM, "environments_repository.commit", f"proposal:{proposal.id}", {"commit": commit})
