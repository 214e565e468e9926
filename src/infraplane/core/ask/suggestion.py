"""An optional LLM backend's part in `ask`: the prompt it gets and how its answer is read.

The backend only suggests. Its answer becomes a `Suggestion`, which the resolver uses
only when it names a catalog entry and its inputs pass the blueprint's schema; anything
else (an unknown blueprint, prose, invalid JSON, a bad value) falls back to the built-in resolver.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any, Protocol

from infraplane.core.ask.resolver import Suggestion
from infraplane.core.ask.vocabulary import KNOWN_TIERS
from infraplane.core.blueprint import Blueprint

__all__ = ["SYSTEM_PROMPT", "ChatBackend", "catalog_prompt", "parse_suggestion"]

SYSTEM_PROMPT = (
    "You map a plain-language infrastructure request to exactly one entry of the catalog you are given. "
    "Answer with one JSON object and nothing else: "
    '{"blueprint": "<a catalog name, or null when none fits or several fit equally>", '
    f'"tier": "<one of {", ".join(KNOWN_TIERS)}, or null when the request does not say>", '
    '"service": "<the service or purpose the request names, or null>", '
    '"inputs": {"<input name>": <value>}}. '
    "Put in inputs only values the request states (use the catalog's input names, types and allowed values); "
    "leave out everything else, defaults included."
)


class ChatBackend(Protocol):
    """A chat model behind an HTTP API (OpenAI-compatible chat completions, Anthropic messages)."""

    def complete(self, system: str, prompt: str) -> str:
        """The model's text answer; raises the adapter's error when the call fails."""
        ...


def catalog_prompt(words: str, blueprints: Sequence[Blueprint]) -> str:
    """The user message: the catalog (names, descriptions, labels, input schemas) and the request."""
    catalog = [
        {
            "name": b.name,
            "description": b.metadata.description,
            "labels": list(b.metadata.labels),
            "inputs": b.input_schema()["properties"],
            "required": list(b.spec.required),
        }
        for b in blueprints
    ]
    return f"Catalog:\n{json.dumps(catalog, indent=1)}\n\nRequest: {words}"


def parse_suggestion(answer: str) -> Suggestion | None:
    """The first JSON object in the answer as a Suggestion, or None when there is none or it names nothing."""
    match = re.search(r"\{.*\}", answer, re.DOTALL)
    if match is None:
        return None
    try:
        data: Any = json.loads(match.group())
    except json.JSONDecodeError:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("blueprint"), str):
        return None
    inputs = data.get("inputs") or {}
    tier, service = data.get("tier"), data.get("service")
    return Suggestion(
        blueprint=data["blueprint"],
        inputs=dict(inputs) if isinstance(inputs, dict) else {},
        tier=tier if isinstance(tier, str) else None,
        subject=service if isinstance(service, str) else None,
    )
