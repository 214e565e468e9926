"""Which blueprint a request asks for: the words it shares with each blueprint, and what each can take from it.

A word in a blueprint's name weighs more than one in its labels, which weighs more than
one in its description; each input the words fill adds one; a named service adds to the
blueprints that take a service name. Words of the purpose ("for email jobs") count half.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from infraplane.core.ask.names import SERVICE_NOUN, Names
from infraplane.core.ask.slots import Filling, fill_inputs, slots_of
from infraplane.core.ask.text import Request, roots_of
from infraplane.core.ask.vocabulary import FILLER_WORDS, NUMBER_WORDS, TIER_WORDS
from infraplane.core.blueprint import Blueprint

__all__ = ["Candidate", "CatalogIndex"]

_NAME_WEIGHT, _LABEL_WEIGHT, _DESCRIPTION_WEIGHT = 3.0, 2.0, 1.0
# A description naming what another blueprint is ("... PostgreSQL database, Redis cache ...") says less.
_OTHERS_WEIGHT = 0.5
_WEAK = 0.5
_NAMED_SUBJECT, _WEAK_SUBJECT = 1.5, 0.5
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


class CatalogIndex:
    """The catalog's words, computed once per request batch."""

    def __init__(self, blueprints: Sequence[Blueprint]) -> None:
        self.blueprints = list(blueprints)
        self.by_name = {b.name: b for b in self.blueprints}
        own = {b.name: _concept_roots(b) for b in self.blueprints}
        self._weights = {
            b.name: _weights(b, set().union(*(r for n, r in own.items() if n != b.name))) for b in self.blueprints
        }
        concepts: set[str] = set()
        vocabulary: set[str] = set()
        for blueprint in self.blueprints:
            meta = blueprint.metadata
            concepts |= own[blueprint.name]
            concepts |= {r for name in blueprint.spec.inputs for r in roots_of(name.replace("_", " "))}
            vocabulary |= set(roots_of(meta.description))
            for schema in blueprint.spec.inputs.values():
                vocabulary |= set(roots_of(str(schema.get("description", ""))))
                vocabulary |= {str(v).lower() for v in schema.get("enum") or []}
        self.concepts = frozenset(concepts - _IGNORED)
        self.vocabulary = frozenset((vocabulary | concepts) - _IGNORED)

    def _request_roots(self, request: Request, names: Names) -> dict[str, float]:
        roots: dict[str, float] = {}
        for atom in request.atoms:
            if request.tokens[atom.token].kind != "word" or atom.token in names.consumed or atom.text in _IGNORED:
                continue
            factor = _WEAK if atom.token in names.weak else 1.0
            roots[atom.root] = max(roots.get(atom.root, 0.0), factor)
        return roots

    def rank(self, request: Request, names: Names) -> list[Candidate]:
        """Every blueprint with its score, best first (ties by name)."""
        roots = self._request_roots(request, names)
        candidates = []
        for blueprint in self.blueprints:
            weights = self._weights[blueprint.name]
            filling = fill_inputs(request, blueprint, names)
            score = sum(factor * weights.get(root, 0.0) for root, factor in roots.items()) + filling.evidence
            if names.subject and any(s.names_subject for s in slots_of(blueprint)):
                score += _NAMED_SUBJECT if names.strength >= SERVICE_NOUN else _WEAK_SUBJECT
            candidates.append(Candidate(blueprint, score, filling))
        return sorted(candidates, key=lambda c: (-c.score, c.blueprint.name))
