"""Approval decisions: what the approval rules require of a proposal, and whether its approvals meet it.

The rules themselves are Rego (the `infraplane-approval` bundle, versioned and
published like any policy bundle); they produce `require` and `block` entries.
This module turns those entries into a decision and checks approvals against
it. A person counts once per requirement; the proposer never counts; an
approval only counts for the plan digest it was given for.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

__all__ = [
    "Approval",
    "ApprovalDecision",
    "Block",
    "Outcome",
    "Requirement",
    "approval_input",
    "decide",
    "missing_approvals",
]

Outcome = Literal["auto-approved", "needs-approval", "blocked"]


@dataclass(frozen=True)
class Requirement:
    """`count` distinct approvals, from members of `group` (any human when empty)."""

    rule: str
    count: int
    group: str
    reason: str

    def describe(self) -> str:
        who = f"from {self.group}" if self.group else "from any human"
        return f"{self.count} approval{'s' if self.count != 1 else ''} {who} ({self.rule}: {self.reason})"

    def as_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "count": self.count, "group": self.group or None, "reason": self.reason}


@dataclass(frozen=True)
class Block:
    rule: str
    reason: str

    def as_dict(self) -> dict[str, str]:
        return {"rule": self.rule, "reason": self.reason}


@dataclass(frozen=True)
class Approval:
    approver: str
    at: str
    plan_digest: str
    comment: str = ""

    def as_dict(self) -> dict[str, str]:
        return {"approver": self.approver, "at": self.at, "plan_digest": self.plan_digest, "comment": self.comment}


@dataclass(frozen=True)
class ApprovalDecision:
    """The outcome, the entries that made it, and the rule bundles that decided."""

    outcome: Outcome
    requirements: tuple[Requirement, ...]
    blocks: tuple[Block, ...]
    bundles: tuple[str, ...]

    @property
    def rule(self) -> str:
        """The rules that made this decision, for people and the audit log."""
        if self.blocks:
            return ", ".join(sorted({b.rule for b in self.blocks}))
        if self.requirements:
            return ", ".join(sorted({r.rule for r in self.requirements}))
        return "no approval rule applies"

    def as_dict(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome,
            "rule": self.rule,
            "requirements": [r.as_dict() for r in self.requirements],
            "blocks": [b.as_dict() for b in self.blocks],
            "bundles": list(self.bundles),
        }

    @staticmethod
    def from_dict(data: Mapping[str, Any]) -> ApprovalDecision:
        return ApprovalDecision(
            outcome=data["outcome"],
            requirements=tuple(
                Requirement(r["rule"], int(r["count"]), r.get("group") or "", r.get("reason", ""))
                for r in data.get("requirements", [])
            ),
            blocks=tuple(Block(b["rule"], b.get("reason", "")) for b in data.get("blocks", [])),
            bundles=tuple(data.get("bundles", [])),
        )


def _text(entry: Mapping[str, Any], key: str) -> str:
    value = entry.get(key)
    return value if isinstance(value, str) else ""


def decide(
    requires: Iterable[Mapping[str, Any]], blocks: Iterable[Mapping[str, Any]], bundles: Iterable[str]
) -> ApprovalDecision:
    """Combine the rules' entries: any block blocks; otherwise every requirement must be met."""
    found_blocks = tuple(
        sorted({Block(_text(b, "rule") or "UNNAMED", _text(b, "reason")) for b in blocks}, key=lambda b: b.rule)
    )
    found = set()
    for entry in requires:
        count = entry.get("count", 1)
        found.add(
            Requirement(
                _text(entry, "rule") or "UNNAMED",
                count if isinstance(count, int) and count > 0 else 1,
                _text(entry, "group"),
                _text(entry, "reason"),
            )
        )
    requirements = tuple(sorted(found, key=lambda r: (r.rule, r.group)))
    outcome: Outcome = "blocked" if found_blocks else "needs-approval" if requirements else "auto-approved"
    return ApprovalDecision(outcome, requirements, found_blocks, tuple(bundles))


def missing_approvals(
    decision: ApprovalDecision,
    approvals: Iterable[Approval],
    plan_digest: str,
    groups: Mapping[str, Iterable[str]],
) -> list[str]:
    """What is still missing, one line per unmet requirement; empty when the proposal may be applied."""
    if decision.outcome == "blocked":
        return [f"blocked by {b.rule}: {b.reason}" for b in decision.blocks]
    approvers = {a.approver for a in approvals if a.plan_digest == plan_digest}
    missing = []
    for requirement in decision.requirements:
        members = set(groups.get(requirement.group, ())) if requirement.group else None
        counted = {a for a in approvers if members is None or a in members}
        if len(counted) < requirement.count:
            short = requirement.count - len(counted)
            who = f"from {requirement.group}" if requirement.group else "from any human"
            missing.append(f"{short} more approval{'s' if short != 1 else ''} {who} ({requirement.rule})")
    return missing


def approval_input(
    *,
    kind: str,
    environment: str,
    team: str,
    tier: str,
    actor_kind: str,
    actor_id: str,
    cost_delta: float,
    destroyed: int,
    replaced: int,
    downstream: int,
    data_at_risk: Iterable[str],
    denies: int,
    warnings: int,
    dependency_warnings: int,
    params: Mapping[str, Any],
) -> dict[str, Any]:
    """The document approval rules read (documented in docs/proposals.md)."""
    return {
        "hook": "approval",
        "proposal": {
            "kind": kind,
            "environment": environment,
            "team": team,
            "tier": tier,
            "actor": {"kind": actor_kind, "id": actor_id},
            "cost": {"delta": cost_delta},
            "blast_radius": {
                "destroyed": destroyed,
                "replaced": replaced,
                "downstream": downstream,
                "data_at_risk": sorted(set(data_at_risk)),
            },
            "findings": {"deny": denies, "warn": warnings},
            "dependency_warnings": dependency_warnings,
        },
        "params": dict(params),
    }
