"""From plain words to a resolution (blueprint, environment, inputs) or a question back.

The resolver never guesses: when no blueprint fits, several fit about as well, a required
value is missing or a value breaks the blueprint's schema, it returns a `Clarification`
with the options instead of an `AskResolution`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from jsonschema import Draft202012Validator

from infraplane.core.ask.names import Names, find_names, slug
from infraplane.core.ask.ranking import Candidate, CatalogIndex
from infraplane.core.ask.text import parse_request
from infraplane.core.ask.vocabulary import KNOWN_TIERS
from infraplane.core.blueprint import API_VERSION, NAME_PATTERN, Blueprint
from infraplane.core.versions import parse_ref
from infraplane.errors import InputError, Problem

__all__ = ["AskResolution", "Clarification", "Option", "Overrides", "Suggestion", "resolve_request"]

MIN_SCORE = 1.5
# A runner-up scoring at least this share of the best makes the request ambiguous.
AMBIGUOUS_SHARE = 0.8
_NAME_LIMIT = 40


@dataclass(frozen=True)
class AskResolution:
    """What a request resolved to: an exact blueprint version, the environment, and the inputs the words gave."""

    blueprint: str
    version: str
    name: str
    team: str
    tier: str
    inputs: Mapping[str, Any] = field(default_factory=dict)
    resolver: str = "builtin"
    notes: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "blueprint": self.blueprint,
            "version": self.version,
            "environment": {"name": self.name, "team": self.team, "tier": self.tier},
            "inputs": dict(self.inputs),
        }

    def environment_document(self) -> dict[str, Any]:
        """The Environment document a proposal is made from (the blueprint pinned to this exact version)."""
        return {
            "apiVersion": API_VERSION,
            "kind": "Environment",
            "metadata": {"name": self.name, "team": self.team, "tier": self.tier},
            "spec": {"blueprint": f"{self.blueprint}@{self.version}", "inputs": dict(self.inputs)},
        }


@dataclass(frozen=True)
class Option:
    """One answer the asker can give: a blueprint, an input to supply, a tier."""

    value: str
    description: str = ""


@dataclass(frozen=True)
class Clarification:
    """A question back, with the options, instead of a guess."""

    question: str
    options: tuple[Option, ...] = ()
    blueprint: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "clarify": True,
            "question": self.question,
            "blueprint": self.blueprint,
            "options": [{"value": o.value, "description": o.description} for o in self.options],
        }


@dataclass(frozen=True)
class Overrides:
    """Values the asker gave outright (`--name`, `--team`, `--tier`) and who is asking."""

    name: str | None = None
    team: str | None = None
    tier: str | None = None
    requester: str | None = None


@dataclass(frozen=True)
class Suggestion:
    """A backend's (LLM's) reading of the request; only used when it names a catalog entry and validates."""

    blueprint: str
    inputs: Mapping[str, Any] = field(default_factory=dict)
    tier: str | None = None
    subject: str | None = None


def _blueprint_option(blueprint: Blueprint) -> Option:
    return Option(blueprint.name, blueprint.metadata.description)


def _choose(ranked: Sequence[Candidate], index: CatalogIndex) -> Candidate | Clarification:
    best = ranked[0] if ranked else None
    if best is None or best.score < MIN_SCORE:
        return Clarification(
            "Which of these do you need? Say what it is for, e.g. 'a staging environment for the payments service'.",
            tuple(_blueprint_option(b) for b in index.blueprints),
        )
    close = [c for c in ranked if c.score >= best.score * AMBIGUOUS_SHARE]
    complete = [c for c in close if _validate(c.blueprint, c.filling.inputs, index) is None]
    if len(close) > 1 and len(complete) == 1:
        # Only one of the close candidates can be made from the words alone: that one is meant.
        return complete[0]
    if len(close) > 1:
        names = ", ".join(c.blueprint.name for c in close)
        return Clarification(
            f"Your words fit several blueprints ({names}); which one do you mean?",
            tuple(_blueprint_option(c.blueprint) for c in close),
        )
    return best


def _tier(request_tiers: list[tuple[str, int]], override: str | None) -> str | Clarification:
    if override:
        return override
    found = sorted({tier for tier, _ in request_tiers}, key=KNOWN_TIERS.index)
    if len(found) > 1:
        return Clarification(
            f"Which tier do you mean: {' or '.join(found)}?", tuple(Option(t, f"a {t} environment") for t in found)
        )
    return found[0] if found else "dev"


def _schema_problems(blueprint: Blueprint, inputs: Mapping[str, Any]) -> list[Problem]:
    schema = blueprint.input_schema()
    schema["required"] = []
    problems = []
    for error in sorted(Draft202012Validator(schema).iter_errors(dict(inputs)), key=lambda e: list(e.path)):
        where = str(error.path[0]) if error.path else ""
        problems.append(Problem("", f"inputs.{where}" if where else "inputs", error.message))
    return problems


def _validate(blueprint: Blueprint, inputs: Mapping[str, Any], index: CatalogIndex) -> Clarification | None:
    spec = blueprint.spec
    problems = _schema_problems(blueprint, inputs)
    if problems:
        options = []
        for problem in problems:
            name = problem.field.removeprefix("inputs.")
            schema = spec.inputs.get(name, {})
            allowed = f" (allowed: {', '.join(map(str, schema['enum']))})" if schema.get("enum") else ""
            options.append(Option(name, f"{schema.get('description', '')}{allowed}".strip()))
        reasons = "; ".join(f"{p.field.removeprefix('inputs.')}: {p.reason}" for p in problems)
        return Clarification(f"{blueprint.name} does not accept {reasons}. What should it be?", tuple(options))
    missing = [n for n in spec.required if n not in inputs and "default" not in spec.inputs.get(n, {})]
    if not missing:
        return None
    options = [Option(n, str(spec.inputs.get(n, {}).get("description", ""))) for n in missing]
    for composite in index.blueprints:
        used = {parse_ref(c.blueprint).name for c in composite.spec.components.values()}
        if blueprint.name in used:
            needs = ", ".join(composite.spec.required) or "nothing"
            options.append(Option(composite.name, f"{composite.metadata.description} (needs: {needs})"))
    hint = " e.g. 'for the payments service'" if any(n == "service" for n in missing) else ""
    return Clarification(
        f"{blueprint.name} needs {', '.join(missing)}, which your words do not give; say it{hint}, "
        "or choose a blueprint that provides it.",
        tuple(options),
        blueprint.name,
    )


def _accept(suggestion: Suggestion | None, index: CatalogIndex) -> Suggestion | None:
    """The suggestion when it names a catalog entry and its inputs validate; otherwise None (use the built-in)."""
    if suggestion is None or suggestion.blueprint not in index.by_name:
        return None
    blueprint = index.by_name[suggestion.blueprint]
    if _schema_problems(blueprint, suggestion.inputs):
        return None
    return suggestion


def _unique(base: str, tier: str, taken: set[str]) -> str:
    for number in range(1, 1000):
        suffix = f"-{tier}" + (f"-{number}" if number > 1 else "")
        name = base[: _NAME_LIMIT - len(suffix)].rstrip("-") + suffix
        if name not in taken:
            return name
    raise InputError(f"no free environment name for {base}-{tier}; give one with --name")


def _check_name(value: str, field_name: str) -> str:
    if not re.match(NAME_PATTERN, value) or len(value) > _NAME_LIMIT:
        reason = "must be lowercase letters, digits and hyphens, starting with a letter (at most 40 characters)"
        raise InputError(f"--{field_name} {value!r} {reason}", [Problem("", field_name, reason)])
    return value


def _team(names: Names, subject: str | None, overrides: Overrides) -> str | Clarification:
    if overrides.team:
        return _check_name(overrides.team, "team")
    for candidate in (names.team, subject, slug(overrides.requester or "")):
        if candidate and re.match(NAME_PATTERN, candidate):
            return candidate
    return Clarification("Which team owns it? Give it with --team.", (Option("--team", "the owning team"),))


def resolve_request(
    text: str,
    blueprints: Sequence[Blueprint],
    taken: set[str],
    overrides: Overrides | None = None,
    suggestion: Suggestion | None = None,
) -> AskResolution | Clarification:
    """Resolve `text` against the newest catalog entries, or say what is missing."""
    overrides = overrides or Overrides()
    if overrides.tier:
        _check_name(overrides.tier, "tier")
    index = CatalogIndex(blueprints)
    request = parse_request(text)
    names = find_names(request, index.concepts, index.vocabulary)
    tier = _tier(request.tiers(), overrides.tier)
    accepted = _accept(suggestion, index)
    if accepted is not None:
        blueprint = index.by_name[accepted.blueprint]
        inputs = dict(accepted.inputs)
        subject = names.subject or (slug(accepted.subject) if accepted.subject else None)
        if isinstance(tier, str) and not request.tiers() and accepted.tier in KNOWN_TIERS and not overrides.tier:
            tier = accepted.tier
        resolver = "llm"
    else:
        chosen = _choose(index.rank(request, names), index)
        if isinstance(chosen, Clarification):
            return chosen
        blueprint, inputs, subject, resolver = chosen.blueprint, dict(chosen.filling.inputs), names.subject, "builtin"
    if isinstance(tier, Clarification):
        return tier
    problem = _validate(blueprint, inputs, index)
    if problem is not None:
        return problem
    subject = next((str(inputs[s]) for s in ("service", "service_name") if s in inputs), subject)
    team = _team(names, subject, overrides)
    if isinstance(team, Clarification):
        return team
    if overrides.name:
        name = _check_name(overrides.name, "name")
    else:
        name = _unique(slug(subject or blueprint.name), tier, taken)
    return AskResolution(blueprint.name, blueprint.version, name, team, tier, inputs, resolver)
