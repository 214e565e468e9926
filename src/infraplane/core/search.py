"""Relevance ranking of catalog entries for free-text queries (BM25 over name, description, labels, inputs)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from infraplane.core.blueprint import Blueprint

__all__ = ["SearchHit", "SearchIndex", "rank_blueprints", "tokenize"]

_WORD = re.compile(r"[a-z0-9]+")
_STOPWORDS = frozenset(
    {"a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "i", "in", "into", "is", "it", "me", "my"}
    | {"need", "of", "on", "or", "our", "please", "some", "that", "the", "this", "to", "we", "with", "want"}
    | {"would", "like"}
)
# Weights by repetition: a word in the name counts more than one in an input's description.
_NAME_WEIGHT = 4
_LABEL_WEIGHT = 3
_DESCRIPTION_WEIGHT = 2


def _stem(word: str) -> str:
    # A light plural/verb-form fold so "queues" finds "queue" and "jobs" finds "job"; no library needed for this.
    for suffix in ("ies", "es", "s"):
        if word.endswith(suffix) and len(word) > len(suffix) + 2:
            if suffix == "ies":
                return word[: -len(suffix)] + "y"
            if suffix == "es" and not word.endswith(("ses", "xes", "ches", "shes")):
                return word[:-1]
            return word[: -len(suffix)]
    return word


def tokenize(text: str) -> list[str]:
    """Lowercase word stems without stopwords."""
    return [_stem(w) for w in _WORD.findall(text.lower()) if w not in _STOPWORDS]


def _document(blueprint: Blueprint) -> list[str]:
    meta = blueprint.metadata
    tokens = tokenize(meta.name.replace("-", " ")) * _NAME_WEIGHT
    tokens += [t for label in meta.labels for t in tokenize(label)] * _LABEL_WEIGHT
    tokens += tokenize(meta.description) * _DESCRIPTION_WEIGHT
    for name, schema in blueprint.spec.inputs.items():
        tokens += tokenize(name.replace("_", " ")) + tokenize(str(schema.get("description", "")))
    return tokens


@dataclass(frozen=True)
class SearchHit:
    """A ranked catalog entry."""

    blueprint: Blueprint
    score: float


class SearchIndex:
    """A BM25 index over blueprints, built once and searched many times (the catalog changes rarely)."""

    def __init__(self, blueprints: Sequence[Blueprint]) -> None:
        self._blueprints = list(blueprints)
        self._documents = [_document(b) for b in self._blueprints]
        self._words = [set(doc) for doc in self._documents]
        self._bm25: Any = None

    def _ranking(self) -> Any:
        # rank_bm25 brings numpy (~0.1-0.3 s to import): only a search pays for it, not every catalog read.
        if self._bm25 is None:
            from rank_bm25 import BM25Okapi

            self._bm25 = BM25Okapi(self._documents)
        return self._bm25

    def search(self, query: str) -> list[SearchHit]:
        """Blueprints that share at least one word with the query, best first."""
        words = tokenize(query)
        if not self._documents or not words:
            return []
        scores = self._ranking().get_scores(words)
        asked = set(words)
        hits = [
            SearchHit(b, float(score))
            for b, score, doc_words in zip(self._blueprints, scores, self._words, strict=True)
            if asked & doc_words
        ]
        return sorted(hits, key=lambda h: (-h.score, h.blueprint.name))


def rank_blueprints(blueprints: Sequence[Blueprint], query: str) -> list[SearchHit]:
    """Blueprints that share at least one word with the query, best first."""
    return SearchIndex(blueprints).search(query)
