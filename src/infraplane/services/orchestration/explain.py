"""Plain-language summaries: why a component is planned, what failed, what a decision keeps."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from infraplane.core.graph import ResolvedComponent
from infraplane.core.policy import PolicyDecision
from infraplane.core.records import ComponentRecord
from infraplane.services.orchestration.executor import GraphOutcome

__all__ = ["decision_summary", "outcome_error", "why_planned"]


def outcome_error(outcome: GraphOutcome) -> str:
    parts = [f"{name}: {error}" for name, error in outcome.errors.items()]
    skipped = sorted(outcome.skipped_because.items())
    if skipped:
        parts.append("not started: " + ", ".join(f"{n} (needs {b})" for n, b in skipped))
    return "; ".join(parts)


def decision_summary(decision: PolicyDecision) -> dict[str, Any]:
    """What an audit event keeps of a decision: bundles and findings, never attribute values."""
    return {
        "bundles": [b.as_dict() for b in decision.bundles],
        "denied": decision.denied,
        "findings": [
            {"rule": f.rule, "severity": f.severity, "address": f.address, "component": f.component}
            for f in decision.findings
        ],
    }


def why_planned(
    previous: ComponentRecord | None,
    component: ResolvedComponent,
    values: Mapping[str, Any],
    context: Mapping[str, str],
) -> str:
    if previous is None:
        return "new component"
    if previous.status != "applied":
        return f"last run ended {previous.status}"
    reasons = []
    if previous.blueprint != component.ref:
        reasons.append(f"blueprint {previous.blueprint} -> {component.ref}")
    elif previous.digest != component.digest:
        reasons.append("blueprint content changed")
    changed = sorted(k for k in set(values) | set(previous.inputs) if values.get(k) != previous.inputs.get(k))
    if changed:
        reasons.append("inputs changed: " + ", ".join(changed))
    if dict(context) != dict(previous.context):
        reasons.append("context changed")
    return "; ".join(reasons) or "re-planning on request"
