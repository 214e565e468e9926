"""Proposing a change: create, update, upgrade, rollback and destroy, each planned, checked, decided and stored.

A proposal and its `proposal.create` and `proposal.decide` audit events are
written in one transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from infraplane.core.audit import Actor
from infraplane.core.clock import Clock
from infraplane.core.drift import drift_items
from infraplane.core.proposals import Proposal, ProposalKind
from infraplane.core.records import RevisionRecord
from infraplane.core.upstream import UpstreamAccess
from infraplane.errors import InputError, NotFoundError, Problem, RefusedError
from infraplane.services.environments.resolution import Resolution
from infraplane.services.orchestration.plans import EnvironmentPlan
from infraplane.services.orchestration.progress import Progress
from infraplane.services.orchestration.service import EnvironmentService
from infraplane.services.proposals.drafting import ProposalDrafter
from infraplane.services.proposals.recording import record_created
from infraplane.services.proposals.review import plan_documents

__all__ = ["ProposalCreator", "reverted_drift"]


def reverted_drift(plan: EnvironmentPlan) -> list[dict[str, Any]]:
    """What a revert plan undoes: the drift its components' plans found (noise dropped), and what it replaces."""
    found = []
    for name, item in plan.components.items():
        if item.plan is None:
            continue
        for drifted in drift_items(plan.name, name, item.plan):
            entry = {k: drifted.as_dict()[k] for k in ("component", "address", "attribute", "kind")}
            found.append({**entry, "replaced": drifted.address in item.replace})
    return found


def _require_justification(actor: Actor, justification: str) -> None:
    if actor.kind == "agent" and not justification.strip():
        raise InputError.from_problems(
            [Problem("", "justification", "agents must say why they propose a change (a sentence or two)")]
        )


class ProposalCreator:
    def __init__(self, environments: EnvironmentService, drafter: ProposalDrafter, clock: Clock) -> None:
        self._environments = environments
        self._store = environments.store
        self._drafter = drafter
        self._clock = clock

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

    def propose_document(
        self,
        document: Mapping[str, Any],
        actor: Actor,
        justification: str,
        progress: Progress,
        access: UpstreamAccess | None = None,
    ) -> Proposal | None:
        """An environment given as data (an agent's request, `ask`): same checks as a file."""
        resolution = self._environments.resolve_document(document, "request", access=access)
        return self.propose(resolution, actor, justification, progress)

    def propose_update(
        self,
        name: str,
        inputs: Mapping[str, Any],
        actor: Actor,
        justification: str,
        progress: Progress,
        access: UpstreamAccess | None = None,
    ) -> Proposal | None:
        """Change some inputs of an existing environment, keeping its blueprint versions.

        `access` checks other environments' outputs the new inputs read (the requester's teams).
        """
        revision = self._current_revision(name)
        environment = dict(revision.document["environment"])
        spec = dict(environment.get("spec", {}))
        spec["inputs"] = {**spec.get("inputs", {}), **inputs}
        environment["spec"] = spec
        resolution = self._environments.resolve_document(environment, "inputs", revision.document.get("pins"), access)
        return self.propose(resolution, actor, justification, progress)

    def propose_edit(
        self,
        name: str,
        environment: Mapping[str, Any],
        actor: Actor,
        justification: str,
        progress: Progress,
        kind: ProposalKind | None = None,
        extra: Mapping[str, Any] | None = None,
        proposal_id: str | None = None,
    ) -> Proposal | None:
        """An edited environment document (its name unchanged), with the blueprint versions it runs now."""
        revision = self._current_revision(name)
        resolution = self._environments.resolve_document(environment, "inputs", revision.document.get("pins"))
        return self.propose(resolution, actor, justification, progress, kind=kind, extra=extra, proposal_id=proposal_id)

    def propose_revert(
        self, name: str, actor: Actor, justification: str, progress: Progress, proposal_id: str | None = None
    ) -> Proposal | None:
        """Apply the code again (kind drift-revert): every component planned; None when nothing would change.

        Drift a plain apply would keep (an attribute the configuration leaves unset) is planned as a replacement
        of its resource (core/drift_remediation.py). The proposal names the drift it reverts.
        """
        revision = self._current_revision(name)
        resolution = self._environments.resolve_document(
            revision.document["environment"], f"environment {name}", revision.document.get("pins")
        )
        return self.propose(
            resolution, actor, justification, progress, kind="drift-revert", revert=True, proposal_id=proposal_id
        )

    def propose_upgrade(self, name: str, actor: Actor, justification: str, progress: Progress) -> Proposal | None:
        """The newest versions the environment's constraints allow; None when it already runs them."""
        revision = self._current_revision(name)
        resolution = self._environments.resolve_document(revision.document["environment"], f"environment {name}")
        if resolution.pins() == revision.document.get("pins"):
            return None
        return self.propose(resolution, actor, justification, progress, kind="upgrade")

    def propose_rollback(
        self, name: str, to: int, actor: Actor, justification: str, progress: Progress, proposal_id: str | None = None
    ) -> Proposal | None:
        """Revision `to`'s exact blueprint versions and inputs (`proposal_id`: as `propose`)."""
        _, _, revisions = self._environments.get(name)
        chosen = next((r for r in revisions if r.number == to), None)
        if chosen is None:
            known = ", ".join(str(r.number) for r in revisions) or "none"
            raise InputError.from_problems([Problem("", "revision", f"{name} has no revision {to} (known: {known})")])
        resolution = self._environments.resolve_document(
            chosen.document["environment"], f"{name} revision {to}", chosen.document.get("pins")
        )
        return self.propose(
            resolution, actor, justification, progress, kind="rollback", rollback_to=to, proposal_id=proposal_id
        )

    def propose(
        self,
        resolution: Resolution,
        actor: Actor,
        justification: str,
        progress: Progress,
        kind: ProposalKind | None = None,
        rollback_to: int | None = None,
        replan_all: bool = False,
        proposal_id: str | None = None,
        extra: Mapping[str, Any] | None = None,
        ttl_change: bool = False,
        revert: bool = False,
    ) -> Proposal | None:
        """Plan, check and decide a change; None when the environment already matches it.

        `proposal_id` names the proposal before it exists (the server answers with it while planning).
        `extra` is kept with the proposal (an advisor's evidence, the upstream change it follows, the drift
        it answers). `ttl_change`: a new TTL alone is a change even when no component's plan changes anything
        (applied, it only records the revision). `revert` plans a drift revert (see propose_revert).
        """
        _require_justification(actor, justification)
        plan = self._environments.plan(resolution, actor, progress, replan_all, revert)
        if not plan.has_changes() and not (ttl_change and self._ttl_changed(resolution)):
            return None
        if revert:
            extra = {**(extra or {}), "drift": {"reverts": reverted_drift(plan)}}
        proposal, saved = self._drafter.from_plan(
            plan,
            actor,
            justification,
            kind or self._kind(resolution),
            rollback_to,
            self._clock(),
            proposal_id,
            extra,
        )
        documents = plan_documents(plan)
        with self._store.transaction() as tx:
            tx.proposals.save(proposal)
            tx.proposals.put_plans(proposal.id, saved)
            tx.proposals.put_plan_documents(proposal.id, documents)
            record_created(tx, proposal)
        return proposal

    def propose_destroy(
        self, name: str, actor: Actor, justification: str, extra: Mapping[str, Any] | None = None
    ) -> Proposal:
        """Destroying is proposed like any change: its diff is every resource in the components' state."""
        _require_justification(actor, justification)
        proposal = self._drafter.destroy(name, actor, justification, self._clock(), extra=extra)
        with self._store.transaction() as tx:
            tx.proposals.save(proposal)
            record_created(tx, proposal)
        return proposal

    def _ttl_changed(self, resolution: Resolution) -> bool:
        """Whether the TTL differs from the current revision's."""
        current = self._current(resolution.environment.name)
        if current is None:
            return True
        return bool(
            current.document.get("environment", {}).get("spec", {}).get("ttl") != resolution.environment.spec.ttl
        )

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
