"""Resolving plain words against the newest catalog entries, optionally helped by an LLM backend."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from infraplane.core.ask import AskResolution, Clarification, Overrides, Suggestion, resolve_request
from infraplane.core.ask.suggestion import SYSTEM_PROMPT, ChatBackend, catalog_prompt, parse_suggestion
from infraplane.core.blueprint import Blueprint
from infraplane.core.ports import ChatBackendError
from infraplane.errors import InfraplaneError, InputError, NotFoundError
from infraplane.services.catalog import CatalogService

__all__ = ["AskService", "ClarificationNeeded"]


class ClarificationNeeded(InfraplaneError):
    """The words are not enough to choose or fill a blueprint; carries the question and its options.

    Not a failure: the CLI prints the question on stdout and exits 3; the API answers 422 with the options.
    """

    code = "clarification_needed"
    exit_code = 3
    http_status = 422

    def __init__(self, clarification: Clarification) -> None:
        super().__init__(clarification.question)
        self.clarification = clarification


class AskService:
    """Turns words into an `AskResolution` (blueprint@version, environment name/team/tier, inputs).

    `backend` is the configured LLM (the composition root builds it from `ask.*` settings), or
    None for the built-in resolver alone.
    """

    def __init__(
        self, catalog: CatalogService, taken_names: Callable[[], set[str]], backend: ChatBackend | None = None
    ) -> None:
        self._catalog = catalog
        self._taken_names = taken_names
        self._backend = backend

    def resolve(
        self,
        words: str,
        *,
        name: str | None = None,
        team: str | None = None,
        tier: str | None = None,
        requester: str | None = None,
    ) -> AskResolution:
        """Resolve `words`; raise ClarificationNeeded when they do not determine one valid request.

        `requester` (who asks) names the team only when the words and `team` do not.
        """
        if not words.strip():
            raise InputError("say what you need, e.g. 'a staging environment for the payments service'")
        blueprints = [version.blueprint for version in self._catalog.latest()]
        if not blueprints:
            raise NotFoundError("the catalog is empty: publish blueprints first (`infraplane catalog publish`)")
        suggestion, note = self._suggest(words, blueprints)
        result = resolve_request(
            words,
            blueprints,
            self._taken_names(),
            Overrides(name=name, team=team, tier=tier, requester=requester),
            suggestion,
        )
        if isinstance(result, Clarification):
            raise ClarificationNeeded(result)
        if self._backend is not None and result.resolver != "llm":
            note = note or "the LLM's answer named no catalog entry or did not validate; the built-in resolver chose"
            result = replace(result, notes=(*result.notes, note))
        return result

    def _suggest(self, words: str, blueprints: list[Blueprint]) -> tuple[Suggestion | None, str | None]:
        if self._backend is None:
            return None, None
        try:
            answer = self._backend.complete(SYSTEM_PROMPT, catalog_prompt(words, blueprints))
        except ChatBackendError as exc:
            return None, f"the LLM backend failed ({exc}); the built-in resolver chose"
        return parse_suggestion(answer), None
