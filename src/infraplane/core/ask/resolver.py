"""From plain words to a resolution (blueprint, environment, inputs) or a question back.

The resolver never guesses: when no blueprint fits, several fit about as well, a required
value is missing or a value breaks the blueprint's schema, it returns a `Clarification`
with the options instead of an `AskResolution`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from infraplane.core.ask.names import Names, find_names, slug
from infraplane.core.ask.ranking import Candidate, CatalogIndex
from infraplane.core.ask.slots import slots_of
from infraplane.core.ask.text import Request, parse_request
from infraplane.core.ask.vocabulary import KNOWN_TIERS, TIER_WORDS
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
        """The Environment document a proposal is made from.

        The constraint is `^version`: today it resolves to exactly this version, and later
        `env upgrade` may move the environment to compatible releases.
        """
        return {
            "apiVersion": API_VERSION,
            "kind": "Environment",
            "metadata": {"name": self.name, "team": self.team, "tier": self.tier},
            "spec": {"blueprint": f"{self.blueprint}@^{self.version}", "inputs": dict(self.inputs)},
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


def _tier(request_tiers: list[str], override: str | None) -> str | Clarification:
    if override:
        return override
    found = sorted(set(request_tiers), key=KNOWN_TIERS.index)
    if len(found) > 1:
        return Clarification(
            f"Which tier do you mean: {' or '.join(found)}?", tuple(Option(t, f"a {t} environment") for t in found)
        )
    return found[0] if found else "dev"


def _schema_problems(blueprint: Blueprint, inputs: Mapping[str, Any]) -> list[Problem]:
    schema = blueprint.input_schema()
    schema["required"] = []
    problems = []
    from jsonschema import Draft202012Validator  # ~0.1-0.2 s to import: only when inputs are checked

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
        return Clarification(
            f"{blueprint.name} does not accept {reasons}. What should it be?", tuple(options), blueprint.name
        )
    missing = [n for n in spec.required if n not in inputs and "default" not in spec.inputs.get(n, {})]
    if not missing:
        return None
    options = [Option(n, str(spec.inputs.get(n, {}).get("description", ""))) for n in missing]
    alternatives = []
    for composite in index.blueprints:
        used = {parse_ref(c.blueprint).name for c in composite.spec.components.values()}
        if blueprint.name in used:
            alternatives.append(composite.name)
            needs = ", ".join(composite.spec.required) or "nothing"
            options.append(Option(composite.name, f"{composite.metadata.description} (needs: {needs})"))
    subject_slots = {s.name for s in slots_of(blueprint) if s.names_subject}
    example = "'for the payments service'" if subject_slots & set(missing) else f"'{missing[0]}=...'"
    them = "it" if len(missing) == 1 else "them"
    instead = f", or ask for {' or '.join(alternatives)}, which includes {blueprint.name}" if alternatives else ""
    return Clarification(
        f"{blueprint.name} needs {' and '.join(missing)}, which your words do not give; "
        f"say {them} (e.g. {example}){instead}.",
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


def _with_settings(overrides: Overrides, request: Request) -> Overrides:
    """`tier=`, `team=` and `name=` in the words count like the options, which still win."""
    said = dict(t.text.split("=", 1) for t in request.tokens if t.kind == "setting")
    tier = said.get("tier")
    return replace(
        overrides,
        name=overrides.name or said.get("name"),
        team=overrides.team or said.get("team"),
        tier=overrides.tier or (TIER_WORDS.get(tier, tier) if tier else None),
    )


def _pick(
    request: Request, names: Names, index: CatalogIndex, suggestion: Suggestion | None
) -> tuple[Blueprint, dict[str, Any], str] | Clarification:
    """The blueprint and inputs: a backend's valid suggestion, else the built-in ranking."""
    accepted = _accept(suggestion, index)
    if accepted is None:
        chosen = _choose(index.rank(request, names), index)
        if isinstance(chosen, Clarification):
            return chosen
        return chosen.blueprint, dict(chosen.filling.inputs), "builtin"
    blueprint = index.by_name[accepted.blueprint]
    inputs = dict(accepted.inputs)
    subject = names.subject or accepted.subject
    for slot in slots_of(blueprint):
        if slot.names_subject and slot.name not in inputs and subject:
            inputs[slot.name] = slug(subject)
    return blueprint, inputs, "llm"


def resolve_request(
    text: str,
    blueprints: Sequence[Blueprint],
    taken: set[str],
    overrides: Overrides | None = None,
    suggestion: Suggestion | None = None,
) -> AskResolution | Clarification:
    """Resolve `text` against the newest catalog entries, or say what is missing."""
    request = parse_request(text)
    overrides = _with_settings(overrides or Overrides(), request)
    if overrides.tier:
        _check_name(overrides.tier, "tier")
    index = CatalogIndex(blueprints)
    names = find_names(request, index.concepts, index.vocabulary)
    picked = _pick(request, names, index, suggestion)
    if isinstance(picked, Clarification):
        return picked
    blueprint, inputs, resolver = picked
    said_tier = suggestion.tier if resolver == "llm" and suggestion and suggestion.tier in KNOWN_TIERS else None
    tier = _tier(request.tiers() or ([said_tier] if said_tier else []), overrides.tier)
    if isinstance(tier, Clarification):
        return tier
    problem = _validate(blueprint, inputs, index)
    if problem is not None:
        return problem
    subject_slots = [s.name for s in slots_of(blueprint) if s.names_subject and s.name in inputs]
    subject = str(inputs[subject_slots[0]]) if subject_slots else names.subject
    if subject is None and resolver == "llm" and suggestion and suggestion.subject:
        subject = slug(suggestion.subject)
    team = _team(names, subject, overrides)
    if isinstance(team, Clarification):
        return team
    if overrides.name or names.environment:
        name = _check_name(overrides.name or names.environment or "", "name")
    else:
        name = _unique(slug(subject or blueprint.name), tier, taken)
    return AskResolution(blueprint.name, blueprint.version, name, team, tier, inputs, resolver)
