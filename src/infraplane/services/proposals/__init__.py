"""Proposals: every change to an environment is proposed, checked, decided, approved and applied exactly."""

from infraplane.services.proposals.service import ProposalService, StalePlanError

__all__ = ["ProposalService", "StalePlanError"]
