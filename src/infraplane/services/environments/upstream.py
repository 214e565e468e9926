"""Environments reading each other's outputs, as the store knows them: producers, readers, what changed.

The rules are core/upstream.py's; this module reads what they decide on from the store and the
catalog: a producer's exposed outputs now (`producer_outputs`), what an environment reads and
whether its producers changed since it was applied (`upstream_status`), and who reads it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from infraplane.core.blueprint import Blueprint
from infraplane.core.graph import exposed_outputs, inline_outputs
from infraplane.core.ports import Transaction
from infraplane.core.records import ComponentRecord, EnvironmentRecord
from infraplane.core.upstream import Change, Dependency, UpstreamOutputs, compare
from infraplane.core.wiring import OutputRef
from infraplane.errors import NotFoundError
from infraplane.services.catalog import CatalogService

__all__ = ["ReadStatus", "Reader", "UpstreamReader", "UpstreamView", "exposed_by", "producer_outputs"]

_GONE = frozenset({"destroyed", "destroying"})


def exposed_by(document: Mapping[str, Any], catalog: CatalogService) -> dict[str, OutputRef] | None:
    """What an environment's revision exposes (output -> component output); None when it cannot be told."""
    spec = (document.get("environment") or {}).get("spec") or {}
    pins: Mapping[str, str] = document.get("pins") or {}

    def lookup(name: str, constraint: str | None) -> tuple[Blueprint, str]:
        try:
            found = catalog.get(f"{name}@{pins[name]}") if name in pins else catalog.resolve(name)
        except NotFoundError as exc:
            raise LookupError(exc.message) from None
        return found.blueprint, found.digest

    try:
        if spec.get("components"):
            leaves = {c["name"]: catalog.get(c["blueprint"]).blueprint for c in document.get("components", [])}
            return inline_outputs(leaves)
        return exposed_outputs(catalog.get(str(document["blueprint"])).blueprint, lookup)
    except (NotFoundError, KeyError, LookupError):
        return None


def _all_outputs(components: list[ComponentRecord]) -> dict[str, OutputRef]:
    """Without a revision to tell: every component's outputs whose name no other component has."""
    owners: dict[str, list[str]] = {}
    for component in components:
        for output in component.outputs:
            owners.setdefault(output, []).append(component.name)
    return {o: OutputRef(names[0], o) for o, names in owners.items() if len(names) == 1}


def producer_outputs(tx: Transaction, catalog: CatalogService, name: str) -> UpstreamOutputs | None:
    """Environment `name` as another one reading it sees it now; None when there is no such environment."""
    env = tx.environments.get(name)
    if env is None:
        return None
    components = tx.environments.components(name)
    applied = env.current_revision > 0 and env.status not in _GONE
    exposed = None
    if applied:
        current = next((r for r in tx.environments.revisions(name) if r.number == env.current_revision), None)
        exposed = exposed_by(current.document, catalog) if current is not None else None
    by_name = {c.name: c for c in components if c.status != "destroyed"}
    values: dict[str, Any] = {}
    sensitive: set[str] = set()
    for output, ref in (exposed if exposed is not None else _all_outputs(list(by_name.values()))).items():
        component = by_name.get(ref.component)
        if component is None or ref.output not in component.outputs:
            continue
        values[output] = component.outputs[ref.output]
        if ref.output in component.sensitive_outputs:
            sensitive.add(output)
    return UpstreamOutputs(name, env.team, applied, values, frozenset(sensitive))


@dataclass(frozen=True)
class ReadStatus:
    """One of an environment's reads, and what became of it since the environment was applied."""

    dependency: Dependency
    change: Change
    producer_status: str

    def as_dict(self) -> dict[str, Any]:
        read = self.dependency.read
        return {
            "environment": read.environment,
            "output": read.output,
            "field": read.field,
            "change": self.change,
            "upstream_changed": self.change != "unchanged",
            "producer_status": self.producer_status,
            "applied_revision": self.dependency.revision,
        }


@dataclass(frozen=True)
class Reader:
    """An applied environment reading one of this one's outputs, with its team (to hide it from other teams)."""

    dependency: Dependency
    team: str


@dataclass(frozen=True)
class UpstreamView:
    """What an environment reads of others (with what became of each read), and who reads it."""

    reads: tuple[ReadStatus, ...]
    readers: tuple[Reader, ...]

    @property
    def changed(self) -> bool:
        """Whether a producer changed (or went) since this environment was applied."""
        return any(r.change != "unchanged" for r in self.reads)


class UpstreamReader:
    """What environments read of each other, read from the store (one transaction per question)."""

    def __init__(self, catalog: CatalogService) -> None:
        self._catalog = catalog

    def outputs(self, tx: Transaction, name: str) -> UpstreamOutputs | None:
        return producer_outputs(tx, self._catalog, name)

    def status(self, tx: Transaction, env: EnvironmentRecord) -> UpstreamView:
        """What `env` reads (and whether each producer changed since it was applied), and who reads it."""
        reads = []
        producers: dict[str, UpstreamOutputs | None] = {}
        for dependency in tx.environments.dependencies(env.name):
            if dependency.producer not in producers:
                producers[dependency.producer] = self.outputs(tx, dependency.producer)
            producer = producers[dependency.producer]
            values = producer.values if producer is not None and producer.applied else None
            found = tx.environments.get(dependency.producer)
            reads.append(ReadStatus(dependency, compare(dependency.read, values), found.status if found else "gone"))
        readers = []
        for dependency in tx.environments.dependents(env.name):
            consumer = tx.environments.get(dependency.consumer)
            readers.append(Reader(dependency, consumer.team if consumer else ""))
        return UpstreamView(tuple(reads), tuple(readers))
