"""What a reviewer reads: the diff, blast radius, dependency warnings and cost of a plan or a destroy."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

from infraplane.core.cost import CostReport
from infraplane.core.diff import ResourceDiff, plan_diff, priced, state_diff
from infraplane.core.graph import ComponentGraph
from infraplane.core.proposals import BlastRadius, ComponentChange, CostDelta
from infraplane.core.records import ComponentRecord
from infraplane.core.state import TerraformState
from infraplane.core.upstream import Dependency, consumer_impacts
from infraplane.services.orchestration.plans import EnvironmentPlan

__all__ = [
    "component_changes",
    "cost_delta",
    "destroy_cost",
    "destroy_review",
    "other_environments",
    "outputs_after",
    "plan_documents",
    "plan_review",
]

CLASSIFIED = {"confidential", "restricted"}


def component_changes(plan: EnvironmentPlan, sha256: Mapping[str, str]) -> tuple[ComponentChange, ...]:
    changes = []
    for component in plan.resolution.graph.components:
        item = plan.components[component.name]
        add, change, destroy = item.counts()
        changes.append(
            ComponentChange(
                name=item.name,
                blueprint=component.ref,
                digest=component.digest,
                status=item.status,
                reason=item.reason,
                add=add,
                change=change,
                destroy=destroy,
                plan_sha256=sha256.get(item.name, ""),
                state_serial=item.state[0] if item.state else None,
                state_lineage=item.state[1] if item.state else "",
                stale=item.stale,
                output_changes=item.summary.output_changes if item.summary else 0,
                fingerprint=item.fingerprint or "",
                previewed=item.previewed,
                monthly_cost=round(float(item.cost.total_after), 2) if item.cost and item.reviewable else None,
                replace=item.replace,
                drifted=item.drifted,
            )
        )
    return tuple(changes)


def _downstream(graph: ComponentGraph, changed: set[str]) -> tuple[str, ...]:
    dependents = graph.dependents()
    reached: set[str] = set()
    todo = list(changed)
    while todo:
        for dependent in dependents.get(todo.pop(), set()):
            if dependent not in reached:
                reached.add(dependent)
                todo.append(dependent)
    return tuple(sorted(reached - changed))


def _classified(graph: ComponentGraph) -> set[str]:
    return {
        c.name
        for c in graph.components
        if c.blueprint.spec.compliance.get("data_classification", "").lower() in CLASSIFIED
    }


def plan_review(plan: EnvironmentPlan) -> tuple[list[ResourceDiff], BlastRadius, list[str]]:
    """The diff of every planned component, what it reaches, and the warnings a reviewer needs."""
    graph = plan.resolution.graph
    diffs: list[ResourceDiff] = []
    warnings: list[str] = []
    changed: set[str] = set()
    readers: dict[str, list[tuple[str, str]]] = {}
    for component in graph.components:
        for ref in component.output_refs().values():
            readers.setdefault(ref.component, []).append((component.name, ref.output))
    for component in graph.components:
        item = plan.components[component.name]
        if not item.reviewable:
            continue
        if item.summary is None or item.summary.has_changes or item.stale or item.previewed:
            changed.add(item.name)
        normalized = item.plan
        if normalized is None:
            continue
        diffs += priced(plan_diff(item.name, normalized), item.cost)
        moving = {n for n, actions in normalized.output_changes.items() if tuple(actions) not in (("no-op",), ())}
        for reader, output in readers.get(item.name, []):
            if output in moving and plan.components[reader].status != "waits":
                warnings.append(f"{item.name}: output {output} changes, and {reader} reads it")
    return diffs, BlastRadius.of(diffs, _classified(graph), _downstream(graph, changed)), sorted(set(warnings))


def plan_documents(plan: EnvironmentPlan) -> dict[str, bytes]:
    """Each reviewed component's plan JSON as its runner wrote it (sensitive values scrubbed), for policy replay.

    A runner that makes no plan document (Ansible, scripts) has none; a preview's is the preview's.
    """
    documents = {}
    for item in plan.components.values():
        path = item.summary.plan_json if item.summary is not None and item.reviewable else None
        if path is not None and path.is_file():
            documents[item.name] = path.read_bytes()
    return documents


def destroy_review(
    graph: ComponentGraph | None, states: Mapping[str, TerraformState], costs: Mapping[str, CostReport]
) -> tuple[list[ResourceDiff], BlastRadius]:
    """Destroying: every resource in every component's state goes (with what each costs now, when known)."""
    diffs: list[ResourceDiff] = []
    for component, state in states.items():
        diffs += priced(state_diff(component, state), costs.get(component))
    classified = _classified(graph) if graph is not None else set()
    return diffs, BlastRadius.of(diffs, classified, ())


def outputs_after(plan: EnvironmentPlan, current: Iterable[ComponentRecord]) -> tuple[dict[str, Any], set[str]]:
    """The outputs the environment would expose after the plan: known values, and names known only after apply.

    An exposed output no longer in the plan's resolution is in neither: it is removed.
    """
    recorded = {c.name: c for c in current if c.status != "destroyed"}
    known: dict[str, Any] = {}
    unknown: set[str] = set()
    for name, ref in plan.resolution.outputs.items():
        item = plan.components.get(ref.component)
        if item is None:
            continue
        if item.status == "unchanged":
            record = recorded.get(ref.component)
            if record is not None and ref.output in record.outputs:
                known[name] = record.outputs[ref.output]
            else:
                unknown.add(name)
        elif item.status == "planned" and item.plan is not None:
            if ref.output in item.plan.unknown_outputs:
                unknown.add(name)
            elif ref.output in item.plan.planned_outputs:
                known[name] = item.plan.planned_outputs[ref.output]
        else:
            unknown.add(name)  # waiting on outputs, or planned by a runner that cannot tell its outputs
    return known, unknown


def other_environments(
    radius: BlastRadius,
    dependents: Iterable[Dependency],
    after: Mapping[str, Any] | None,
    unknown: Iterable[str] = (),
) -> tuple[BlastRadius, list[str]]:
    """The blast radius with the environments reading this one that the change touches, and their warnings."""
    impacts = consumer_impacts(dependents, after, unknown)
    names = tuple(sorted({i.environment for i in impacts}))
    return replace(radius, other_environments=names, consumers=impacts), [i.describe() for i in impacts]


def _gap(report: CostReport | None) -> str:
    """Why a component's report leaves something out of the totals; "" when every resource is in them."""
    if report is None:
        return "no cost estimate for its runner"
    if report.unpriced:
        return f"{len(report.unpriced)} of {len(report.resources)} resources unpriced"
    return ""


def cost_delta(plan: EnvironmentPlan) -> CostDelta | None:
    """Monthly cost before and after over the planned components that could be priced, with what it covers.

    A component that waits on another's outputs is priced from its preview; one that could not be
    previewed is "not planned yet", never $0.
    """
    summary = plan.cost_summary()
    priced: list[str] = []
    unpriced: list[tuple[str, str]] = []
    for component in plan.resolution.graph.components:
        item = plan.components[component.name]
        if item.status == "waits" and not item.previewed:
            why = f"; {item.not_previewed}" if item.not_previewed else ""
            unpriced.append((item.name, f"not planned yet: waits on outputs{why}"))
        elif item.status == "unchanged":
            unpriced.append((item.name, "unchanged (not counted)"))
        elif gap := _gap(item.cost):
            unpriced.append((item.name, gap))
        else:
            priced.append(item.name)
    before, after = (summary["before"], summary["after"]) if summary else (0.0, 0.0)
    return CostDelta(before, after, len(plan.components), tuple(priced), tuple(unpriced))


def destroy_cost(current: Mapping[str, CostReport]) -> CostDelta | None:
    """Destroying: today's monthly cost of every priced component goes to zero."""
    if not current:
        return None
    priced = tuple(n for n, r in current.items() if not _gap(r))
    unpriced = tuple((n, _gap(r)) for n, r in current.items() if _gap(r))
    return CostDelta(sum(float(r.total_after) for r in current.values()), 0.0, len(current), priced, unpriced)
