"""Plans and applies the server runs in the background: a bounded thread pool over the CLI's own services.

A request that plans or applies answers 202 with the proposal id at once; the work runs here, and
its progress goes to the proposal's event channel (`/api/v1/proposals/{id}/events` streams it).

Exactly one apply per proposal runs at a time. Within this process a second request for the same
proposal is refused (409) before anything is queued; across processes the store decides, as on
the CLI: `apply` moves the proposal approved -> applying under its row lock, and the lifecycle's
transition table refuses a second start.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI

from infraplane.core.audit import Actor
from infraplane.core.proposal_lifecycle import TransitionName, leaving
from infraplane.core.proposals import Proposal
from infraplane.core.runs import RunEvent
from infraplane.errors import InfraplaneError, RefusedError
from infraplane.interfaces.container import Container
from infraplane.services.environments.resolution import Resolution

__all__ = ["RunChannel", "RunPool", "install_runs", "new_proposal_id"]

log = logging.getLogger("infraplane.api.runs")

_KEPT_CHANNELS = 500  # finished channels kept for late readers; the oldest go first


def new_proposal_id() -> str:
    return f"p-{uuid.uuid4().hex[:10]}"


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
    """A bounded pool of worker threads running plans and applies, and the channels their progress goes to."""

    def __init__(self, container: Container, workers: int) -> None:
        self._container = container
        self._executor = ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="infraplane-run")
        self._lock = threading.Lock()
        self._channels: dict[str, RunChannel] = {}
        self._applying: set[str] = set()

    def channel(self, proposal_id: str) -> RunChannel | None:
        with self._lock:
            return self._channels.get(proposal_id)

    def running(self, proposal_id: str) -> bool:
        channel = self.channel(proposal_id)
        return channel is not None and not channel.done

    def _open(self, proposal_id: str, run: str, team: str) -> RunChannel:
        channel = RunChannel(proposal_id, run, team)
        with self._lock:
            self._channels[proposal_id] = channel
            finished = [key for key, kept in self._channels.items() if kept.done]
            for key in finished[: max(0, len(self._channels) - _KEPT_CHANNELS)]:
                del self._channels[key]
        return channel

    def start_plan(self, resolution: Resolution, actor: Actor, justification: str) -> str:
        """Plan, check and decide a proposal in the background; returns the id it will have."""
        proposals = self._container.proposals

        def propose(progress: ChannelProgress, proposal_id: str) -> Proposal | None:
            return proposals.propose(resolution, actor, justification, progress, proposal_id=proposal_id)

        return self.start_proposal(resolution.environment.name, resolution.environment.metadata.team, propose)

    def start_proposal(
        self, environment: str, team: str, propose: Callable[[ChannelProgress, str], Proposal | None]
    ) -> str:
        """Run `propose(progress, id)` in the background (a plan, a drift revert or accept); the id it will have."""
        proposal_id = new_proposal_id()
        channel = self._open(proposal_id, "plan", team)

        def work() -> None:
            proposal = propose(ChannelProgress(channel), proposal_id)
            if proposal is None:
                channel.close({"event": "result", "changes": False, "environment": environment, "status": None})
            else:
                channel.close({"event": "result", "changes": True, "status": proposal.status.value})

        self._submit(channel, work)
        return proposal_id

    def start_rollback(self, environment: str, team: str, to: int, actor: Actor, justification: str) -> str:
        """Plan, check and decide a rollback of `environment` to revision `to` in the background; its proposal id."""
        proposal_id = new_proposal_id()
        channel = self._open(proposal_id, "plan", team)
        proposals = self._container.proposals

        def work() -> None:
            progress = ChannelProgress(channel)
            proposal = proposals.propose_rollback(environment, to, actor, justification, progress, proposal_id)
            changes = proposal is not None
            status = proposal.status.value if proposal is not None else None
            channel.close({"event": "result", "changes": changes, "environment": environment, "status": status})

        self._submit(channel, work)
        return proposal_id

    def start_apply(self, proposal: Proposal, actor: Actor) -> RunChannel:
        """Apply an approved proposal in the background; 409 when it is being applied or may not start."""
        with self._lock:
            if proposal.id in self._applying:
                raise RefusedError(f"{proposal.id} is being applied already; follow its events")
            self._applying.add(proposal.id)
        try:
            # The lifecycle's table decides, as `apply` will again under the row lock.
            leaving(TransitionName.APPLY_START, proposal.status, proposal.id)
            state = self._container.proposals.approval_state(proposal)
            if not state.met:
                raise RefusedError(f"{proposal.id} cannot be applied: still needs {'; '.join(state.describe())}")
            channel = self._open(proposal.id, "apply", proposal.team)
        except BaseException:
            with self._lock:
                self._applying.discard(proposal.id)
            raise
        proposals = self._container.proposals

        def work() -> None:
            try:
                done = proposals.apply(proposal.id, actor, ChannelProgress(channel))
                channel.close({"event": "result", "status": done.status.value, "revision": done.applied_revision})
            finally:
                with self._lock:
                    self._applying.discard(proposal.id)

        self._submit(channel, work)
        return channel

    def _submit(self, channel: RunChannel, work: Callable[[], None]) -> None:
        def run() -> None:
            try:
                work()
            except InfraplaneError as exc:
                channel.close({"event": "error", "error": {"code": exc.code, "message": exc.message}})
            except Exception as exc:
                reference = uuid.uuid4().hex
                log.error(
                    "unexpected error in %s of %s (%s)", channel.run, channel.proposal_id, reference, exc_info=exc
                )
                message = f"an unexpected error; the server's log has it under {reference}"
                channel.close({"event": "error", "error": {"code": "internal", "message": message}})

        self._executor.submit(run)

    def shutdown(self, wait: bool = True) -> None:
        self._executor.shutdown(wait=wait, cancel_futures=True)


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
