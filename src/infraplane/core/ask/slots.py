"""Filling a blueprint's inputs from a request, driven by the inputs' JSON Schemas.

Each input becomes a `Slot`: the words that point at it (its name's parts, a few
general synonyms, its description's head), its unit when its name ends in one
(`retention_days`), and its type and allowed values. A value in the words goes to
the slot it stands next to; a value that fits exactly one slot goes there. Only
values the words say end up in the inputs; everything else keeps its default.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from infraplane.core.ask.names import Names, slug
from infraplane.core.ask.text import Atom, Quantity, Request, fold, roots_of
from infraplane.core.ask.vocabulary import (
    ENUM_SYNONYMS,
    FILLER_WORDS,
    INPUT_KEYWORDS,
    NEGATIONS_AFTER,
    NEGATIONS_BEFORE,
    TIME_UNITS,
)
from infraplane.core.blueprint import Blueprint

__all__ = ["Filling", "Slot", "fill_inputs", "slots_of"]

_GENERIC_PARTS = frozenset(
    {"size", "count", "number", "num", "id", "ids", "name", "names", "type", "mode", "enabled", "enable", "use"}
    | {"is", "max", "min", "value", "values", "the", "of", "list", "seconds", "minutes", "hours", "days", "weeks"}
)
_BOOLEAN_NOISE = frozenset({"enable", "enabled", "use", "is", "with", "allow"})
_TRUE = frozenset({"true", "yes", "on", "enabled", "enable", "1"})
_FALSE = frozenset({"false", "no", "off", "disabled", "disable", "0"})
_CIDR = re.compile(r"^(\d{1,3}\.){3}\d{1,3}/\d{1,2}$")
_REGION = re.compile(r"^[a-z]{2}(-gov)?-[a-z]+-\d$")
_HOST_PORT = re.compile(r"^[a-z0-9.-]+:\d{1,5}$")
_AWS_ID = re.compile(r"^([a-z]+)-[0-9a-f]{6,}$")
_NEAR = 3
_HINT_PENALTY = 20
_ENUM_WORDS = {synonym: value for value, synonyms in ENUM_SYNONYMS.items() for synonym in synonyms}


@dataclass(frozen=True)
class Slot:
    """One input of a blueprint, as the words can reach it."""

    name: str
    schema: Mapping[str, Any]
    keywords: frozenset[str]
    hints: frozenset[str]
    unit: int | None

    @property
    def types(self) -> frozenset[str]:
        declared = self.schema.get("type")
        if isinstance(declared, str):
            return frozenset({declared})
        if isinstance(declared, list):
            return frozenset(str(t) for t in declared)
        enum = self.schema.get("enum") or []
        return frozenset("integer" if isinstance(v, int) else "string" for v in enum)

    @property
    def enum(self) -> list[Any]:
        return list(self.schema.get("enum") or [])

    @property
    def numeric(self) -> bool:
        return bool(self.types & {"integer", "number"})

    @property
    def names_subject(self) -> bool:
        """A free-text string input that holds the service's name (`service`, `service_name`, `app`)."""
        parts = {fold(p) for p in self.name.split("_")}
        return self.types == {"string"} and not self.enum and fold("service") in parts


@dataclass(frozen=True)
class Filling:
    """Inputs the words determine for one blueprint, and how many came from the words (not the subject)."""

    inputs: dict[str, Any]
    evidence: int


def slots_of(blueprint: Blueprint) -> list[Slot]:
    concept = frozenset(roots_of(blueprint.name.replace("-", " ") + " " + " ".join(blueprint.metadata.labels)))
    slots = []
    for name, schema in blueprint.spec.inputs.items():
        parts = name.split("_")
        specific = [p for p in parts if p not in _GENERIC_PARTS]
        keywords = {fold(p) for p in specific}
        for part in specific:
            keywords |= {fold(w) for w in INPUT_KEYWORDS.get(part, ())}
        head = re.split(r"[:(;.]", str(schema.get("description", "")))[0]
        hints = {r for r in roots_of(head) if r not in FILLER_WORDS and r not in _GENERIC_PARTS and len(r) > 2}
        unit = TIME_UNITS.get(parts[-1].removesuffix("s")) if len(parts) > 1 else None
        slots.append(Slot(name, schema, frozenset(keywords or concept), frozenset(hints - keywords), unit))
    return slots


def _closest(
    request: Request, index: int, candidates: Sequence[Slot], reach: int = _NEAR, hints: bool = True
) -> Slot | None:
    """The candidate whose words stand nearest the value at atom `index` (keywords beat description words)."""
    best: dict[str, int] = {}
    for distance, atom in request.near(index, reach, reach):
        for slot in candidates:
            if atom.root in slot.keywords:
                score = distance
            elif hints and atom.root in slot.hints:
                score = distance + _HINT_PENALTY
            else:
                continue
            best[slot.name] = min(best.get(slot.name, score), score)
    if not best:
        return None
    ranked = sorted(best.items(), key=lambda item: item[1])
    if len(ranked) > 1 and ranked[0][1] == ranked[1][1]:
        return None
    return next(s for s in candidates if s.name == ranked[0][0])


def _coerce(text: str, slot: Slot) -> Any:
    types = slot.types
    if "boolean" in types and text in _TRUE | _FALSE:
        return text in _TRUE
    if "integer" in types and re.fullmatch(r"-?\d+", text):
        return int(text)
    if "number" in types and re.fullmatch(r"-?\d+(\.\d+)?", text):
        return float(text)
    if "array" in types:
        return [part for part in text.split(",") if part]
    return text


def _structured_fit(text: str, slot: Slot) -> int:
    """2: the value's shape is what the input's name says; 1: only the input's pattern accepts it; 0: no."""
    name = slot.name
    id_match = _AWS_ID.match(text)
    if (
        (_CIDR.match(text) and "cidr" in name)
        or (_REGION.match(text) and (name == "region" or name.endswith("_region")))
        or (id_match and name in (f"{id_match.group(1)}_id", f"{id_match.group(1)}_ids"))
        or (text.startswith("arn:") and name.endswith(("arn", "arns")))
        or (_HOST_PORT.match(text) and "host:port" in str(slot.schema.get("description", "")))
    ):
        return 2
    pattern = str(slot.schema.get("pattern") or (slot.schema.get("items") or {}).get("pattern") or "")
    # A pattern that takes a plain word ("^[a-z0-9-]*$" for a name) says nothing about a value's shape.
    specific = pattern and not re.search(pattern, "plain")
    if slot.types & {"string", "array"} and specific and re.search(pattern, text):
        return 1
    return 0


class _Filler:
    def __init__(self, request: Request, slots: list[Slot]) -> None:
        self.request = request
        self.slots = slots
        self.inputs: dict[str, Any] = {}
        self.used: set[int] = set()

    def open(self, predicate: Callable[[Slot], bool]) -> list[Slot]:
        return [s for s in self.slots if predicate(s) and (s.name not in self.inputs or "array" in s.types)]

    def put(self, slot: Slot, value: Any, atoms: Sequence[int]) -> None:
        if "array" in slot.types and not isinstance(value, list):
            self.inputs.setdefault(slot.name, []).append(value)
        else:
            self.inputs[slot.name] = value
        self.used |= set(atoms)

    def settings(self) -> None:
        by_name = {s.name: s for s in self.slots}
        for atom in self.request.atoms:
            key, _, text = atom.text.partition("=")
            if "=" in atom.text and key in by_name:
                self.put(by_name[key], _coerce(text, by_name[key]), [atom.index])

    def structured(self) -> None:
        for token in self.request.tokens:
            if token.kind != "structured":
                continue
            atom = self.request.atoms_of(token.index)[0]
            fits = {s.name: _structured_fit(token.text, s) for s in self.open(lambda _: True)}
            top = max(fits.values(), default=0)
            candidates = [s for s in self.slots if fits.get(s.name) == top and top > 0]
            chosen = candidates[0] if len(candidates) == 1 else _closest(self.request, atom.index, candidates)
            if chosen is not None:
                self.put(chosen, token.text, [atom.index])

    def booleans(self) -> None:
        atoms = self.request.atoms
        for slot in self.open(lambda s: s.types == {"boolean"}):
            phrase = [fold(p) for p in slot.name.split("_") if p not in _BOOLEAN_NOISE]
            for start in range(len(atoms) - len(phrase) + 1):
                window = atoms[start : start + len(phrase)]
                negated_prefix = (
                    len(phrase) == 1 and window[0].text.startswith("un") and (fold(window[0].text[2:]) == phrase[0])
                )
                if [a.root for a in window] != phrase and not negated_prefix:
                    continue
                if any(a.index in self.used for a in window):
                    continue
                negated = negated_prefix or self._negated(window[0], window[-1])
                self.put(slot, not negated, [a.index for a in window])
                break

    def _negated(self, first: Atom, last: Atom) -> bool:
        atoms = self.request.atoms
        before = [a for a in atoms[max(0, first.index - 3) : first.index] if a.clause == first.clause]
        after = [a for a in atoms[last.index + 1 : last.index + 3] if a.clause == last.clause]
        return any(a.text in NEGATIONS_BEFORE for a in before) or any(a.text in NEGATIONS_AFTER for a in after)

    def enums(self) -> None:
        for atom in self.request.atoms:
            if atom.index in self.used:
                continue
            value = _ENUM_WORDS.get(atom.text, atom.text)
            candidates = [s for s in self.open(lambda s: "string" in s.types) if value in map(str, s.enum)]
            if not candidates:
                continue
            chosen = _closest(self.request, atom.index, candidates)
            if chosen is None and len(candidates) == 1:
                chosen = candidates[0]
            if chosen is not None:
                self.put(chosen, value, [atom.index])

    def quantities(self) -> None:
        for quantity in self.request.quantities():
            if set(quantity.atoms) & self.used:
                continue
            if quantity.unit_seconds is not None:
                candidates = self.open(lambda s: s.numeric and s.unit is not None)
                chosen = _closest(self.request, quantity.atoms[0], candidates, reach=4)
                same_unit = [s for s in candidates if s.unit == quantity.unit_seconds]
                if chosen is None and len(same_unit) == 1:
                    chosen = same_unit[0]
                if chosen is None and len(candidates) == 1:
                    chosen = candidates[0]
            else:
                # A bare number needs its input's own words next to it ("three zones", "retention 5").
                chosen = _closest(self.request, quantity.atoms[0], self.open(lambda s: s.numeric), hints=False)
            if chosen is not None:
                self.put(chosen, _in_unit(quantity, chosen), quantity.atoms)

    def subject(self, names: Names) -> None:
        slot = next(iter(self.open(lambda s: s.names_subject)), None)
        if names.subject is not None and slot is not None:
            self.inputs[slot.name] = slug(names.subject)


def _in_unit(quantity: Quantity, slot: Slot) -> int | float:
    value = quantity.value
    if quantity.unit_seconds is not None and slot.unit is not None:
        value = value * quantity.unit_seconds / slot.unit
    if isinstance(value, float) and value.is_integer() and "integer" in slot.types:
        return int(value)
    return value


def fill_inputs(request: Request, blueprint: Blueprint, names: Names) -> Filling:
    """The inputs of `blueprint` the request determines (values it does not mention are left out)."""
    filler = _Filler(request, slots_of(blueprint))
    filler.settings()
    filler.structured()
    filler.booleans()
    filler.enums()
    filler.quantities()
    evidence = len(filler.inputs)
    filler.subject(names)
    return Filling(filler.inputs, evidence)
