"""Approval decisions: what the approval rules require of a proposal, and whether its approvals meet it.

The rules themselves are Rego (the `infraplane-approval` bundle, versioned and
published like any policy bundle); they produce `require` and `block` entries.
This module turns those entries into a decision and checks approvals against
it. A person counts once per requirement; the proposer never counts; an
approval only counts for the plan digest it was given for.

Everything here answers with data (`ApprovalState`, `ApprovalCheck`, `Missing`);
the words come last, from their `describe()` methods and the interfaces.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from infraplane.core.audit import Actor

__all__ = [
    "Approval",
    "ApprovalCheck",
    "ApprovalDecision",
    "ApprovalReason",
    "ApprovalState",
    "Block",
    "Missing",
    "Outcome",
    "Requirement",
    "RequirementTally",
    "approval_counts",
    "approval_input",
    "approval_state",
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
        return f"{self.count} approval{'s' if self.count != 1 else ''} {_who(self.group)} ({self.rule}: {self.reason})"

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


def _who(group: str) -> str:
    return f"from {group}" if group else "from any human"


@dataclass(frozen=True)
class Missing:
    """`count` more approvals a rule still needs, from members of `group` (any human when empty)."""

    rule: str
    group: str
    count: int

    def describe(self) -> str:
        return f"{self.count} more approval{'s' if self.count != 1 else ''} {_who(self.group)} ({self.rule})"

    def as_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "group": self.group or None, "count": self.count}


@dataclass(frozen=True)
class RequirementTally:
    """One requirement and the distinct people whose approvals of the current plan count for it."""

    requirement: Requirement
    counted: tuple[str, ...]

    @property
    def missing(self) -> Missing | None:
        short = self.requirement.count - len(self.counted)
        if short <= 0:
            return None
        return Missing(self.requirement.rule, self.requirement.group, short)


@dataclass(frozen=True)
class ApprovalState:
    """How far a proposal's approvals go towards its decision."""

    blocks: tuple[Block, ...]
    tallies: tuple[RequirementTally, ...]

    @property
    def blocked(self) -> bool:
        return bool(self.blocks)

    @property
    def missing(self) -> tuple[Missing, ...]:
        return tuple(m for m in (t.missing for t in self.tallies) if m is not None)

    @property
    def met(self) -> bool:
        """True when the proposal may be applied as far as approvals go."""
        return not self.blocked and not self.missing

    def describe(self) -> list[str]:
        """What is still missing, one line per block or unmet requirement; empty when nothing is."""
        if self.blocked:
            return [f"blocked by {b.rule}: {b.reason}" for b in self.blocks]
        return [m.describe() for m in self.missing]


def approval_state(
    decision: ApprovalDecision,
    approvals: Iterable[Approval],
    plan_digest: str,
    groups: Mapping[str, Iterable[str]],
) -> ApprovalState:
    """Tally the approvals given for `plan_digest` against every requirement of the decision."""
    approvers = {a.approver for a in approvals if a.plan_digest == plan_digest}
    tallies = []
    for requirement in decision.requirements:
        members = set(groups.get(requirement.group, ())) if requirement.group else None
        counted = sorted(a for a in approvers if members is None or a in members)
        tallies.append(RequirementTally(requirement, tuple(counted)))
    return ApprovalState(decision.blocks if decision.outcome == "blocked" else (), tuple(tallies))


def missing_approvals(
    decision: ApprovalDecision,
    approvals: Iterable[Approval],
    plan_digest: str,
    groups: Mapping[str, Iterable[str]],
) -> list[str]:
    """What is still missing, in words (`ApprovalState.describe`); empty when the proposal may be applied."""
    return approval_state(decision, approvals, plan_digest, groups).describe()


ApprovalReason = Literal[
    "counts",  # it fills at least one requirement that was short
    "not-a-person",  # agents and the system never approve
    "own-proposal",  # the proposer never counts
    "already-counted",  # a person counts once
    "blocked",  # nothing can approve a blocked decision
    "nothing-missing",  # every requirement was already met
    "outside-every-group",  # the person belongs to no group a short requirement asks for
]


@dataclass(frozen=True)
class ApprovalCheck:
    """Whether one more approval counts, why, for which rules, and what stays missing either way."""

    counts: bool
    reason: ApprovalReason
    counts_for: tuple[str, ...]
    before: ApprovalState
    after: ApprovalState
    approver_groups: tuple[str, ...]

    @property
    def missing(self) -> tuple[Missing, ...]:
        """What the proposal still needs once this approval is recorded (as before it when it does not count)."""
        return self.after.missing


def approval_counts(
    decision: ApprovalDecision,
    approvals: Iterable[Approval],
    plan_digest: str,
    approver: Actor,
    proposer: Actor,
    groups: Mapping[str, Iterable[str]],
) -> ApprovalCheck:
    """Would `approver`'s approval of `plan_digest` count? It must fill a requirement that is still short."""
    given = tuple(approvals)
    before = approval_state(decision, given, plan_digest, groups)
    member_of = tuple(sorted(g for g, members in groups.items() if approver.id in set(members)))

    def refused(reason: ApprovalReason) -> ApprovalCheck:
        return ApprovalCheck(False, reason, (), before, before, member_of)

    if approver.kind != "human":
        return refused("not-a-person")
    if proposer.kind == "human" and proposer.id == approver.id:
        return refused("own-proposal")
    if any(a.approver == approver.id and a.plan_digest == plan_digest for a in given):
        return refused("already-counted")
    if before.blocked:
        return refused("blocked")
    if before.met:
        return refused("nothing-missing")
    after = approval_state(decision, (*given, Approval(approver.id, "", plan_digest)), plan_digest, groups)
    was = {t.requirement: t.missing for t in before.tallies}
    filled = tuple(sorted({t.requirement.rule for t in after.tallies if t.missing != was[t.requirement]}))
    if not filled:
        return refused("outside-every-group")
    return ApprovalCheck(True, "counts", filled, before, after, member_of)


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
    other_environments: Iterable[str] = (),
    breaking_environments: Iterable[str] = (),
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
                # Environments reading this one's outputs that the change touches, and those it breaks.
                "other_environments": sorted(set(other_environments)),
                "breaking_environments": sorted(set(breaking_environments)),
            },
            "findings": {"deny": denies, "warn": warnings},
            "dependency_warnings": dependency_warnings,
        },
        "params": dict(params),
    }
