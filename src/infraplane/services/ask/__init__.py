"""`ask`: a plain-language request resolved against the catalog into an environment document."""

from infraplane.services.ask.service import AskService, ClarificationNeeded

__all__ = ["AskService", "ClarificationNeeded"]
