"""Proposals built straight from the core types: without a plan (lifecycle, deciding), or from real plans.

`proposal_from_plans` and `destroy_from_states` make a proposal the way the drafter does
(services/proposals/drafting.py) from real Terraform plan JSON and state fixtures: the diff, the
built-in guardrails' findings, the cost from the packaged price table and the built-in approval rules'
decision; only the graph (downstream components) is given by the test.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path

from infraplane.adapters.policy.bundles import load_bundle
from infraplane.adapters.policy.engine import RegoEngine
from infraplane.core.approval import decide
from infraplane.core.audit import Actor, utc_timestamp
from infraplane.core.cost import estimate
from infraplane.core.diff import plan_diff, priced, state_diff
from infraplane.core.plan import normalize_plan
from infraplane.core.policy import plan_input
from infraplane.core.preview import unchecked_findings
from infraplane.core.proposal_lifecycle import ProposalStatus, initial_status
from infraplane.core.proposals import BlastRadius, ComponentChange, CostDelta, Proposal, approval_document
from infraplane.core.state import parse_state, state_plan
from tests.support.cost_plans import packaged_table

START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
ALICE = Actor("human", "alice")
PROD_RULE = {"rule": "APR-002", "count": 2, "group": "platform-team", "reason": "prod changes need the platform team"}


def build_proposal(
    proposal_id: str = "p-0123456789",
    status: ProposalStatus = ProposalStatus.PENDING,
    expires_in: timedelta = timedelta(hours=1),
    rules: tuple[Mapping[str, object], ...] = (PROD_RULE,),
) -> Proposal:
    """A prod create proposal by alice, made at START, decided by `rules`, with plan digest `sha256:plan-1`."""
    return Proposal(
        id=proposal_id,
        environment="orders-prod",
        team="shop",
        tier="prod",
        kind="create",
        status=status,
        actor=Actor("human", "alice"),
        justification="orders need a queue",
        created_at=utc_timestamp(START),
        expires_at=utc_timestamp(START + expires_in),
        base_revision=0,
        document={},
        components=(),
        diff=(),
        findings=(),
        cost=None,
        blast_radius=BlastRadius(),
        warnings=(),
        decision=decide(rules, [], ["infraplane-approval@1.0.0"]),
        plan_digest="sha256:plan-1",
    )


# -- proposals made from real Terraform plans and states ------------------------------------------

REPO = Path(__file__).resolve().parents[2]
PLANS = REPO / "tests" / "fixtures" / "plans"
STATES = REPO / "tests" / "fixtures" / "states"


@dataclass(frozen=True)
class Planned:
    """One component of a proposal made from a real plan JSON fixture (a path under tests/fixtures/plans)."""

    name: str
    blueprint: str
    plan: str | None = None  # None: not planned (waits on outputs, or unchanged)
    previewed: bool = False
    waits_for: Mapping[str, str] = field(default_factory=dict)  # input -> what it waits for, for a preview
    classified: bool = False
    unchanged: bool = False


@cache
def _policies() -> tuple[RegoEngine, RegoEngine]:
    """The built-in guardrails and approval rules, compiled once per test session."""
    root = REPO / "src" / "infraplane" / "policies"
    return (
        RegoEngine([load_bundle(root / "infraplane-baseline")]),
        RegoEngine([load_bundle(root / "infraplane-approval")]),
    )


def _decided(proposal: Proposal) -> Proposal:
    """The proposal as the built-in approval rules decide it, from the document the drafter hands them."""
    document = approval_document(
        kind=proposal.kind,
        environment=proposal.environment,
        team=proposal.team,
        tier=proposal.tier,
        actor=proposal.actor,
        cost=proposal.cost,
        radius=proposal.blast_radius,
        findings=proposal.findings,
        warnings=proposal.warnings,
    )
    requires, blocks, used = _policies()[1].approval_entries(document, proposal.tier, proposal.team, "")
    decision = decide(requires, blocks, used)
    return replace(proposal, decision=decision, status=initial_status(decision.outcome))


def proposal_from_plans(
    *,
    kind: str,
    environment: str,
    team: str,
    tier: str,
    blueprint: str,
    components: tuple[Planned, ...],
    actor: Actor = ALICE,
    downstream: tuple[str, ...] = (),
    warnings: tuple[str, ...] = (),
    proposal_id: str = "p-0123456789",
) -> Proposal:
    """A proposal as the drafter makes one from these real plans: diff, guardrail findings, cost, decision."""
    table = packaged_table()
    baseline = _policies()[0]
    changes, diffs, findings = [], [], []
    before = after = 0.0
    covered, unpriced = [], []
    for component in components:
        if component.unchanged:
            changes.append(ComponentChange(component.name, component.blueprint, "", "unchanged", "unchanged", 0, 0, 0))
            unpriced.append((component.name, "unchanged (not counted)"))
            continue
        if component.plan is None:
            changes.append(ComponentChange(component.name, component.blueprint, "", "waits", "waits on outputs"))
            unpriced.append((component.name, "not planned yet: waits on outputs"))
            continue
        plan = normalize_plan(json.loads((PLANS / component.plan).read_text(encoding="utf-8")))
        report = estimate(plan, table)
        before, after = before + float(report.total_before), after + float(report.total_after)
        (
            unpriced.append((component.name, f"{len(report.unpriced)} resources unpriced"))
            if report.unpriced
            else covered.append(component.name)
        )
        add = sum(1 for c in plan.managed_changes() if c.is_create)
        change = sum(1 for c in plan.managed_changes() if c.actions == ("update",))
        destroy = sum(1 for c in plan.managed_changes() if c.is_delete)
        changes.append(
            ComponentChange(
                component.name,
                component.blueprint,
                "",
                "waits" if component.previewed else "planned",
                "new component",
                add,
                change,
                destroy,
                previewed=component.previewed,
                monthly_cost=round(float(report.total_after), 2),
            )
        )
        diffs += priced(plan_diff(component.name, plan), report)
        context = {"name": environment, "team": team, "tier": tier, "owner": team}
        name = component.blueprint.split("@")[0]
        document = plan_input(plan, context, {"name": component.name, "blueprint": name}, {})
        decision = baseline.evaluate("plan", document, tier, team, name)
        findings += [replace(f, component=component.name) for f in decision.findings]
        if component.previewed:
            findings += unchecked_findings(component.name, plan, component.waits_for)
    cost = CostDelta(before, after, len(components), tuple(covered), tuple(unpriced))
    radius = BlastRadius.of(diffs, {c.name for c in components if c.classified}, downstream)
    ordered = tuple(sorted(findings, key=lambda f: (f.severity != "deny", f.rule, f.component, f.address)))
    return _decided(
        replace(
            build_proposal(proposal_id),
            environment=environment,
            team=team,
            tier=tier,
            kind=kind,
            actor=actor,
            justification="",
            expires_at=utc_timestamp(START + timedelta(hours=72)),
            document={"blueprint": blueprint},
            components=tuple(changes),
            diff=tuple(diffs),
            findings=ordered,
            cost=cost,
            blast_radius=radius,
            warnings=warnings,
        )
    )


def destroy_from_states(
    *,
    environment: str,
    team: str,
    tier: str,
    blueprint: str,
    states: Mapping[str, str],
    actor: Actor = ALICE,
    proposal_id: str = "p-0123456789",
) -> Proposal:
    """A destroy proposal as the drafter makes one from these real Terraform states (component -> state file)."""
    table = packaged_table()
    diffs, changes, reports = [], [], {}
    for name, path in states.items():
        state = parse_state((STATES / path).read_bytes())
        reports[name] = estimate(state_plan(state), table)
        diffs += priced(state_diff(name, state), reports[name])
        changes.append(
            ComponentChange(
                name,
                "",
                "",
                "destroy",
                "destroy the environment",
                destroy=len(state.managed_instances()),
                state_serial=state.serial,
                state_lineage=state.lineage,
            )
        )
    before = sum(float(r.total_after) for r in reports.values())
    cost = CostDelta(
        before,
        0.0,
        len(reports),
        tuple(n for n, r in reports.items() if not r.unpriced),
        tuple((n, "resources unpriced") for n, r in reports.items() if r.unpriced),
    )
    radius = BlastRadius.of(diffs, set(), ())
    return _decided(
        replace(
            build_proposal(proposal_id),
            environment=environment,
            team=team,
            tier=tier,
            kind="destroy",
            actor=actor,
            justification="",
            expires_at=utc_timestamp(START + timedelta(hours=72)),
            base_revision=1,
            document={"blueprint": blueprint},
            components=tuple(changes),
            diff=tuple(diffs),
            cost=cost,
            blast_radius=radius,
        )
    )
