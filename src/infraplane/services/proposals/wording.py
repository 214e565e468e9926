"""An optional LLM's rewording of a proposal's summary: shown beside it, marked, never instead of it.

The deterministic summary (`core.summary.plain_summary`) is what infraplane shows first and what the audit
trail records; a rewording is for reading only. It is made inert, cut to a length, and checked for the
amounts and rule ids it leaves out, which the reader is told.
"""

from __future__ import annotations

from dataclasses import dataclass

from infraplane.core.ask.suggestion import ChatBackend
from infraplane.core.ports import ChatBackendError
from infraplane.core.summary import REPHRASE_MAX_CHARS, REPHRASE_SYSTEM_PROMPT, dropped_facts
from infraplane.core.text import inert

__all__ = ["Rephrased", "SummaryRephraser"]


@dataclass(frozen=True)
class Rephrased:
    """A rewording (empty when the backend failed), who made it, what it leaves out, and any error."""

    text: str
    by: str
    dropped: tuple[str, ...] = ()
    error: str = ""

    def as_dict(self) -> dict[str, object]:
        return {"text": self.text, "by": self.by, "dropped": list(self.dropped), "error": self.error}


class SummaryRephraser:
    def __init__(self, backend: ChatBackend, by: str) -> None:
        """`by` names the backend and model for the reader ("openai gpt-4o-mini")."""
        self._backend = backend
        self._by = by

    def rephrase(self, summary: str) -> Rephrased:
        """The backend's rewording of `summary`; a failed call is a Rephrased with the error, never an exception."""
        try:
            answer = self._backend.complete(REPHRASE_SYSTEM_PROMPT, summary)
        except ChatBackendError as exc:
            return Rephrased("", self._by, error=str(exc))
        text = inert(" ".join(answer.split()))
        if len(text) > REPHRASE_MAX_CHARS:
            text = text[:REPHRASE_MAX_CHARS] + "…"
        return Rephrased(text, self._by, tuple(dropped_facts(summary, text)))
