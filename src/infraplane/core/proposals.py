"""Proposals: every change to an environment, with its plans, checks, decision, approvals and result.

A proposal's status changes only through `Proposal.transition`, which checks the
lifecycle's transition table (`core/proposal_lifecycle.py`). Auto-approved
proposals start as `approved`. Approvals bind to `plan_digest`; re-planning
changes the digest, which leaves the old approvals behind.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from infraplane.core.approval import Approval, ApprovalDecision, approval_input
from infraplane.core.audit import Actor
from infraplane.core.diff import ResourceDiff
from infraplane.core.policy import Finding
from infraplane.core.proposal_lifecycle import ProposalStatus, TransitionName, check_transition
from infraplane.core.upstream import ConsumerImpact

__all__ = [
    "BlastRadius",
    "ComponentChange",
    "CostDelta",
    "Proposal",
    "ProposalKind",
    "ProposalStatus",
    "approval_document",
    "cost_coverage",
    "cost_delta_text",
    "unpriced_text",
]

# `advisor`: an input change (a size, a count) or a TTL an advisor recommends (services/advisors); applied as an update.
# `drift-revert` applies the code again; `drift-accept` keeps drifted values as inputs (services/drift_remediation).
ProposalKind = Literal["create", "update", "upgrade", "destroy", "rollback", "advisor", "drift-revert", "drift-accept"]


@dataclass(frozen=True)
class ComponentChange:
    """One component's part of a proposal: what its saved plan does and which state it was made against."""

    name: str
    blueprint: str
    digest: str
    status: Literal["planned", "unchanged", "waits", "destroy"]
    reason: str
    add: int | None = None
    change: int | None = None
    destroy: int | None = None
    plan_sha256: str = ""
    state_serial: int | None = None
    state_lineage: str = ""
    stale: bool = False
    output_changes: int = 0
    fingerprint: str = ""
    # Waiting on outputs, it was planned with them "known after apply": the counts, the proposal's diff and
    # findings of this component and `monthly_cost` are that preview's, which its apply-time plan must keep to.
    previewed: bool = False
    monthly_cost: float | None = None
    # Resources its plan replaces because applying the code again would keep their drift (a drift revert).
    replace: tuple[str, ...] = ()
    # Its plan found drift: applied even without resource changes, so the state takes the cloud's values.
    drifted: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "replace": list(self.replace),
            "drifted": self.drifted,
            "fingerprint": self.fingerprint,
            "previewed": self.previewed,
            "monthly_cost": self.monthly_cost,
            "name": self.name,
            "blueprint": self.blueprint,
            "digest": self.digest,
            "status": self.status,
            "reason": self.reason,
            "add": self.add,
            "change": self.change,
            "destroy": self.destroy,
            "plan_sha256": self.plan_sha256,
            "state_serial": self.state_serial,
            "state_lineage": self.state_lineage,
            "stale": self.stale,
            "output_changes": self.output_changes,
        }

    @staticmethod
    def from_dict(data: Mapping[str, Any]) -> ComponentChange:
        fields = {k: data[k] for k in ComponentChange.__dataclass_fields__ if k in data}
        if "replace" in fields:
            fields["replace"] = tuple(fields["replace"])
        return ComponentChange(**fields)


@dataclass(frozen=True)
class BlastRadius:
    """What else a proposal touches: resources destroyed or replaced, dependents inside and outside.

    `other_environments` names the environments reading this one's outputs whose reads would be
    removed, change type or value (or be known only after apply); `consumers` says which read and how.
    """

    destroyed: tuple[str, ...] = ()
    replaced: tuple[str, ...] = ()
    downstream_components: tuple[str, ...] = ()
    other_environments: tuple[str, ...] = ()
    data_at_risk: tuple[str, ...] = ()
    consumers: tuple[ConsumerImpact, ...] = ()

    @property
    def breaking_environments(self) -> tuple[str, ...]:
        """The other environments whose reads would be removed or change type."""
        return tuple(sorted({c.environment for c in self.consumers if c.breaks}))

    def as_dict(self) -> dict[str, Any]:
        return {
            "destroyed": list(self.destroyed),
            "replaced": list(self.replaced),
            "downstream_components": list(self.downstream_components),
            "other_environments": list(self.other_environments),
            "data_at_risk": list(self.data_at_risk),
            "consumers": [c.as_dict() for c in self.consumers],
        }

    @staticmethod
    def from_dict(data: Mapping[str, Any]) -> BlastRadius:
        names = ("destroyed", "replaced", "downstream_components", "other_environments", "data_at_risk")
        return BlastRadius(
            **{k: tuple(data.get(k, ())) for k in names},
            consumers=tuple(ConsumerImpact.from_dict(c) for c in data.get("consumers", ())),
        )

    @staticmethod
    def of(diffs: Iterable[ResourceDiff], classified: Iterable[str], downstream: tuple[str, ...]) -> BlastRadius:
        """What the diff destroys and replaces, the dependents given, and which classified components lose data."""
        found = list(diffs)
        holding = set(classified)
        destroyed = tuple(f"{d.component}: {d.address}" for d in found if d.action == "delete")
        replaced = tuple(f"{d.component}: {d.address}" for d in found if d.action == "replace")
        at_risk = sorted({d.component for d in found if d.action in ("delete", "replace") and d.component in holding})
        return BlastRadius(destroyed, replaced, downstream, (), tuple(at_risk))


@dataclass(frozen=True)
class CostDelta:
    """Monthly USD before and after, over the components that could be priced, and what that covers.

    `components` is how many components the proposal has; `priced` names those whose every
    resource was priced; `unpriced` pairs every other component with why it is not (fully) in
    the totals ("not planned yet", "2 of 5 resources unpriced", ...). `components == 0` means a
    proposal stored before coverage was recorded.
    """

    before: float
    after: float
    components: int = 0
    priced: tuple[str, ...] = ()
    unpriced: tuple[tuple[str, str], ...] = ()

    @property
    def delta(self) -> float:
        return round(self.after - self.before, 2)

    def as_dict(self) -> dict[str, Any]:
        return {
            "before": round(self.before, 2),
            "after": round(self.after, 2),
            "delta": self.delta,
            "components": self.components,
            "priced": list(self.priced),
            "unpriced": [{"component": name, "reason": reason} for name, reason in self.unpriced],
        }

    @staticmethod
    def from_dict(data: Mapping[str, Any]) -> CostDelta:
        return CostDelta(
            float(data["before"]),
            float(data["after"]),
            int(data.get("components", 0)),
            tuple(data.get("priced", ())),
            tuple((u["component"], u["reason"]) for u in data.get("unpriced", ())),
        )


def cost_coverage(components: int, priced: Sequence[str], unpriced: Sequence[tuple[str, str]]) -> str:
    """What a cost covers: "for 6 of 6 components", or "for 3 of 6 components; 3 unpriced: cache (why), ..."."""
    if components == 0:
        return "(which components it covers was not recorded)"
    text = f"for {len(priced)} of {components} component{'s' if components != 1 else ''}"
    return f"{text}; {unpriced_text(unpriced)}" if unpriced else text


def unpriced_text(unpriced: Sequence[tuple[str, str]]) -> str:
    """ "3 unpriced: cache (not planned yet), ..." """
    return f"{len(unpriced)} unpriced: " + ", ".join(f"{name} ({reason})" for name, reason in unpriced)


def cost_delta_text(cost: CostDelta | None) -> str:
    """A proposal's cost in words: "$0.00 -> $28.25/month (+28.25) for 6 of 6 components"."""
    if cost is None:
        return "cost: not estimated"
    if cost.components and not cost.priced and not cost.before and not cost.after:
        return f"cost: not known yet; {unpriced_text(cost.unpriced)}"
    coverage = cost_coverage(cost.components, cost.priced, cost.unpriced)
    return f"cost: ${cost.before:,.2f} -> ${cost.after:,.2f}/month ({cost.delta:+,.2f}) {coverage}"


def approval_document(
    *,
    kind: str,
    environment: str,
    team: str,
    tier: str,
    actor: Actor,
    cost: CostDelta | None,
    radius: BlastRadius,
    findings: Iterable[Finding],
    warnings: tuple[str, ...],
) -> dict[str, Any]:
    """The document the approval rules read about a proposal being made (`core.approval.approval_input`)."""
    found = list(findings)
    return approval_input(
        kind=kind,
        environment=environment,
        team=team,
        tier=tier,
        actor_kind=actor.kind,
        actor_id=actor.id,
        cost_delta=cost.delta if cost else 0.0,
        destroyed=len(radius.destroyed),
        replaced=len(radius.replaced),
        downstream=len(radius.downstream_components),
        data_at_risk=radius.data_at_risk,
        other_environments=radius.other_environments,
        breaking_environments=radius.breaking_environments,
        denies=sum(1 for f in found if f.severity == "deny"),
        warnings=sum(1 for f in found if f.severity == "warn"),
        dependency_warnings=len(warnings),
        params={},
    )


def _finding(data: Mapping[str, Any]) -> Finding:
    return Finding(**{k: data[k] for k in Finding.__dataclass_fields__ if k in data})


@dataclass(frozen=True)
class Proposal:
    id: str
    environment: str
    team: str
    tier: str
    kind: ProposalKind
    status: ProposalStatus
    actor: Actor
    justification: str
    created_at: str
    expires_at: str
    # The environment's revision when this was proposed; apply refuses if another change landed since.
    base_revision: int
    # The desired state this proposal would make current (an environment file plus exact version pins).
    document: Mapping[str, Any]
    components: tuple[ComponentChange, ...]
    diff: tuple[ResourceDiff, ...]
    findings: tuple[Finding, ...]
    cost: CostDelta | None
    blast_radius: BlastRadius
    warnings: tuple[str, ...]
    decision: ApprovalDecision
    plan_digest: str
    rollback_to: int | None = None
    approvals: tuple[Approval, ...] = ()
    result: str = ""
    updated_at: str = ""
    applied_revision: int | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    def transition(self, name: TransitionName, status: ProposalStatus, result: str, at: str) -> Proposal:
        """This proposal moved to `status` by the named transition; IllegalTransitionError if the table forbids it."""
        check_transition(name, self.status, status, self.id)
        return replace(self, status=status, result=result, updated_at=at)

    def as_dict(self) -> dict[str, Any]:
        """Everything a reviewer reads; sensitive values were masked when the diff was made."""
        return {
            "id": self.id,
            "environment": self.environment,
            "team": self.team,
            "tier": self.tier,
            "kind": self.kind,
            "status": self.status.value,
            "actor": {"kind": self.actor.kind, "id": self.actor.id},
            "justification": self.justification,
            "created_at": self.created_at,
            "updated_at": self.updated_at or self.created_at,
            "expires_at": self.expires_at,
            "base_revision": self.base_revision,
            "rollback_to": self.rollback_to,
            "applied_revision": self.applied_revision,
            "blueprint": self.document.get("blueprint"),
            "components": [c.as_dict() for c in self.components],
            "diff": [d.as_dict() for d in self.diff],
            "findings": [f.as_dict() for f in self.findings],
            "cost": self.cost.as_dict() if self.cost else None,
            "blast_radius": self.blast_radius.as_dict(),
            "warnings": list(self.warnings),
            "decision": self.decision.as_dict(),
            "plan_digest": self.plan_digest,
            "approvals": [a.as_dict() for a in self.approvals],
            "result": self.result,
            # A drift revert or accept: the drift it answers, and for an accept the inputs it changes.
            "drift": self.extra.get("drift"),
        }

    def stored(self) -> dict[str, Any]:
        """What the store keeps (as_dict plus the desired-state document)."""
        return {**self.as_dict(), "document": dict(self.document), "extra": dict(self.extra)}

    @staticmethod
    def from_stored(data: Mapping[str, Any], approvals: tuple[Approval, ...]) -> Proposal:
        cost = data.get("cost")
        return Proposal(
            id=data["id"],
            environment=data["environment"],
            team=data["team"],
            tier=data["tier"],
            kind=data["kind"],
            status=ProposalStatus(data["status"]),
            actor=Actor(data["actor"]["kind"], data["actor"]["id"]),
            justification=data.get("justification", ""),
            created_at=data["created_at"],
            expires_at=data["expires_at"],
            base_revision=int(data.get("base_revision", 0)),
            document=data.get("document", {}),
            components=tuple(ComponentChange.from_dict(c) for c in data.get("components", [])),
            diff=tuple(ResourceDiff.from_dict(d) for d in data.get("diff", [])),
            findings=tuple(_finding(f) for f in data.get("findings", [])),
            cost=CostDelta.from_dict(cost) if cost else None,
            blast_radius=BlastRadius.from_dict(data.get("blast_radius", {})),
            warnings=tuple(data.get("warnings", [])),
            decision=ApprovalDecision.from_dict(data["decision"]),
            plan_digest=data.get("plan_digest", ""),
            rollback_to=data.get("rollback_to"),
            approvals=approvals,
            result=data.get("result", ""),
            updated_at=data.get("updated_at", ""),
            applied_revision=data.get("applied_revision"),
            extra=data.get("extra", {}),
        )
