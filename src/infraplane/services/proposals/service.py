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

from infraplane.core.clock import Clock, parse_time, system_clock
from infraplane.core.ports import EnvironmentHistory, Store
from infraplane.core.proposals import Proposal
from infraplane.core.summary import plain_summary
from infraplane.services.orchestration.plan_checks import PlanChecks
from infraplane.services.orchestration.service import EnvironmentService
from infraplane.services.policy import PolicyService
from infraplane.services.proposals.applying import ProposalApplier, StalePlanError
from infraplane.services.proposals.creating import ProposalCreator
from infraplane.services.proposals.deciding import ProposalDecider
from infraplane.services.proposals.dependents import DependentUpdates
from infraplane.services.proposals.drafting import ProposalDrafter
from infraplane.services.proposals.reading import ProposalReader

__all__ = ["ProposalService", "StalePlanError", "parse_time"]


class ProposalService:
    """Every proposal use case on one object; each method is the use case's own (see the module it comes from)."""

    def __init__(
        self,
        environments: EnvironmentService,
        policies: PolicyService,
        guardrails: PlanChecks | None,
        groups: Mapping[str, list[str]],
        expire_after: timedelta,
        repository: EnvironmentHistory,
        clock: Clock = system_clock,
    ) -> None:
        self.clock = clock
        self.store: Store = environments.store
        reader = ProposalReader(self.store, clock)
        drafter = ProposalDrafter(environments, policies, guardrails, expire_after)
        creator = ProposalCreator(environments, drafter, clock)
        decider = ProposalDecider(self.store, reader, groups, clock)
        dependents = DependentUpdates(environments, creator)
        applier = ProposalApplier(environments, reader, decider, drafter, repository, clock, dependents.after_apply)
        # reading.py
        self.get = reader.get
        self.proposals = reader.proposals
        self.find = reader.find
        self.not_proposed = reader.not_proposed
        # creating.py
        self.upgradable = creator.upgradable
        self.propose = creator.propose
        self.propose_document = creator.propose_document
        self.propose_update = creator.propose_update
        self.propose_edit = creator.propose_edit
        self.propose_revert = creator.propose_revert
        self.propose_upgrade = creator.propose_upgrade
        self.propose_rollback = creator.propose_rollback
        self.propose_destroy = creator.propose_destroy
        # deciding.py
        self.approval_state = decider.approval_state
        self.approval_check = decider.check
        self.approve = decider.approve
        self.reject = decider.reject
        # applying.py
        self.apply = applier.apply
        self.abandon = applier.abandon

    def summary(self, proposal: Proposal) -> str:
        """The proposal in plain words (`core.summary.plain_summary`), with the approvals given so far."""
        return plain_summary(proposal, self.approval_state(proposal))

    def missing(self, proposal: Proposal) -> list[str]:
        """What the proposal still needs before it may be applied, in words (empty when nothing)."""
        return self.approval_state(proposal).describe()
