"""Which blueprint a request asks for: the words it shares with each blueprint, and what each can take from it.

A word in a blueprint's name weighs more than one in its labels, which weighs more than
one in its description; each input the words fill adds one; a named service adds to the
blueprints that take a service name. Words that only qualify the thing asked for ("for email jobs",
"with a large database") count half. A
composite whose components the words name two or more of gets the best of their scores.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from infraplane.core.ask.names import SERVICE_NOUN, Names
from infraplane.core.ask.slots import Filling, fill_inputs, slots_of
from infraplane.core.ask.text import Request, fold, roots_of
from infraplane.core.ask.vocabulary import FILLER_WORDS, NUMBER_WORDS, QUALIFIERS, TIER_WORDS
from infraplane.core.blueprint import Blueprint
from infraplane.core.versions import parse_ref

__all__ = ["Candidate", "CatalogIndex"]

_NAME_WEIGHT, _LABEL_WEIGHT, _DESCRIPTION_WEIGHT = 3.0, 2.0, 1.0
# A description naming what another blueprint is ("... PostgreSQL database, Redis cache ...") says less.
_OTHERS_WEIGHT = 0.5
_WEAK = 0.5
_NAMED_SUBJECT, _WEAK_SUBJECT = 1.5, 1.0
_ENVIRONMENT = fold("environment")
_PLACE_WORDS = frozenset({"in", "on", "to", "into", "for", "at", "as", "from"})
_IGNORED = frozenset(FILLER_WORDS) | frozenset(TIER_WORDS) | frozenset(NUMBER_WORDS)


@dataclass(frozen=True)
class Candidate:
    """A blueprint with its score for one request and the inputs the request gives it."""

    blueprint: Blueprint
    score: float
    filling: Filling


def _concept_roots(blueprint: Blueprint) -> set[str]:
    meta = blueprint.metadata
    return set(roots_of(meta.name.replace("-", " ") + " " + " ".join(meta.labels))) - _IGNORED


def _weights(blueprint: Blueprint, others: set[str]) -> dict[str, float]:
    weights: dict[str, float] = {}
    meta = blueprint.metadata
    for text, weight in (
        (meta.description, _DESCRIPTION_WEIGHT),
        (" ".join(meta.labels), _LABEL_WEIGHT),
        (meta.name.replace("-", " "), _NAME_WEIGHT),
    ):
        for root in roots_of(text):
            if root not in _IGNORED:
                value = _OTHERS_WEIGHT if weight == _DESCRIPTION_WEIGHT and root in others else weight
                weights[root] = max(weights.get(root, 0.0), value)
    return weights


def _tier_as_noun(request: Request) -> bool:
    """A tier word that is not the place of something else ("prod for billing", not "a queue in prod")."""
    atoms = request.atoms
    return any(
        atom.text in TIER_WORDS and (atom.index == 0 or atoms[atom.index - 1].text not in _PLACE_WORDS)
        for atom in atoms
    )


class CatalogIndex:
    """The catalog's words, computed once per request batch."""

    def __init__(self, blueprints: Sequence[Blueprint]) -> None:
        self.blueprints = list(blueprints)
        self.by_name = {b.name: b for b in self.blueprints}
        own = {b.name: _concept_roots(b) for b in self.blueprints}
        self._own = own
        self._weights = {
            b.name: _weights(b, set().union(*(r for n, r in own.items() if n != b.name))) for b in self.blueprints
        }
        concepts: set[str] = set()
        vocabulary: set[str] = set()
        for blueprint in self.blueprints:
            meta = blueprint.metadata
            concepts |= own[blueprint.name]
            vocabulary |= {r for name in blueprint.spec.inputs for r in roots_of(name.replace("_", " "))}
            vocabulary |= set(roots_of(meta.description))
            for schema in blueprint.spec.inputs.values():
                vocabulary |= set(roots_of(str(schema.get("description", ""))))
                vocabulary |= {str(v).lower() for v in schema.get("enum") or []}
        self.concepts = frozenset(concepts - _IGNORED)
        self.vocabulary = frozenset((vocabulary | concepts) - _IGNORED)

    def _request_roots(self, request: Request, names: Names) -> dict[str, float]:
        """Roots of the request's words, each with 1, or half when it only qualifies the thing asked for."""
        roots: dict[str, float] = {}
        qualifying_clause = -1
        for atom in request.atoms:
            if atom.text in QUALIFIERS:
                qualifying_clause = atom.clause
            if request.tokens[atom.token].kind != "word" or atom.token in names.consumed or atom.text in _IGNORED:
                continue
            weak = atom.token in names.weak or atom.clause == qualifying_clause
            roots[atom.root] = max(roots.get(atom.root, 0.0), _WEAK if weak else 1.0)
        strong = [r for r, f in roots.items() if f == 1.0 and max(w.get(r, 0.0) for w in self._weights.values()) > 1]
        if not strong and _tier_as_noun(request):
            roots[_ENVIRONMENT] = 1.0  # "set up prod for billing": the tier stands for an environment
        return roots

    def _composite_bonus(self, blueprint: Blueprint, roots: dict[str, float], concept: dict[str, float]) -> float:
        """A composite asked for by naming two or more of its components ("a postgres db and a redis cache")."""
        used = {parse_ref(c.blueprint).name for c in blueprint.spec.components.values()}
        named = [
            name
            for name in sorted(used & set(self.by_name))
            if any(roots.get(root) == 1.0 for root in self._own[name] - self._own[blueprint.name])
        ]
        return max((concept[name] for name in named), default=0.0) if len(named) > 1 else 0.0

    def rank(self, request: Request, names: Names) -> list[Candidate]:
        """Every blueprint with its score, best first (ties by name)."""
        roots = self._request_roots(request, names)
        concept = {
            b.name: sum(factor * self._weights[b.name].get(root, 0.0) for root, factor in roots.items())
            for b in self.blueprints
        }
        candidates = []
        for blueprint in self.blueprints:
            filling = fill_inputs(request, blueprint, names)
            score = concept[blueprint.name] + filling.evidence + self._composite_bonus(blueprint, roots, concept)
            if names.subject and any(s.names_subject for s in slots_of(blueprint)):
                score += _NAMED_SUBJECT if names.strength >= SERVICE_NOUN else _WEAK_SUBJECT
            candidates.append(Candidate(blueprint, score, filling))
        return sorted(candidates, key=lambda c: (-c.score, c.blueprint.name))
