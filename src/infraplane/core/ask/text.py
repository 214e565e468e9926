"""A plain-language request split into words: roots, clauses, quantities and tiers.

No NLP library: requests are short and the catalog supplies the meaning, so a
tokenizer, a suffix fold and a small vocabulary (`vocabulary.py`) are enough,
and every decision stays explainable.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from infraplane.core.ask.vocabulary import (
    NUMBER_WORDS,
    PHRASES,
    SYNONYMS,
    TIER_WORDS,
    TIME_UNITS,
    WEAK_TIER_WORDS,
)

__all__ = ["Atom", "Quantity", "Request", "Token", "fold", "parse_request", "roots_of"]

TokenKind = Literal["word", "quoted", "structured", "setting"]

_SCANNER = re.compile(
    r"""(?P<quoted>"[^"]+"|\u201c[^\u201d]+\u201d|(?<![a-z0-9])'[^']+'(?![a-z0-9]))
    |(?P<setting>[a-z_][a-z0-9_]*=(?:[^\s,;]|,(?=\S))+)
    |(?P<token>[a-z0-9][a-z0-9._:/@'-]*[a-z0-9]|[a-z0-9])
    |(?P<stop>[,;!?()]|\.(?=\s|$)|\s[-\u2013\u2014]\s|\s+but\s)""",
    re.VERBOSE,
)
_REGION = re.compile(r"^[a-z]{2}(-gov)?-[a-z]+-\d$")
_AWS_ID = re.compile(r"^[a-z]+-[0-9a-f]{6,}$")
_NUMBER_WITH_UNIT = re.compile(r"^(\d+)([a-z]+)$")
_NUMBER = re.compile(r"^\d+(\.\d+)?$")


# (suffix, shortest word it is taken from, replacement), tried in order, at most three times.
_SUFFIXES = (("ies", 5, "y"), ("ing", 6, ""), ("ion", 7, ""), ("ed", 6, ""), ("s", 4, ""), ("e", 5, ""))


def _suffix_fold(word: str) -> str:
    for _ in range(3):
        for suffix, shortest, replacement in _SUFFIXES:
            if len(word) >= shortest and word.endswith(suffix) and not word.endswith(("ss", "us")):
                word = word[: -len(suffix)] + replacement
                break
        else:
            break
    return word


# Synonyms again after folding, so "stores" and "caches" meet their synonyms too.
_FOLDED_SYNONYMS = {_suffix_fold(k): _suffix_fold(v) for k, v in SYNONYMS.items()}


def fold(word: str) -> str:
    """The root of a word: synonyms, then a light suffix fold ("versioned", "versioning" -> "vers")."""
    folded = _suffix_fold(SYNONYMS.get(word, word))
    return _FOLDED_SYNONYMS.get(folded, folded)


def roots_of(text: str) -> list[str]:
    """Roots of every word in a piece of catalog text (names, labels, descriptions), normalized like requests."""
    return [fold(w) for w in re.findall(r"[a-z0-9]+", normalize(text))]


def normalize(text: str) -> str:
    text = text.lower().replace("\u2019", "'")
    for pattern, replacement in PHRASES:
        text = re.sub(pattern, replacement, text)
    return text


@dataclass(frozen=True)
class Token:
    """A word as written ("search-api", "10.42.0.0/16", a quoted name, `key=value`)."""

    text: str
    kind: TokenKind
    clause: int
    index: int


@dataclass(frozen=True)
class Atom:
    """One part of a token, the unit matching works on; hyphenated tokens have several."""

    text: str
    root: str
    token: int
    clause: int
    index: int


@dataclass(frozen=True)
class Quantity:
    """A number in the request, with the time unit that follows it (in seconds), if any."""

    value: int | float
    unit_seconds: int | None
    atoms: tuple[int, ...]


@dataclass(frozen=True)
class Request:
    """A request split into tokens (for names) and atoms (for meaning)."""

    text: str
    tokens: tuple[Token, ...]
    atoms: tuple[Atom, ...]

    def atoms_of(self, token: int) -> list[Atom]:
        return [a for a in self.atoms if a.token == token]

    def near(self, index: int, before: int, after: int) -> Iterable[tuple[int, Atom]]:
        """(distance, atom) for atoms around `index` in its clause; a word after is nearer than one as far before."""
        clause = self.atoms[index].clause
        for offset in range(1, max(before, after) + 1):
            around = []
            if offset <= after and index + offset < len(self.atoms):
                around.append((2 * offset, self.atoms[index + offset]))
            if offset <= before and index - offset >= 0:
                around.append((2 * offset + 1, self.atoms[index - offset]))
            yield from ((distance, atom) for distance, atom in around if atom.clause == clause)

    def tiers(self) -> list[str]:
        """The tiers the words name; words like "test" or "live" count only when no other tier word is there."""
        named = [a.text for a in self.atoms if a.text in TIER_WORDS]
        strong = [w for w in named if w not in WEAK_TIER_WORDS]
        return [TIER_WORDS[w] for w in strong or named]

    def quantities(self) -> list[Quantity]:
        found: list[Quantity] = []
        atoms = self.atoms
        for i, atom in enumerate(atoms):
            value: int | float | None = None
            unit: int | None = None
            used = [i]
            if _NUMBER.match(atom.text):
                value = float(atom.text) if "." in atom.text else int(atom.text)
            elif (match := _NUMBER_WITH_UNIT.match(atom.text)) and match.group(2) in TIME_UNITS:
                value, unit = int(match.group(1)), TIME_UNITS[match.group(2)]
            elif atom.text in NUMBER_WORDS:
                value = NUMBER_WORDS[atom.text]
            elif atom.text in ("a", "an") and i + 1 < len(atoms) and _unit(atoms[i + 1]) is not None:
                value = 1
            if value is None:
                continue
            following = i + 1
            if following < len(atoms) and atoms[following].text == "of" and atom.text == "couple":
                following += 1
            if unit is None and following < len(atoms) and atoms[following].clause == atom.clause:
                unit = _unit(atoms[following])
                if unit is not None:
                    used.append(following)
            found.append(Quantity(value, unit, tuple(used)))
        return found


def _unit(atom: Atom) -> int | None:
    word = atom.text
    if word in TIME_UNITS and len(word) > 1:
        return TIME_UNITS[word]
    singular = word[:-1] if word.endswith("s") else word
    return TIME_UNITS.get(singular) if len(singular) > 1 else None


def _kind(text: str) -> TokenKind:
    if any(c in text for c in "./:@") or _REGION.match(text) or _AWS_ID.match(text):
        return "structured"
    return "word"


def parse_request(text: str) -> Request:
    """Split a request into tokens and atoms; commas, semicolons and sentence ends start a new clause."""
    tokens: list[Token] = []
    atoms: list[Atom] = []
    clause = 0
    for match in _SCANNER.finditer(normalize(text)):
        if match.lastgroup == "stop":
            clause += 1
            continue
        raw = match.group()
        if match.lastgroup == "quoted":
            kind: TokenKind = "quoted"
            raw = raw[1:-1].strip()
        elif match.lastgroup == "setting":
            kind = "setting"
        else:
            raw = raw.removesuffix("'s").replace("'", "")
            kind = _kind(raw)
        token = Token(raw, kind, clause, len(tokens))
        tokens.append(token)
        parts = [raw] if kind != "word" else [p for p in raw.split("-") if p]
        for part in parts:
            atoms.append(Atom(part, fold(part) if kind == "word" else part, token.index, clause, len(atoms)))
    return Request(text, tuple(tokens), tuple(atoms))
