"""Running one task (core/tasks.py) with the CLI's own use cases, wherever the queue runs it.

The server's thread pool (embedded mode) and `infraplane worker` (team mode) both call
`TaskRunner.run`; neither knows how the other got the task. A plan task's environment document is
sealed with the store's key before it is queued (sensitive inputs never rest in the queue in clear).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from infraplane.core.audit import Actor
from infraplane.core.ports import Store
from infraplane.core.proposals import Proposal
from infraplane.core.tasks import NO_CHANGES, NOT_PROPOSED, PROPOSING_TASKS, Task, TaskKind
from infraplane.core.text import string_leaves
from infraplane.errors import InfraplaneError, InputError, Problem
from infraplane.services.drift_remediation import DriftRemediation
from infraplane.services.orchestration.progress import Progress
from infraplane.services.orchestration.service import EnvironmentService
from infraplane.services.proposals import ProposalService

__all__ = ["TaskRunner", "plan_task", "proposing_task"]


def plan_task(
    store: Store, proposal_id: str, actor: Actor, document: Mapping[str, Any], justification: str, team: str
) -> Task:
    """The task that plans proposal `proposal_id` of `document` (sealed: it may hold sensitive inputs)."""
    sealed = store.seal(json.dumps(document, sort_keys=True).encode("utf-8"))
    return Task(TaskKind.PLAN, proposal_id, actor, {"document": sealed, "justification": justification}, team=team)


def proposing_task(kind: TaskKind, proposal_id: str, actor: Actor, environment: str, team: str, **payload: Any) -> Task:
    """The task that plans proposal `proposal_id` of kind rollback, drift-revert or drift-accept."""
    return Task(kind, proposal_id, actor, {"environment": environment, **payload}, team=team)


class TaskRunner:
    """Runs a task to its end; returns the result event (`{"event": "result", ...}`) or raises its error."""

    def __init__(
        self,
        store: Store,
        environments: EnvironmentService,
        proposals: ProposalService,
        remediation: DriftRemediation | None = None,
        jobs: Mapping[str, Callable[[], Sequence[str]]] | None = None,
        durable: bool = False,
    ) -> None:
        self._store = store
        self._environments = environments
        self._proposals = proposals
        self._remediation = remediation
        self._jobs = dict(jobs or {})
        # A durable queue (team mode) may run a task again after its worker died: an apply then resumes.
        # In-process a task runs once, and a second apply of one proposal is refused as on the CLI.
        self._durable = durable

    def run(self, task: Task, progress: Progress) -> dict[str, Any]:
        if task.kind in PROPOSING_TASKS:
            return self._propose(task, progress)
        if task.kind == TaskKind.APPLY:
            done = self._proposals.apply(task.subject, task.actor, progress, resume=self._durable)
            return {"event": "result", "status": done.status.value, "revision": done.applied_revision}
        if task.kind == TaskKind.DRIFT:
            report = self._remedies().check(task.subject, task.actor, progress)
            return {"event": "result", "environment": task.subject, "drifted": report.drifted}
        job = self._jobs.get(task.subject)
        if job is None:
            raise InputError(f"no scheduled job named {task.subject!r}", [Problem("", "job", "unknown")])
        changes = list(job())
        return {"event": "result", "changes": changes}

    def _remedies(self) -> DriftRemediation:
        if self._remediation is None:
            raise InputError("drift checks and remedies do not run here")
        return self._remediation

    def _propose(self, task: Task, progress: Progress) -> dict[str, Any]:
        with self._store.read() as tx:
            existing = tx.proposals.get(task.subject)
        if existing is not None:
            # Planned already (its worker died before the queue heard of it): never a second proposal.
            return {"event": "result", "changes": True, "status": existing.status.value}
        document: Any = None  # a plan task's environment document, unsealed once
        try:
            if task.kind == TaskKind.PLAN:
                document = json.loads(self._store.unseal(str(task.payload["document"])))
            proposal, environment = self._proposal_of(task, document, progress)
        except InfraplaneError as exc:
            self._not_proposed(task, exc.code, _masked(exc.message, _input_values(document)))
            raise
        if proposal is None:
            message = f"nothing to change: environment {environment!r} matches already"
            self._not_proposed(task, NO_CHANGES, message, environment)
            return {"event": "result", "changes": False, "environment": environment, "status": None}
        return {"event": "result", "changes": True, "status": proposal.status.value}

    def _not_proposed(self, task: Task, code: str, message: str, environment: str = "") -> None:
        """The proposal's id was handed out already: say why it will not appear (the requester asks by that id)."""
        with self._store.transaction() as tx:
            if tx.proposals.get(task.subject) is not None:
                return  # made, then failed later: the proposal carries its own status
            payload = {"kind": task.kind.value, "team": task.team, "code": code, "message": message}
            if environment:
                payload["environment"] = environment
            tx.audit.append(task.actor, NOT_PROPOSED, f"proposal:{task.subject}", payload)

    def _proposal_of(self, task: Task, document: Any, progress: Progress) -> tuple[Proposal | None, str]:
        payload = task.payload
        justification = str(payload.get("justification", ""))
        if task.kind == TaskKind.PLAN:
            resolution = self._environments.resolve_document(document, "environment")
            proposal = self._proposals.propose(
                resolution, task.actor, justification, progress, proposal_id=task.subject
            )
            return proposal, resolution.environment.name
        environment = str(payload["environment"])
        if task.kind == TaskKind.ROLLBACK:
            to = int(payload["to"])
            return self._proposals.propose_rollback(
                environment, to, task.actor, justification, progress, task.subject
            ), environment
        if task.kind == TaskKind.DRIFT_REVERT:
            reverted, _ = self._remedies().revert(environment, task.actor, justification, progress, task.subject)
            return reverted, environment
        component = payload.get("component")
        accepted, _ = self._remedies().accept(
            environment,
            None if component is None else str(component),
            task.actor,
            justification,
            progress,
            task.subject,
        )
        return accepted, environment


_MASK = "(masked)"


def _input_values(document: Any) -> list[str]:
    """Every string an environment document gives as an input value (any may be a sensitive one)."""
    spec = document.get("spec") if isinstance(document, Mapping) else None
    if not isinstance(spec, Mapping):
        return []
    components = spec.get("components")
    inputs = [spec.get("inputs")]
    if isinstance(components, Mapping):
        inputs += [c.get("inputs") for c in components.values() if isinstance(c, Mapping)]
    return list(string_leaves(inputs))


def _masked(message: str, values: Sequence[str]) -> str:
    """`message` with each of `values` (4 characters or more) masked: the audit trail keeps no input value."""
    for value in sorted({v for v in values if len(v) >= 4}, key=len, reverse=True):
        message = message.replace(value, _MASK)
    return message
