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

from infraplane.core.ask.vocabulary import NUMBER_WORDS, PHRASES, SYNONYMS, TIER_WORDS, TIME_UNITS

__all__ = ["Atom", "Quantity", "Request", "Token", "fold", "parse_request", "roots_of"]

TokenKind = Literal["word", "quoted", "structured", "setting"]

_SCANNER = re.compile(
    r"""(?P<quoted>"[^"]+"|“[^”]+”|(?<![a-z0-9])'[^']+'(?![a-z0-9]))
    |(?P<setting>[a-z_][a-z0-9_]*=[^\s,;]+)
    |(?P<token>[a-z0-9][a-z0-9._:/@'-]*[a-z0-9]|[a-z0-9])
    |(?P<stop>[,;!?()]|\.(?=\s|$)|\s[-–—]\s|\s+but\s)""",
    re.VERBOSE,
)
_REGION = re.compile(r"^[a-z]{2}(-gov)?-[a-z]+-\d$")
_AWS_ID = re.compile(r"^[a-z]+-[0-9a-f]{6,}$")
_NUMBER_WITH_UNIT = re.compile(r"^(\d+)([a-z]+)$")
_NUMBER = re.compile(r"^\d+(\.\d+)?$")


def fold(word: str) -> str:
    """The root of a word: synonyms first, then a light suffix fold ("versioned", "versioning" -> "vers")."""
    word = SYNONYMS.get(word, word)
    for _ in range(3):
        before = word
        if len(word) > 4 and word.endswith("ies"):
            word = word[:-3] + "y"
        elif (len(word) >= 6 and word.endswith("ing")) or (len(word) >= 7 and word.endswith("ion")):
            word = word[:-3]
        elif len(word) >= 6 and word.endswith("ed"):
            word = word[:-2]
        elif (len(word) >= 4 and word.endswith("s") and not word.endswith(("ss", "us"))) or (
            len(word) >= 5 and word.endswith("e")
        ):
            word = word[:-1]
        if word == before:
            break
    return word


def roots_of(text: str) -> list[str]:
    """Roots of every word in a piece of catalog text (names, labels, descriptions), normalized like requests."""
    return [fold(w) for w in re.findall(r"[a-z0-9]+", normalize(text))]


def normalize(text: str) -> str:
    text = text.lower().replace("’", "'")
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
        """(distance, atom) for atoms around `index` in the same clause; after-words get the smaller distances."""
        centre = self.atoms[index]
        for offset in range(1, max(before, after) + 1):
            for position, distance in ((index + offset, offset), (index - offset, offset + 0.5)):
                inside = 0 <= position < len(self.atoms) and (offset <= (after if position > index else before))
                if inside and self.atoms[position].clause == centre.clause:
                    yield int(distance * 2), self.atoms[position]

    def tiers(self) -> list[tuple[str, int]]:
        """(tier, atom index) for every word that names a tier."""
        return [(TIER_WORDS[a.text], a.index) for a in self.atoms if a.text in TIER_WORDS]

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
