"""Plans and applies the server runs in the background: a bounded thread pool over the CLI's own services.

A request that plans or applies answers 202 with the proposal id at once; the work runs here, and
its progress goes to the proposal's event channel (`/api/v1/proposals/{id}/events` streams it).

Exactly one apply per proposal runs at a time. Within this process a second request for the same
proposal is refused (409) before anything is queued (in team mode, so is one while a task of that
proposal waits or runs); across processes the store decides, as on the CLI: `apply` moves the
proposal approved -> applying under its row lock, and the lifecycle's transition table refuses a
second start. The work itself is a task on the container's queue (core/ports.py `TaskQueue`).
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI

from infraplane.core.audit import Actor
from infraplane.core.ports import QueueStatus, TaskQueue
from infraplane.core.proposal_lifecycle import TransitionName, leaving
from infraplane.core.proposals import Proposal
from infraplane.core.runs import RunEvent
from infraplane.core.tasks import NO_CHANGES, NoProposal, Task, TaskKind
from infraplane.errors import InfraplaneError, RefusedError
from infraplane.interfaces.background_work import task_queue
from infraplane.interfaces.container import Container
from infraplane.services.environments.resolution import Resolution
from infraplane.services.tasks import plan_task, proposing_task

__all__ = ["RunChannel", "RunPool", "ended_event", "install_runs", "new_proposal_id"]

log = logging.getLogger("infraplane.api.runs")

_KEPT_CHANNELS = 500  # finished channels kept for late readers; the oldest go first


def new_proposal_id() -> str:
    return f"p-{uuid.uuid4().hex[:10]}"


def ended_event(ended: NoProposal) -> dict[str, Any]:
    """The last event of a plan that ended without its proposal, as the run itself sent it."""
    if ended.code == NO_CHANGES:
        return {"event": "result", "run": "plan", "changes": False, "environment": ended.environment, "status": None}
    return {"event": "error", "run": "plan", "error": {"code": ended.code, "message": ended.message}}


@dataclass
class RunChannel:
    """The events of one run (a plan or an apply of one proposal), for any number of readers."""

    proposal_id: str
    run: str  # "plan" or "apply"
    team: str  # whose it is: only identities that see this team may read it
    events: list[dict[str, Any]] = field(default_factory=list)
    done: bool = False
    _changed: threading.Condition = field(default_factory=threading.Condition)

    def put(self, event: dict[str, Any]) -> None:
        with self._changed:
            self.events.append({"time": round(time.time(), 3), "run": self.run, **event})
            self._changed.notify_all()

    def close(self, event: dict[str, Any]) -> None:
        with self._changed:
            self.events.append({"time": round(time.time(), 3), "run": self.run, **event})
            self.done = True
            self._changed.notify_all()

    def read(self, start: int, timeout: float) -> tuple[list[dict[str, Any]], bool]:
        """The events from `start` on (waiting up to `timeout` for one), and whether the run has ended."""
        with self._changed:
            if len(self.events) <= start and not self.done:
                self._changed.wait(timeout)
            return self.events[start:], self.done


class ChannelProgress:
    """The orchestration's Progress, written to a channel as JSON-ready events (the CLI's --json shapes)."""

    def __init__(self, channel: RunChannel) -> None:
        self._channel = channel

    def component(self, name: str, **fields: Any) -> None:
        fields.pop("started", None)
        self._channel.put({"event": "component", "component": name, **fields})

    def message(self, text: str) -> None:
        self._channel.put({"event": "message", "message": text})

    def event(self, event: RunEvent) -> None:
        if event.kind == "resource":
            self._channel.put(
                {
                    "event": "resource",
                    "component": event.component,
                    "address": event.address,
                    "state": event.message,
                    "action": event.action,
                }
            )


class RunPool:
    """Plans and applies as tasks on the container's queue, and the channels their progress goes to.

    Embedded: the queue is this process's thread pool, and each run's progress streams to its channel.
    Team mode: the queue is durable (workers run the tasks); there are no channels here, and a
    proposal's events give its status.
    """

    def __init__(self, container: Container, workers: int) -> None:
        self._container = container
        self._lock = threading.Lock()
        self._channels: dict[str, RunChannel] = {}
        self._applying: set[str] = set()
        self._team = container.settings.team_mode
        self._queue_instance: TaskQueue | None = None
        self._workers = workers

    @property
    def _queue(self) -> TaskQueue:
        # Made on first use: a team-mode queue opens connections, which routes that never run work do not need.
        with self._lock:
            if self._queue_instance is None:
                self._queue_instance = task_queue(self._container, self._execute)
            return self._queue_instance

    def status(self) -> QueueStatus:
        return self._queue.status()

    def channel(self, proposal_id: str) -> RunChannel | None:
        with self._lock:
            return self._channels.get(proposal_id)

    def running(self, proposal_id: str) -> bool:
        channel = self.channel(proposal_id)
        if channel is not None and not channel.done:
            return True
        return self._team and self._queue.pending(f"proposal:{proposal_id}")

    def ended(self, proposal_id: str) -> NoProposal | None:
        """Why `proposal_id` was never made; None while a run of it waits or runs (a plan handed back by a
        stopping worker is planned again, whatever its first try recorded)."""
        if self.running(proposal_id):
            return None
        return self._container.proposals.not_proposed(proposal_id)

    def _open(self, proposal_id: str, run: str, team: str) -> RunChannel:
        channel = RunChannel(proposal_id, run, team)
        if self._team:
            return channel  # progress is not streamed from other machines; nobody reads this one
        with self._lock:
            self._channels[proposal_id] = channel
            finished = [key for key, kept in self._channels.items() if kept.done]
            for key in finished[: max(0, len(self._channels) - _KEPT_CHANNELS)]:
                del self._channels[key]
        return channel

    def start_plan(self, resolution: Resolution, actor: Actor, justification: str, document: Mapping[str, Any]) -> str:
        """Plan, check and decide a proposal as a task; returns the id it will have."""
        proposal_id = new_proposal_id()
        team = resolution.environment.metadata.team
        self._open(proposal_id, "plan", team)
        self._queue.submit(plan_task(self._container.store, proposal_id, actor, document, justification, team))
        return proposal_id

    def start_rollback(self, environment: str, team: str, to: int, actor: Actor, justification: str) -> str:
        """Plan, check and decide a rollback of `environment` to revision `to` as a task; its proposal id."""
        return self._start_proposing(TaskKind.ROLLBACK, environment, team, actor, to=to, justification=justification)

    def start_drift_revert(self, environment: str, team: str, actor: Actor, justification: str) -> str:
        """Plan a drift revert of `environment` (kind drift-revert) as a task; its proposal id."""
        return self._start_proposing(TaskKind.DRIFT_REVERT, environment, team, actor, justification=justification)

    def start_drift_accept(
        self, environment: str, component: str | None, team: str, actor: Actor, justification: str
    ) -> str:
        """Plan the inputs that keep `environment`'s drift (kind drift-accept) as a task; its proposal id."""
        return self._start_proposing(
            TaskKind.DRIFT_ACCEPT, environment, team, actor, component=component, justification=justification
        )

    def _start_proposing(self, kind: TaskKind, environment: str, team: str, actor: Actor, **payload: Any) -> str:
        proposal_id = new_proposal_id()
        self._open(proposal_id, "plan", team)
        self._queue.submit(proposing_task(kind, proposal_id, actor, environment, team, **payload))
        return proposal_id

    def start_apply(self, proposal: Proposal, actor: Actor) -> RunChannel:
        """Apply an approved proposal as a task; 409 when it is being applied or may not start."""
        with self._lock:
            if proposal.id in self._applying:
                raise RefusedError(f"{proposal.id} is being applied already; follow its events")
            self._applying.add(proposal.id)
        try:
            if self._team and self._queue.pending(f"proposal:{proposal.id}"):
                raise RefusedError(f"{proposal.id} has a run waiting or under way already; follow its status")
            # The lifecycle's table decides, as `apply` will again under the row lock.
            leaving(TransitionName.APPLY_START, proposal.status, proposal.id)
            state = self._container.proposals.approval_state(proposal)
            if not state.met:
                raise RefusedError(f"{proposal.id} cannot be applied: still needs {'; '.join(state.describe())}")
            channel = self._open(proposal.id, "apply", proposal.team)
            self._queue.submit(Task(TaskKind.APPLY, proposal.id, actor, team=proposal.team))
        except BaseException:
            with self._lock:
                self._applying.discard(proposal.id)
            raise
        if self._team:
            with self._lock:
                self._applying.discard(proposal.id)  # the queue's lock on the proposal keeps it single from here
        return channel

    def _execute(self, task: Task) -> None:
        """Run one task in this process (embedded mode), its progress to its channel."""
        channel = self.channel(task.subject) or RunChannel(task.subject, task.kind.value, task.team)
        try:
            channel.close(self._container.tasks.run(task, ChannelProgress(channel)))
        except InfraplaneError as exc:
            channel.close({"event": "error", "error": {"code": exc.code, "message": exc.message}})
        except Exception as exc:
            reference = uuid.uuid4().hex
            log.error("unexpected error in %s of %s (%s)", channel.run, channel.proposal_id, reference, exc_info=exc)
            message = f"an unexpected error; the server's log has it under {reference}"
            channel.close({"event": "error", "error": {"code": "internal", "message": message}})
        finally:
            if task.kind == TaskKind.APPLY:
                with self._lock:
                    self._applying.discard(task.subject)

    def shutdown(self, wait: bool = True) -> None:
        with self._lock:
            queue = self._queue_instance
        if queue is not None:
            queue.close(wait=wait)


def install_runs(app: FastAPI, container: Container) -> RunPool:
    """The app's pool (`app.state.runs`); when the lifespan ends, runs under way finish and queued ones are dropped."""
    pool = RunPool(container, container.settings.concurrency)
    app.state.runs = pool
    running: Callable[[Any], AbstractAsyncContextManager[Any]] = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(instance: Any) -> AsyncIterator[Any]:
        async with running(instance) as state:
            yield state
        pool.shutdown(wait=True)

    app.router.lifespan_context = lifespan
    return pool
