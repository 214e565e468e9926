"""Work handed to a task queue: plan a proposal, apply one, check drift, run a scheduled job.

A task is plain data (JSON-ready), so the same task runs in the server's own threads (embedded
mode) or on a worker of another machine (team mode) after a round trip through the store.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from infraplane.core.audit import Actor

__all__ = ["NOT_PROPOSED", "NO_CHANGES", "PROPOSAL_TASKS", "PROPOSING_TASKS", "NoProposal", "Task", "TaskKind"]


class TaskKind(StrEnum):
    PLAN = "plan"  # plan, check and decide a new proposal (subject: its id)
    APPLY = "apply"  # apply an approved proposal; a destroy proposal's apply destroys (subject: its id)
    ROLLBACK = "rollback"  # plan a rollback proposal (subject: its id; payload: environment, to, justification)
    DRIFT_REVERT = "drift-revert"  # plan a drift revert proposal (subject: its id; payload: environment, ...)
    DRIFT_ACCEPT = "drift-accept"  # plan a drift accept proposal (subject: its id; payload: environment, component)
    DRIFT = "drift"  # a drift check of one environment (subject: its name)
    JOB = "job"  # one of the scheduler's periodic jobs (subject: its name)


# Tasks that make a new proposal, and those whose subject is a proposal's id (run in order per proposal).
PROPOSING_TASKS = frozenset({TaskKind.PLAN, TaskKind.ROLLBACK, TaskKind.DRIFT_REVERT, TaskKind.DRIFT_ACCEPT})
PROPOSAL_TASKS = PROPOSING_TASKS | {TaskKind.APPLY}

# The audit action of a proposing task that ended without its proposal: nothing to change, or it failed
# first (subject: `proposal:<id>`; payload: code, message, team).
NOT_PROPOSED = "proposal.none"
NO_CHANGES = "no-changes"  # the code when there was nothing to change


@dataclass(frozen=True)
class Task:
    """One unit of work; `subject` names what it works on, `payload` what else it needs."""

    kind: TaskKind
    subject: str
    actor: Actor
    payload: Mapping[str, Any] = field(default_factory=dict)
    team: str = ""  # whose it is: who may follow its progress

    @property
    def key(self) -> str:
        """Tasks with one key run one at a time, in order (a proposal's plan, then its apply)."""
        if self.kind in PROPOSAL_TASKS:
            return f"proposal:{self.subject}"
        return f"{self.kind.value}:{self.subject}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "subject": self.subject,
            "actor": {"kind": self.actor.kind, "id": self.actor.id},
            "payload": dict(self.payload),
            "team": self.team,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Task:
        actor = data["actor"]
        return cls(
            TaskKind(data["kind"]),
            str(data["subject"]),
            Actor(actor["kind"], actor["id"]),
            dict(data.get("payload") or {}),
            str(data.get("team") or ""),
        )


@dataclass(frozen=True)
class NoProposal:
    """Why proposal `proposal_id` was never made, its id handed out: nothing to change, or its plan failed."""

    proposal_id: str
    team: str
    code: str  # NO_CHANGES, or the error's stable code (errors.py)
    message: str
    time: str
    environment: str = ""  # known when there was nothing to change

    @property
    def reason(self) -> str:
        if self.code == NO_CHANGES:
            return f"no proposal was made: {self.message}"
        return f"no proposal was made: its plan failed ({self.code}): {self.message}"
