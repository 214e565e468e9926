"""Environments reading each other's outputs: `${environments.<name>.outputs.<output>}`.

Only an environment file holds such a reference (a blueprint never does), and it is only read:
when the file is resolved, the reference is replaced by the producer's current output value, and
what was read is kept as an `UpstreamRead` (where, which output, a digest and the JSON type of the
value). An applied consumer's reads are recorded in the store as dependencies between environments,
which is what a proposal on the producer compares its new outputs with: a consumer whose read would
be removed, change type or change value is in the proposal's blast radius.

Rules, decided here on data: the producer must exist, be applied and be readable by the requester
(its team is the consumer's own or one of the requester's teams); the output must be one it exposes;
a sensitive output is refused (its value would be copied into the consumer's inputs, revisions and
git history); an environment never reads itself.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from infraplane.core.audit import canonical_json
from infraplane.core.wiring import EnvironmentOutputRef, parse_reference

__all__ = [
    "Change",
    "ConsumerImpact",
    "Dependency",
    "UpstreamAccess",
    "UpstreamLookup",
    "UpstreamOutputs",
    "UpstreamRead",
    "compare",
    "consumer_impacts",
    "json_type",
    "read_references",
    "value_digest",
]

Change = Literal["unchanged", "value-changed", "type-changed", "removed", "unknown"]
# What a consumer is told, worst first.
_SEVERITY: dict[Change, int] = {"removed": 0, "type-changed": 1, "value-changed": 2, "unknown": 3, "unchanged": 4}


def json_type(value: Any) -> str:
    """The JSON type of a value: string, number, boolean, array, object or null."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list | tuple):
        return "array"
    return "object"


def value_digest(value: Any) -> str:
    """A value's identity without keeping it: sha256 of its canonical JSON."""
    return "sha256:" + hashlib.sha256(canonical_json(value).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class UpstreamRead:
    """One reference an environment file read: where (`field`), which producer output, and what it was."""

    field: str
    environment: str
    output: str
    digest: str
    type: str

    def as_dict(self) -> dict[str, str]:
        return {
            "field": self.field,
            "environment": self.environment,
            "output": self.output,
            "digest": self.digest,
            "type": self.type,
        }

    @staticmethod
    def from_dict(data: Mapping[str, Any]) -> UpstreamRead:
        return UpstreamRead(
            str(data["field"]), str(data["environment"]), str(data["output"]), str(data["digest"]), str(data["type"])
        )


@dataclass(frozen=True)
class Dependency:
    """A recorded read: applied revision `revision` of `consumer` reads `read` (stored; see the store's table)."""

    consumer: str
    read: UpstreamRead
    revision: int
    recorded_at: str = ""

    @property
    def producer(self) -> str:
        return self.read.environment


@dataclass(frozen=True)
class UpstreamOutputs:
    """A producer as a reader sees it: its team, whether it is applied, and the outputs it exposes now."""

    environment: str
    team: str
    applied: bool
    values: Mapping[str, Any]
    sensitive: frozenset[str] = frozenset()


@dataclass(frozen=True)
class UpstreamAccess:
    """Whose reading it is: `teams` the requester acts for (None: every team, as an admin or the system).

    A producer of the consumer's own team may always be read; one of another team only when the
    requester acts for that team (on the server, a token's teams; on the CLI, the groups naming the person).
    """

    who: str
    teams: frozenset[str] | None

    def allows(self, producer_team: str, consumer_team: str) -> bool:
        return self.teams is None or producer_team == consumer_team or producer_team in self.teams


UpstreamLookup = Callable[[str], UpstreamOutputs | None]


def _read_one(
    reference: EnvironmentOutputRef,
    consumer: str,
    consumer_team: str,
    lookup: UpstreamLookup,
    access: UpstreamAccess | None,
) -> tuple[Any, str]:
    """The value a reference reads, or ("", reason) when it may not be read."""
    if reference.environment == consumer:
        return (
            None,
            f"{reference}: an environment cannot read its own outputs (wire components with ${{components...}})",
        )
    producer = lookup(reference.environment)
    if producer is None or (access is not None and not access.allows(producer.team, consumer_team)):
        who = f" that {access.who} may read" if access is not None else ""
        return None, f"{reference}: no environment named {reference.environment!r}{who}"
    if not producer.applied:
        return None, f"{reference}: {reference.environment} has no applied outputs yet; apply it first"
    if reference.output in producer.sensitive:
        return None, (
            f"{reference}: output {reference.output!r} of {reference.environment} is sensitive; another environment "
            "may not read it (its value would be copied into this one's inputs and history); read a reference to "
            "the secret instead, such as its ARN"
        )
    if reference.output not in producer.values:
        known = ", ".join(sorted(o for o in producer.values if o not in producer.sensitive)) or "none"
        return None, f"{reference}: {reference.environment} has no output {reference.output!r} (outputs: {known})"
    return producer.values[reference.output], ""


def read_references(
    value: Any,
    field: str,
    consumer: str,
    consumer_team: str,
    lookup: UpstreamLookup,
    access: UpstreamAccess | None,
) -> tuple[Any, list[UpstreamRead], list[tuple[str, str]]]:
    """`value` with every environment reference in it (nested too) replaced by the value it reads.

    Returns the new value, what was read, and the problems as (field, reason). Other references
    (`${components...}`, `${inputs...}`) are left as they are for the graph to wire.
    """
    reads: list[UpstreamRead] = []
    problems: list[tuple[str, str]] = []

    def walk(item: Any, where: str) -> Any:
        if isinstance(item, Mapping):
            return {k: walk(v, f"{where}.{k}") for k, v in item.items()}
        if isinstance(item, list | tuple):
            return [walk(v, f"{where}[{i}]") for i, v in enumerate(item)]
        try:
            reference = parse_reference(item)
        except ValueError:
            return item  # malformed references are the graph's to report, with the same field
        if not isinstance(reference, EnvironmentOutputRef):
            return item
        found, reason = _read_one(reference, consumer, consumer_team, lookup, access)
        if reason:
            problems.append((where, reason))
            return item
        reads.append(
            UpstreamRead(where, reference.environment, reference.output, value_digest(found), json_type(found))
        )
        return found

    return walk(value, field), reads, problems


def compare(read: UpstreamRead, values: Mapping[str, Any] | None, unknown: Iterable[str] = ()) -> Change:
    """What became of one read given the producer's outputs (None: the producer is gone)."""
    if read.output in set(unknown):
        return "unknown"
    if values is None or read.output not in values:
        return "removed"
    now = values[read.output]
    if json_type(now) != read.type:
        return "type-changed"
    return "value-changed" if value_digest(now) != read.digest else "unchanged"


@dataclass(frozen=True)
class ConsumerImpact:
    """One consumer's read that a change of its producer touches."""

    environment: str
    producer: str
    output: str
    field: str
    change: Change
    type_before: str = ""
    type_after: str = ""

    @property
    def breaks(self) -> bool:
        """The consumer's input would no longer be there or have the type it was applied with."""
        return self.change in ("removed", "type-changed")

    def describe(self) -> str:
        what = {
            "removed": f"output {self.output} would be removed",
            "type-changed": f"output {self.output} changes type ({self.type_before} -> {self.type_after})",
            "value-changed": f"output {self.output} changes value",
            "unknown": f"output {self.output} is known only after apply and may change",
            "unchanged": f"output {self.output} stays the same",
        }[self.change]
        return f"environment {self.environment} reads {self.producer}'s output {self.output} ({self.field}): {what}"

    def as_dict(self) -> dict[str, str | bool]:
        return {
            "environment": self.environment,
            "producer": self.producer,
            "output": self.output,
            "field": self.field,
            "change": self.change,
            "breaks": self.breaks,
            "type_before": self.type_before,
            "type_after": self.type_after,
        }

    @staticmethod
    def from_dict(data: Mapping[str, Any]) -> ConsumerImpact:
        return ConsumerImpact(
            str(data["environment"]),
            str(data.get("producer", "")),
            str(data["output"]),
            str(data.get("field", "")),
            data["change"],
            str(data.get("type_before", "")),
            str(data.get("type_after", "")),
        )


def consumer_impacts(
    dependencies: Iterable[Dependency], after: Mapping[str, Any] | None, unknown: Iterable[str] = ()
) -> tuple[ConsumerImpact, ...]:
    """Every recorded read the producer's outputs `after` a change would touch (None: it is destroyed).

    Unchanged reads are left out; the rest are ordered worst first (removed, type, value, unknown).
    """
    unknown_names = frozenset(unknown)
    found = []
    for dependency in dependencies:
        read = dependency.read
        change = compare(read, after, unknown_names)
        if change == "unchanged":
            continue
        now = json_type(after[read.output]) if after is not None and read.output in after else ""
        found.append(
            ConsumerImpact(dependency.consumer, read.environment, read.output, read.field, change, read.type, now)
        )
    return tuple(sorted(found, key=lambda i: (_SEVERITY[i.change], i.environment, i.output, i.field)))
