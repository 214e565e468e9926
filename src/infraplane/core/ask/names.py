"""Who and what a request is for: the service, the team, the purpose that names the environment."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from infraplane.core.ask.text import Request, Token, fold
from infraplane.core.ask.vocabulary import (
    BOUNDARY_WORDS,
    FILLER_WORDS,
    HEAD_NOUNS,
    NUMBER_WORDS,
    SUBJECT_NOUNS,
    TIER_WORDS,
)

__all__ = ["EXPLICIT", "FOR_PHRASE", "MODIFIER", "SERVICE_NOUN", "Names", "find_names", "slug"]

# How sure we are that a phrase names the subject, strongest last.
MODIFIER, FOR_PHRASE, SERVICE_NOUN, EXPLICIT = 1, 2, 3, 4
_MAX_WORDS = 3
_NAME_SHAPE = re.compile(r"^[a-z][a-z0-9-]*[a-z0-9]$")
_DETERMINERS = frozenset({"the", "a", "an", "our", "my", "their", "your", "this", "that", "its", "his", "her"})
_NOT_IN_PHRASE = BOUNDARY_WORDS | SUBJECT_NOUNS | HEAD_NOUNS | frozenset(TIER_WORDS) | frozenset(NUMBER_WORDS)
_NOT_NAMES = FILLER_WORDS | _NOT_IN_PHRASE
# After "for", verbs of asking are names ("for build artifacts"); pronouns and quantifiers are not.
_NOT_AFTER_FOR = _NOT_IN_PHRASE | _DETERMINERS | frozenset({"me", "us", "you", "them", "it", "some", "all", "any"})


@dataclass(frozen=True)
class Names:
    """The subject (a service, or what the environment is for), the team, and the environment's name when said."""

    subject: str | None = None
    strength: int = 0
    team: str | None = None
    consumed: frozenset[int] = frozenset()
    weak: frozenset[int] = frozenset()
    environment: str | None = None


def slug(text: str, limit: int = 30) -> str:
    """A name usable in environment names and name-like inputs: lowercase letters, digits and hyphens."""
    value = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    value = re.sub(r"^[^a-z]+", "", value)
    return value[:limit].rstrip("-")


def _is_name(token: Token, known: frozenset[str], excluded: frozenset[str] = _NOT_NAMES) -> bool:
    if token.kind != "word" or token.text in excluded or not _NAME_SHAPE.match(token.text):
        return False
    parts = token.text.split("-")
    if any(part in NUMBER_WORDS or part in TIER_WORDS for part in parts):
        return False
    return not any(fold(part) in known for part in parts)


class _Finder:
    def __init__(self, request: Request, concepts: frozenset[str], vocabulary: frozenset[str]) -> None:
        self.tokens = request.tokens
        self.concepts = concepts
        self.vocabulary = vocabulary
        self.best: tuple[int, str, frozenset[int]] | None = None
        self.team: str | None = None
        self.environment: str | None = None
        self.consumed: set[int] = set()
        self.weak: set[int] = set()

    def offer(self, strength: int, parts: Sequence[Token], consumed: Sequence[int] = (), name: str = "") -> None:
        name = slug(name or "-".join(t.text for t in parts))
        if not name or len(name) < 2:
            return
        indices = frozenset([t.index for t in parts] + list(consumed))
        if self.best is None or strength > self.best[0]:
            self.best = (strength, name, indices)

    def at(self, index: int) -> Token | None:
        return self.tokens[index] if 0 <= index < len(self.tokens) else None

    def same_clause(self, a: Token, b: Token | None) -> bool:
        return b is not None and a.clause == b.clause

    def run(self) -> Names:
        for token in self.tokens:
            self._explicit(token)
            self._name_is(token)
            self._team(token)
            self._service(token)
        for token in self.tokens:
            if token.text == "for" and self._for_phrase(token):
                break
        if self.best is None:
            for token in self.tokens:
                self._modifier(token)
        subject = self.best[1] if self.best else None
        strength = self.best[0] if self.best else 0
        if self.best and strength >= SERVICE_NOUN:
            self.consumed |= self.best[2]
        elif self.best:
            self.weak |= self.best[2]
        return Names(subject, strength, self.team, frozenset(self.consumed), frozenset(self.weak), self.environment)

    def _explicit(self, token: Token) -> None:
        before, after = self.at(token.index - 1), self.at(token.index + 1)
        if token.kind == "quoted":
            self.offer(EXPLICIT, [token], [t.index for t in (before, after) if t and t.text in SUBJECT_NOUNS])
        elif token.text in ("named", "called") and after is not None and after.kind == "word":
            if self._names_environment(token):
                # "an environment called pay-stg": the environment's own name; a named service still wins.
                self.environment = slug(after.text, 40)
                self.offer(FOR_PHRASE, [after], [token.index])
            else:
                self.offer(EXPLICIT, [after], [token.index])

    def _name_is(self, token: Token) -> None:
        """`service name: orders`, `name is orders`."""
        if token.text != "name":
            return
        index = token.index + 1
        if (word := self.at(index)) and word.text == "is":
            index += 1
        after = self.at(index)
        if after is not None and self.same_clause(token, after) and _is_name(after, self.concepts):
            before = self.at(token.index - 1)
            noun = [before.index] if before and before.text in SUBJECT_NOUNS else []
            self.offer(EXPLICIT, [after], [token.index, *noun])

    def _names_environment(self, token: Token) -> bool:
        index = token.index - 1
        while (previous := self.at(index)) and previous.text in TIER_WORDS:
            index -= 1
        return previous is not None and previous.text in ("environment", "env", "environments")

    def _team(self, token: Token) -> None:
        if token.text not in ("team", "squad") or self.team is not None:
            return
        before, after = self.at(token.index - 1), self.at(token.index + 1)
        for other in (before, after):
            if other is not None and self.same_clause(token, other) and _is_name(other, self.concepts):
                self.team = slug(other.text)
                self.consumed |= {token.index, other.index}
                return

    def _service(self, token: Token) -> None:
        head, _, last = token.text.rpartition("-")
        if token.kind == "word" and head and last in ("service", "svc") and _NAME_SHAPE.match(head):
            self.offer(SERVICE_NOUN, [token], name=head)  # "payments-service"
        if token.text not in SUBJECT_NOUNS:
            return
        parts: list[Token] = []
        index = token.index - 1
        while (previous := self.at(index)) and self.same_clause(token, previous) and len(parts) < _MAX_WORDS:
            if not _is_name(previous, self.concepts):
                break
            parts.insert(0, previous)
            index -= 1
        after = self.at(token.index + 1)
        if not parts and after is not None and self.same_clause(token, after) and _is_name(after, self.concepts):
            parts = [after]
        if parts:
            self.offer(SERVICE_NOUN, parts, [token.index])

    def _for_phrase(self, token: Token) -> bool:
        index = token.index + 1
        while (word := self.at(index)) and word.text in _DETERMINERS:
            index += 1
        parts: list[Token] = []
        while (word := self.at(index)) and self.same_clause(token, word) and len(parts) < _MAX_WORDS:
            if word.text in ("team", "squad") or not _is_name(word, frozenset(), _NOT_AFTER_FOR):
                break
            parts.append(word)
            index += 1
        if not parts:
            return False
        self.offer(FOR_PHRASE, parts)
        return True

    def _modifier(self, token: Token) -> None:
        heads = self.concepts | {fold(n) for n in HEAD_NOUNS}
        if token.kind != "word" or not any(fold(p) in heads for p in token.text.split("-")):
            return
        parts: list[Token] = []
        index = token.index - 1
        while (previous := self.at(index)) and self.same_clause(token, previous) and len(parts) < 2:
            if previous.text in TIER_WORDS and not parts:
                index -= 1
                continue
            if not _is_name(previous, self.vocabulary):
                break
            parts.insert(0, previous)
            index -= 1
        if parts:
            self.offer(MODIFIER, parts)


def find_names(request: Request, concepts: frozenset[str], vocabulary: frozenset[str]) -> Names:
    """Find the subject and team; `concepts` are roots of catalog names and labels, `vocabulary` all catalog roots.

    Strongest first: a quoted or `named X` name, then `X service` / `service X`, then `for X`,
    then an unknown word before what is asked for ("the audit queue", "checkout stack").
    """
    return _Finder(request, concepts, vocabulary).run()
