"""The proposal lifecycle: one status enum and one transition table that every change of status goes through.

Transitions are data, each named and with a reason (after Prefect's orchestration
rules)::

    (new) --decide--> pending | approved | blocked
    pending  --count-approval--> pending        an approval counted, more are needed
    pending  --approve--> approved              the approvals meet every requirement
    approved --replan--> pending | approved     the environment moved; planned again, decided again
    approved --block--> blocked                 planned again, and the new plan has deny findings
    approved --supersede--> rejected            planned again, and nothing is left to do
    approved --apply-start--> applying
    applying --apply-finish--> applied
    applying --apply-fail--> failed
    applying --interrupt--> interrupted         the process applying it died (found when a server starts)
    interrupted --replan | block | supersede--> applying it again plans it again first
    interrupted --apply-finish--> applied       planned again, every change had landed before it stopped
    applying --depart--> pending | approved | blocked
                                                a component planned with real outputs departs from its
                                                reviewed preview; untouched, planned again, decided again
    pending | approved | blocked | interrupted --reject--> rejected
    pending | approved | blocked --expire--> expired

`rejected`, `applied`, `failed` and `expired` are final. A status change not in
the table raises `IllegalTransitionError`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from infraplane.errors import IllegalTransitionError

__all__ = [
    "EXPIRABLE",
    "FINAL_STATUSES",
    "OPEN_STATUSES",
    "TRANSITIONS",
    "ProposalStatus",
    "Transition",
    "TransitionName",
    "allowed_targets",
    "can_leave",
    "check_transition",
    "initial_status",
    "is_expired",
    "leaving",
]


class ProposalStatus(StrEnum):
    """Where a proposal stands; the values are what the store and JSON output hold."""

    PENDING = "pending"
    APPROVED = "approved"
    BLOCKED = "blocked"
    REJECTED = "rejected"
    APPLYING = "applying"
    APPLIED = "applied"
    FAILED = "failed"
    EXPIRED = "expired"
    INTERRUPTED = "interrupted"


class TransitionName(StrEnum):
    COUNT_APPROVAL = "count-approval"
    APPROVE = "approve"
    REPLAN = "replan"
    BLOCK = "block"
    SUPERSEDE = "supersede"
    APPLY_START = "apply-start"
    APPLY_FINISH = "apply-finish"
    APPLY_FAIL = "apply-fail"
    DEPART = "depart"
    REJECT = "reject"
    EXPIRE = "expire"
    INTERRUPT = "interrupt"


@dataclass(frozen=True)
class Transition:
    """One named move: from any of `sources` to any of `targets`, why it happens, and what refusing it says."""

    name: TransitionName
    sources: frozenset[ProposalStatus]
    targets: frozenset[ProposalStatus]
    reason: str
    refusal: str

    def allows(self, source: ProposalStatus, target: ProposalStatus) -> bool:
        return source in self.sources and target in self.targets


_S = ProposalStatus
_UNDECIDED = frozenset({_S.PENDING, _S.APPROVED, _S.BLOCKED})
# Planned again before anything is applied: an approved plan the environment moved away from, or the
# plan of an apply that was interrupted halfway (what it changed is only known after a new plan).
_REPLANNED = frozenset({_S.APPROVED, _S.INTERRUPTED})

TRANSITIONS: dict[TransitionName, Transition] = {
    t.name: t
    for t in (
        Transition(
            TransitionName.COUNT_APPROVAL,
            frozenset({_S.PENDING}),
            frozenset({_S.PENDING}),
            "an approval counted; the proposal still needs more",
            "only a pending proposal can be approved",
        ),
        Transition(
            TransitionName.APPROVE,
            frozenset({_S.PENDING}),
            frozenset({_S.APPROVED}),
            "the approvals meet every requirement of the decision",
            "only a pending proposal can be approved",
        ),
        Transition(
            TransitionName.REPLAN,
            _REPLANNED,
            frozenset({_S.PENDING, _S.APPROVED}),
            "the environment moved since the plan was made; it was planned and decided again",
            "only an approved or interrupted proposal is planned again before it is applied",
        ),
        Transition(
            TransitionName.BLOCK,
            _REPLANNED,
            frozenset({_S.BLOCKED}),
            "planned again, the proposal has deny findings",
            "only an approved or interrupted proposal is planned again before it is applied",
        ),
        Transition(
            TransitionName.SUPERSEDE,
            _REPLANNED,
            frozenset({_S.REJECTED}),
            "planned again, the environment already matches the proposal",
            "only an approved or interrupted proposal is planned again before it is applied",
        ),
        Transition(
            TransitionName.APPLY_START,
            frozenset({_S.APPROVED}),
            frozenset({_S.APPLYING}),
            "a person (or the system, when auto-approved) applies the approved plans",
            "only an approved proposal can be applied",
        ),
        Transition(
            TransitionName.APPLY_FINISH,
            frozenset({_S.APPLYING, _S.INTERRUPTED}),
            frozenset({_S.APPLIED}),
            "every approved plan was applied",
            "only an applying (or interrupted) proposal can finish",
        ),
        Transition(
            TransitionName.APPLY_FAIL,
            frozenset({_S.APPLYING}),
            frozenset({_S.FAILED}),
            "applying the approved plans failed",
            "only an applying proposal can fail",
        ),
        Transition(
            TransitionName.INTERRUPT,
            frozenset({_S.APPLYING}),
            frozenset({_S.INTERRUPTED}),
            "the process applying it stopped before it finished; applying it again plans it again",
            "only an applying proposal can be interrupted",
        ),
        Transition(
            TransitionName.DEPART,
            frozenset({_S.APPLYING}),
            frozenset({_S.PENDING, _S.APPROVED, _S.BLOCKED}),
            "planned with its dependencies' real outputs, a previewed component departs from what was reviewed; "
            "it was not touched, and the proposal was planned and decided again",
            "only an applying proposal can depart from its preview",
        ),
        Transition(
            TransitionName.REJECT,
            _UNDECIDED | {_S.INTERRUPTED},
            frozenset({_S.REJECTED}),
            "a person rejected it",
            "it can no longer be rejected",
        ),
        Transition(
            TransitionName.EXPIRE,
            _UNDECIDED,
            frozenset({_S.EXPIRED}),
            "it was neither applied nor rejected before it expired",
            "it can no longer expire",
        ),
    )
}

# Statuses no transition leaves.
FINAL_STATUSES: frozenset[ProposalStatus] = frozenset(ProposalStatus) - frozenset(
    s for t in TRANSITIONS.values() for s in t.sources
)
# Proposals still open: an agent should know about them before asking for another change.
OPEN_STATUSES: tuple[ProposalStatus, ...] = tuple(s for s in ProposalStatus if s not in FINAL_STATUSES)


def allowed_targets(source: ProposalStatus) -> frozenset[ProposalStatus]:
    """Every status some transition leads to from `source`."""
    return frozenset(target for t in TRANSITIONS.values() if source in t.sources for target in t.targets)


def can_leave(name: TransitionName, source: ProposalStatus) -> bool:
    return source in TRANSITIONS[name].sources


def leaving(name: TransitionName, source: ProposalStatus, subject: str, message: str = "") -> Transition:
    """The named transition, when it may start from `source`; else IllegalTransitionError (`message` or its refusal)."""
    transition = TRANSITIONS[name]
    if source not in transition.sources:
        raise IllegalTransitionError(
            message or f"{subject} is {source}; {transition.refusal}", name, source.value, None
        )
    return transition


def check_transition(
    name: TransitionName, source: ProposalStatus, target: ProposalStatus, subject: str = "the proposal"
) -> Transition:
    """The named transition from `source` to `target`; IllegalTransitionError when the table does not allow it."""
    transition = leaving(name, source, subject)
    if target not in transition.targets:
        allowed = ", ".join(sorted(transition.targets))
        raise IllegalTransitionError(
            f"{subject}: {name} leads to {allowed}, not {target}", name, source.value, target.value
        )
    return transition


def initial_status(outcome: str) -> ProposalStatus:
    """Where a new (or re-planned) proposal starts, from its approval decision's outcome."""
    if outcome == "blocked":
        return ProposalStatus.BLOCKED
    return ProposalStatus.APPROVED if outcome == "auto-approved" else ProposalStatus.PENDING


def is_expired(status: ProposalStatus, expires_at: datetime, now: datetime) -> bool:
    """Whether a proposal in `status` that expires at `expires_at` must move to expired at `now`."""
    return can_leave(TransitionName.EXPIRE, status) and expires_at <= now


EXPIRABLE = frozenset(status.value for status in ProposalStatus if can_leave(TransitionName.EXPIRE, status))
"""The statuses a proposal past its expiry leaves for expired."""
