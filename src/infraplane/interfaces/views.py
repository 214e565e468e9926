"""How environments read outside the process (CLI --json, MCP): one shape everywhere, secrets masked."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from infraplane.core.cost import CostReport
from infraplane.core.proposal_lifecycle import OPEN_STATUSES
from infraplane.core.proposals import Proposal, cost_coverage, cost_delta_text, unpriced_text
from infraplane.core.records import ComponentRecord, EnvironmentRecord, RevisionRecord
from infraplane.services.environments.upstream import UpstreamView

__all__ = [
    "cost_coverage",
    "cost_delta_text",
    "environment_cost",
    "environment_detail",
    "environment_summary",
    "proposal_summary",
    "revision_rows",
    "unpriced_text",
    "upstream_view",
]


def environment_summary(env: EnvironmentRecord, components: Sequence[ComponentRecord]) -> dict[str, Any]:
    """One line of `env list`."""
    return {
        "name": env.name,
        "team": env.team,
        "tier": env.tier,
        "status": env.status,
        "blueprint": env.blueprint,
        "revision": env.current_revision,
        "components": len([c for c in components if c.status != "destroyed"]),
    }


def environment_detail(env: EnvironmentRecord, components: Sequence[ComponentRecord]) -> dict[str, Any]:
    """`env show`: the record and every component, outputs with sensitive values masked."""
    return {
        "name": env.name,
        "team": env.team,
        "tier": env.tier,
        "owner": env.owner,
        "blueprint": env.blueprint,
        "target": env.target,
        "status": env.status,
        "error": env.error,
        "ttl": env.ttl,
        "revision": env.current_revision,
        "components": [
            {
                "name": c.name,
                "blueprint": c.blueprint,
                "digest": c.digest,
                "runner": c.runner,
                "status": c.status,
                "depends_on": list(c.depends_on),
                "outputs": c.masked_outputs(),
                "error": c.error,
                "updated_at": c.updated_at,
            }
            for c in components
        ],
    }


def upstream_view(
    view: UpstreamView, proposals: Sequence[Proposal], sees: Callable[[str], bool] = lambda team: True
) -> dict[str, Any]:
    """What an environment reads of others (and whether they changed since it was applied), and who reads it.

    A reader of a team the viewer may not see is counted, never named. `update_proposals` are the open
    proposals the system made after a producer changed.
    """
    open_updates = [p.id for p in proposals if p.extra.get("upstream") and p.status in OPEN_STATUSES]
    shown = [r for r in view.readers if sees(r.team)]
    return {
        "upstream_changed": view.changed,
        "reads": [r.as_dict() for r in view.reads],
        "update_proposals": open_updates,
        "read_by": [
            {"environment": r.dependency.consumer, "output": r.dependency.read.output, "field": r.dependency.read.field}
            for r in shown
        ],
        "read_by_others": len(view.readers) - len(shown),
    }


def environment_cost(reports: Mapping[str, CostReport], components: Sequence[ComponentRecord]) -> dict[str, Any]:
    """What an environment costs now (from its components' states), and which components that covers."""
    alive = [c for c in components if c.status != "destroyed"]
    priced: list[str] = []
    unpriced: list[tuple[str, str]] = []
    total = 0.0
    for component in alive:
        report = reports.get(component.name)
        if report is None:
            unpriced.append((component.name, f"no cost estimate for the {component.runner} runner"))
            continue
        total += float(report.total_after)
        if report.unpriced:
            unpriced.append((component.name, f"{len(report.unpriced)} of {len(report.resources)} resources unpriced"))
        else:
            priced.append(component.name)
    return {
        "monthly": round(total, 2),
        "components": len(alive),
        "priced": priced,
        "unpriced": [{"component": n, "reason": r} for n, r in unpriced],
        "text": f"${total:,.2f}/month {cost_coverage(len(alive), priced, unpriced)}",
    }


def proposal_summary(p: Proposal) -> dict[str, Any]:
    """One line of `proposal list`."""
    return {
        "id": p.id,
        "environment": p.environment,
        "team": p.team,
        "kind": p.kind,
        "status": p.status.value,
        "tier": p.tier,
        "actor": str(p.actor),
        "created_at": p.created_at,
        "decision": p.decision.outcome,
        "rule": p.decision.rule,
    }


def revision_rows(
    env: EnvironmentRecord, revisions: Sequence[RevisionRecord], proposals: Sequence[Proposal]
) -> list[dict[str, Any]]:
    """`env history`: every revision (exact blueprint versions), with the proposal that applied it."""
    applied = {p.applied_revision: p for p in proposals if p.applied_revision}
    rows = []
    for r in revisions:
        proposal = applied.get(r.number)
        rows.append(
            {
                "revision": r.number,
                "current": r.number == env.current_revision,
                "created_at": r.created_at,
                "created_by": r.created_by,
                "blueprint": r.document.get("blueprint"),
                "pins": r.document.get("pins", {}),
                "components": [
                    {"name": c["name"], "blueprint": c["blueprint"]} for c in r.document.get("components", [])
                ],
                "proposal": proposal.id if proposal else None,
                "kind": proposal.kind if proposal else None,
                "proposed_by": str(proposal.actor) if proposal else None,
                "justification": proposal.justification if proposal else None,
                "approved_by": [a.approver for a in proposal.approvals if a.plan_digest == proposal.plan_digest]
                if proposal
                else [],
            }
        )
    return rows
