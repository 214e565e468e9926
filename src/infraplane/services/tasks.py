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
from infraplane.core.tasks import Task, TaskKind
from infraplane.errors import InputError, Problem
from infraplane.services.orchestration.progress import Progress
from infraplane.services.orchestration.service import EnvironmentService
from infraplane.services.proposals import ProposalService

__all__ = ["TaskRunner", "plan_task"]

DriftCheck = Callable[[str, Task, Progress], Mapping[str, Any]]


def plan_task(
    store: Store, proposal_id: str, actor: Actor, document: Mapping[str, Any], justification: str, team: str
) -> Task:
    """The task that plans proposal `proposal_id` of `document` (sealed: it may hold sensitive inputs)."""
    sealed = store.seal(json.dumps(document, sort_keys=True).encode("utf-8"))
    return Task(TaskKind.PLAN, proposal_id, actor, {"document": sealed, "justification": justification}, team=team)


class TaskRunner:
    """Runs a task to its end; returns the result event (`{"event": "result", ...}`) or raises its error."""

    def __init__(
        self,
        store: Store,
        environments: EnvironmentService,
        proposals: ProposalService,
        drift: DriftCheck | None = None,
        jobs: Mapping[str, Callable[[], Sequence[str]]] | None = None,
    ) -> None:
        self._store = store
        self._environments = environments
        self._proposals = proposals
        self._drift = drift
        self._jobs = dict(jobs or {})

    def run(self, task: Task, progress: Progress) -> dict[str, Any]:
        if task.kind == TaskKind.PLAN:
            return self._plan(task, progress)
        if task.kind == TaskKind.APPLY:
            done = self._proposals.apply(task.subject, task.actor, progress, resume=True)
            return {"event": "result", "status": done.status.value, "revision": done.applied_revision}
        if task.kind == TaskKind.DRIFT:
            if self._drift is None:
                raise InputError(f"drift checks do not run here ({task.subject})")
            return {"event": "result", **self._drift(task.subject, task, progress)}
        job = self._jobs.get(task.subject)
        if job is None:
            raise InputError(f"no scheduled job named {task.subject!r}", [Problem("", "job", "unknown")])
        changes = list(job())
        return {"event": "result", "changes": changes}

    def _plan(self, task: Task, progress: Progress) -> dict[str, Any]:
        with self._store.read() as tx:
            existing = tx.proposals.get(task.subject)
        if existing is not None:
            # Planned already (its worker died before the queue heard of it): never a second proposal.
            return {"event": "result", "changes": True, "status": existing.status.value}
        document = json.loads(self._store.unseal(str(task.payload["document"])))
        resolution = self._environments.resolve_document(document, "environment")
        justification = str(task.payload.get("justification", ""))
        proposal = self._proposals.propose(resolution, task.actor, justification, progress, proposal_id=task.subject)
        if proposal is None:
            return {"event": "result", "changes": False, "environment": resolution.environment.name, "status": None}
        return {"event": "result", "changes": True, "status": proposal.status.value}
