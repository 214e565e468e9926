"""Previews: what a component waiting on another's outputs was reviewed as, and how an apply-time plan departs.

A component whose inputs are outputs of components not applied yet is planned for the proposal
with those inputs "known after apply" (a preview). What the reviewer saw of it is a
:class:`Reviewed`: its resource addresses and actions, its deny and warn findings and its monthly
cost. At apply time it is planned with the real outputs; :func:`departures` says, in words, how
that plan leaves what was reviewed (empty when it keeps to it).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from infraplane.core.diff import ResourceDiff
from infraplane.core.plan import NormalizedPlan
from infraplane.core.policy import Finding

__all__ = ["UNCHECKED_RULE", "Reviewed", "departures", "unchecked_findings"]

# The rule id of the findings a preview adds for what no policy could check.
UNCHECKED_RULE = "preview.known-after-apply"
# An apply-time monthly cost may exceed the reviewed one by less than both of these.
COST_TOLERANCE_USD = 1.0
COST_TOLERANCE_RATIO = 0.01


def _top_attribute(path: str) -> str:
    return path.split(".", 1)[0].split("[", 1)[0]


def unchecked_findings(component: str, plan: NormalizedPlan, waits_for: Mapping[str, str]) -> tuple[Finding, ...]:
    """A warn finding per resource whose attributes come from an input still unknown (`waits_for`: input -> what
    it waits for, e.g. `vpc_id` -> `network.vpc_id`): no policy could check those values in the preview."""
    findings = []
    for change in plan.managed_changes():
        if not (change.is_create or "update" in change.actions):
            continue
        unknown_after = change.after_unknown if isinstance(change.after_unknown, Mapping) else {}
        found: dict[str, set[str]] = {}
        for path, expression in change.expressions.items():
            attribute = _top_attribute(path)
            for reference in expression.references:
                name = reference.removeprefix("var.").split(".", 1)[0].split("[", 1)[0]
                if reference.startswith("var.") and name in waits_for and unknown_after.get(attribute):
                    found.setdefault(attribute, set()).add(waits_for[name])
        if not found:
            continue
        attributes = sorted(found)
        sources = sorted(set().union(*found.values()))
        findings.append(
            Finding(
                rule=UNCHECKED_RULE,
                severity="warn",
                address=change.address,
                message=(
                    f"{', '.join(attributes)} known only after {', '.join(sources)} is applied: "
                    "no policy could check this value in the preview"
                ),
                remediation=(
                    "nothing to do now: the component is planned with the real value and checked again before it "
                    "is applied, and any new finding sends the proposal back for decision"
                ),
                attribute=",".join(attributes),
                component=component,
            )
        )
    return tuple(findings)


@dataclass(frozen=True)
class Reviewed:
    """What a reviewer saw of one component's plan: resources and actions, findings, monthly cost (USD)."""

    resources: tuple[tuple[str, str], ...]
    findings: tuple[tuple[str, str, str], ...]
    monthly_cost: float | None

    @staticmethod
    def of(
        component: str, diffs: Iterable[ResourceDiff], findings: Iterable[Finding], monthly_cost: float | None
    ) -> Reviewed:
        """From a plan's (or a proposal's) diff and findings, keeping this component's; unchecked ones left out."""
        return Reviewed(
            tuple(sorted((d.address, d.action) for d in diffs if d.component == component)),
            tuple(
                sorted(
                    (f.severity, f.rule, f.address)
                    for f in findings
                    if f.component == component and f.rule != UNCHECKED_RULE
                )
            ),
            monthly_cost,
        )


def departures(reviewed: Reviewed, planned: Reviewed) -> list[str]:
    """How `planned` leaves `reviewed`, one sentence each; empty when nothing the reviewer approved changed.

    Fewer findings or a lower cost is no departure; a resource, an action, a new deny or warn, or a
    cost above the reviewed one by $1 or 1% is.
    """
    found: list[str] = []
    before, after = dict(reviewed.resources), dict(planned.resources)
    for address in sorted(after.keys() - before.keys()):
        found.append(f"{address} would be {_done(after[address])}, which the preview did not show")
    for address in sorted(before.keys() - after.keys()):
        found.append(f"{address} was to be {_done(before[address])} in the preview, and is not planned now")
    for address in sorted(before.keys() & after.keys()):
        if before[address] != after[address]:
            found.append(f"{address}: {before[address]} in the preview, {after[address]} now")
    for severity, rule, address in sorted(set(planned.findings) - set(reviewed.findings)):
        found.append(f"new {severity} finding {rule} at {address}")
    if planned.monthly_cost is not None:
        approved = reviewed.monthly_cost
        if approved is None:
            if planned.monthly_cost > COST_TOLERANCE_USD:
                found.append(f"costs ${planned.monthly_cost:.2f}/month; the preview could not price it")
        elif planned.monthly_cost - approved > min(COST_TOLERANCE_USD, COST_TOLERANCE_RATIO * approved):
            found.append(f"costs ${planned.monthly_cost:.2f}/month, ${approved:.2f} in the preview")
    return found


def _done(action: str) -> str:
    return {"create": "created", "update": "updated", "delete": "destroyed", "replace": "replaced"}.get(action, action)
