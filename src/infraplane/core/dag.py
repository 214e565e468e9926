"""Dependency graphs of components: ordering and cycle detection."""

from __future__ import annotations

from collections.abc import Mapping, Set
from graphlib import CycleError, TopologicalSorter

__all__ = ["CycleFound", "find_cycle", "topological_order"]


class CycleFound(ValueError):
    """The graph has a cycle; `cycle` lists it with the first node repeated at the end."""

    def __init__(self, cycle: list[str]) -> None:
        super().__init__("cycle: " + " -> ".join(cycle))
        self.cycle = cycle


def topological_order(dependencies: Mapping[str, Set[str]]) -> list[str]:
    """Nodes so that each comes after what it depends on; raises CycleFound."""
    sorter: TopologicalSorter[str] = TopologicalSorter()
    for node in sorted(dependencies):
        sorter.add(node, *sorted(dependencies[node]))
    try:
        return list(sorter.static_order())
    except CycleError as exc:
        # graphlib reports the cycle as [a, b, ..., a] in dependency direction; show it as "a needs b".
        cycle = list(reversed(exc.args[1]))
        raise CycleFound(cycle) from None


def find_cycle(dependencies: Mapping[str, Set[str]]) -> list[str] | None:
    """The first cycle found, or None."""
    try:
        topological_order(dependencies)
    except CycleFound as exc:
        return exc.cycle
    return None
