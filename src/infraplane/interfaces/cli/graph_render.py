"""Rendering a component graph as text, Mermaid or Graphviz dot."""

from __future__ import annotations

from collections.abc import Mapping, Set

from infraplane.core.dag import topological_order

__all__ = ["render_graph"]


def render_graph(name: str, dependencies: Mapping[str, Set[str]], status: Mapping[str, str], output_format: str) -> str:
    order = topological_order(dependencies)
    if output_format == "mermaid":
        lines = ["graph LR"]
        lines += [f'  {n.replace("-", "_")}["{n} ({status.get(n, "")})"]' for n in order]
        lines += [f"  {d.replace('-', '_')} --> {n.replace('-', '_')}" for n in order for d in sorted(dependencies[n])]
        return "\n".join(lines)
    if output_format == "dot":
        lines = [f'digraph "{name}" {{', "  rankdir=LR;"]
        lines += [f'  "{n}" [label="{n}\\n{status.get(n, "")}"];' for n in order]
        lines += [f'  "{d}" -> "{n}";' for n in order for d in sorted(dependencies[n])]
        return "\n".join([*lines, "}"])
    lines = [name]
    for n in order:
        needs = sorted(dependencies[n])
        lines.append(f"  {n} [{status.get(n, '')}]" + (f"  <- {', '.join(needs)}" if needs else ""))
    return "\n".join(lines)
