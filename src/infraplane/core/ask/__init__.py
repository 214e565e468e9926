"""`ask`: plain words to a blueprint, an environment and inputs, read against the catalog (pure, no I/O).

text.py        the request split into tokens, roots, clauses, quantities and tiers
names.py       the service, team and purpose the words name
slots.py       a blueprint's inputs filled from the words, driven by its input schema
ranking.py     which blueprint the words ask for
resolver.py    the resolution, or a question back (`Clarification`)
suggestion.py  reading an LLM backend's answer into a `Suggestion`
"""

from infraplane.core.ask.resolver import (
    AskResolution,
    Clarification,
    Option,
    Overrides,
    Suggestion,
    resolve_request,
)

__all__ = ["AskResolution", "Clarification", "Option", "Overrides", "Suggestion", "resolve_request"]
