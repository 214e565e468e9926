"""The proposal use cases behind one facade: propose, read, approve, reject, apply.

Each use case lives in its own module (creating, deciding, applying, expiry,
reading); `ProposalService` wires them together for the interfaces. Every
status change goes through the lifecycle's transition table
(`core/proposal_lifecycle.py`) and is written with its audit event in the same
transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from infraplane.core.approval import ApprovalCheck, ApprovalState
from infraplane.core.audit import Actor
from infraplane.core.ports import EnvironmentHistory, Store
from infraplane.core.proposals import Proposal, ProposalKind
from infraplane.services.environments.resolution import Resolution
from infraplane.services.orchestration.guardrails import Guardrails
from infraplane.services.orchestration.progress import Progress
from infraplane.services.orchestration.service import EnvironmentService
from infraplane.services.policy import PolicyService
from infraplane.services.proposals.applying import ProposalApplier, StalePlanError
from infraplane.services.proposals.clock import Clock, parse_time, system_clock
from infraplane.services.proposals.creating import ProposalCreator
from infraplane.services.proposals.deciding import ProposalDecider
from infraplane.services.proposals.drafting import ProposalDrafter
from infraplane.services.proposals.reading import ProposalReader

__all__ = ["ProposalService", "StalePlanError", "parse_time"]


class ProposalService:
    def __init__(
        self,
        environments: EnvironmentService,
        policies: PolicyService,
        guardrails: Guardrails | None,
        groups: Mapping[str, list[str]],
        expire_after: timedelta,
        repository: EnvironmentHistory,
        clock: Clock = system_clock,
    ) -> None:
        self.clock = clock
        self._store = environments.store
        self._reader = ProposalReader(self._store, clock)
        drafter = ProposalDrafter(environments, policies, guardrails, expire_after)
        self._creator = ProposalCreator(environments, drafter, clock)
        self._decider = ProposalDecider(self._store, self._reader, groups, clock)
        self._applier = ProposalApplier(environments, self._reader, self._decider, drafter, repository, clock)

    @property
    def store(self) -> Store:
        return self._store

    # -- reading --

    def get(self, proposal_id: str) -> Proposal:
        return self._reader.get(proposal_id)

    def proposals(self, environment: str | None = None, status: str | None = None) -> list[Proposal]:
        """Proposals, oldest first; any past its expiry is marked expired on the way."""
        return self._reader.proposals(environment, status)

    def approval_state(self, proposal: Proposal) -> ApprovalState:
        """How far the proposal's approvals go towards its decision, as data."""
        return self._decider.approval_state(proposal)

    def approval_check(self, proposal: Proposal, approver: Actor) -> ApprovalCheck:
        """Whether `approver`'s approval would count, and why, as data."""
        return self._decider.check(proposal, approver)

    def missing(self, proposal: Proposal) -> list[str]:
        """What the proposal still needs before it may be applied, in words (empty when nothing)."""
        return self._decider.approval_state(proposal).describe()

    def upgradable(self, blueprints: set[str]) -> list[tuple[str, str, str]]:
        """(environment, current version, newest allowed) for environments a newer version of these could reach."""
        return self._creator.upgradable(blueprints)

    # -- proposing --

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
        return self._creator.propose(resolution, actor, justification, progress, kind, rollback_to, replan_all)

    def propose_document(
        self, document: Mapping[str, Any], actor: Actor, justification: str, progress: Progress
    ) -> Proposal | None:
        """An environment given as data (an agent's request, `ask`): same checks as a file."""
        return self._creator.propose_document(document, actor, justification, progress)

    def propose_update(
        self, name: str, inputs: Mapping[str, Any], actor: Actor, justification: str, progress: Progress
    ) -> Proposal | None:
        """Change some inputs of an existing environment, keeping its blueprint versions."""
        return self._creator.propose_update(name, inputs, actor, justification, progress)

    def propose_upgrade(self, name: str, actor: Actor, justification: str, progress: Progress) -> Proposal | None:
        """The newest versions the environment's constraints allow; None when it already runs them."""
        return self._creator.propose_upgrade(name, actor, justification, progress)

    def propose_rollback(
        self, name: str, to: int, actor: Actor, justification: str, progress: Progress
    ) -> Proposal | None:
        """Revision `to`'s exact blueprint versions and inputs."""
        return self._creator.propose_rollback(name, to, actor, justification, progress)

    def propose_destroy(self, name: str, actor: Actor, justification: str) -> Proposal:
        """Destroying is proposed like any change: its diff is every resource in the components' state."""
        return self._creator.propose_destroy(name, actor, justification)

    # -- deciding and applying --

    def approve(self, proposal_id: str, actor: Actor, comment: str = "") -> Proposal:
        """Record one person's approval of the current plan digest; enough of them approve the proposal."""
        return self._decider.approve(proposal_id, actor, comment)

    def reject(self, proposal_id: str, actor: Actor, reason: str) -> Proposal:
        """A person rejects the proposal; it can no longer be approved or applied."""
        return self._decider.reject(proposal_id, actor, reason)

    def apply(self, proposal_id: str, actor: Actor, progress: Progress) -> Proposal:
        """Apply exactly the approved plans; refuse and re-plan when the environment moved since."""
        return self._applier.apply(proposal_id, actor, progress)
