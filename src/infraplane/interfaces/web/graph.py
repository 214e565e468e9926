"""A component graph as SVG: columns by dependency depth, edges labelled with the outputs carried."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from infraplane.core.records import ComponentRecord

__all__ = ["Edge", "Graph", "Node", "layout"]

NODE_W, NODE_H, GAP_X, GAP_Y, PAD = 170, 48, 90, 34, 20


@dataclass(frozen=True)
class Node:
    name: str
    blueprint: str
    status: str
    x: int
    y: int


@dataclass(frozen=True)
class Edge:
    source: Node
    target: Node
    label: str

    @property
    def x1(self) -> int:
        return self.source.x + NODE_W

    @property
    def y1(self) -> int:
        return self.source.y + NODE_H // 2

    @property
    def x2(self) -> int:
        return self.target.x

    @property
    def y2(self) -> int:
        return self.target.y + NODE_H // 2


@dataclass(frozen=True)
class Graph:
    nodes: list[Node]
    edges: list[Edge]
    width: int
    height: int
    node_w: int = NODE_W
    node_h: int = NODE_H


def _carried(source: ComponentRecord, target: ComponentRecord) -> str:
    """Which of `source`'s outputs reach `target`'s inputs (by name only, so a sensitive value is never shown)."""
    given = json.dumps(dict(target.inputs), sort_keys=True, default=str)
    names = [
        name
        for name, value in source.outputs.items()
        if value not in (None, "", [], {}) and json.dumps(value, default=str).strip('"') in given
    ]
    return ", ".join(sorted(names)) or "feeds"


def layout(components: Sequence[ComponentRecord]) -> Graph:
    """Each component in the column of its dependency depth; edges from a dependency to its dependent."""
    by_name = {c.name: c for c in components}
    depth: dict[str, int] = {}

    def depth_of(name: str, seen: frozenset[str] = frozenset()) -> int:
        if name in depth:
            return depth[name]
        deps = [d for d in by_name[name].depends_on if d in by_name and d not in seen]
        depth[name] = 1 + max((depth_of(d, seen | {name}) for d in deps), default=-1)
        return depth[name]

    columns: dict[int, list[str]] = {}
    for c in components:
        columns.setdefault(depth_of(c.name), []).append(c.name)
    nodes: dict[str, Node] = {}
    for col, names in columns.items():
        for row, name in enumerate(sorted(names)):
            c = by_name[name]
            nodes[name] = Node(name, c.blueprint, c.status, PAD + col * (NODE_W + GAP_X), PAD + row * (NODE_H + GAP_Y))
    edges = [
        Edge(nodes[d], nodes[c.name], _carried(by_name[d], c)) for c in components for d in c.depends_on if d in nodes
    ]
    width = PAD * 2 + max(len(columns), 1) * (NODE_W + GAP_X) - GAP_X
    height = PAD * 2 + max((len(v) for v in columns.values()), default=1) * (NODE_H + GAP_Y) - GAP_Y
    return Graph(list(nodes.values()), edges, width, height)
