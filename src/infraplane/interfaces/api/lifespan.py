"""What `infraplane serve` starts with the app and stops with it: the sandbox, recovery, the scheduler.

On start: the store is migrated, the sandbox cloud is started when the default target is the
sandbox and it is not running yet, runs a dead process left behind are marked interrupted
(services/recovery.py), and the scheduler starts its periodic jobs. On stop, in reverse: the
hooks other parts registered in `app.state.on_stop` run (newest first: the worker pool stops taking
work), tools still running (Terraform) get SIGINT and save their state, the scheduler waits for
jobs under way, and the sandbox is stopped only if this process started it. `app.state.announce`,
when set, is called once the start is complete.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

import anyio.to_thread
from fastapi import FastAPI

from infraplane.adapters.process import interrupt_running_tools
from infraplane.adapters.sandbox.control import start_sandbox, stop_sandbox
from infraplane.errors import InfraplaneError
from infraplane.interfaces import background_work
from infraplane.interfaces.container import Container
from infraplane.services.locks import process_alive, this_process
from infraplane.services.recovery import recover_interrupted
from infraplane.services.scheduler import Job, Scheduler
from infraplane.services.stopping import begin_stopping, running_again

__all__ = ["ServerRuntime", "lifespan", "scheduled_jobs"]

log = logging.getLogger("infraplane.serve")


def scheduled_jobs(container: Container) -> list[Job]:
    """The server's periodic jobs (drift checks per tier, TTL checks, recovery, unmanaged scans, advisors).

    In team mode there are none here: the workers run them as periodic tasks, each tick once.
    """
    if container.settings.team_mode:
        return []
    return container.jobs


SANDBOX_OWNER_FILE = "sandbox.owner.json"


def _owner_gone(path: Path) -> bool:
    """Whether the server that started the running sandbox was killed (so this one adopts it)."""
    try:
        owner = json.loads(path.read_text(encoding="utf-8"))
        return not process_alive(int(owner["pid"]), str(owner["host"]), float(owner["started"]))
    except (OSError, ValueError, KeyError, TypeError):
        return False  # started by `infraplane sandbox start`, or by a server still running: not ours


class ServerRuntime:
    """The parts of the server that outlive one request; `start` and `stop` run in a worker thread."""

    def __init__(
        self,
        container: Container,
        announce: Callable[[], None] | None = None,
        on_stop: Sequence[Callable[[], None]] = (),
    ) -> None:
        self.container = container
        self._announce = announce
        # Run first on stop, newest first: e.g. the worker pool waits for (or cancels) its Terraform runs
        # while the store and the sandbox they use are still there.
        self._on_stop = list(on_stop)
        self.started_sandbox = False
        self.scheduler: Scheduler | None = None

    def start(self) -> None:
        running_again()
        settings = self.container.settings
        for done in background_work.upgrade_database(self.container):  # opened and migrated (safe beside other servers)
            log.info("%s", done)
        store = self.container.store
        if settings.default_target == "sandbox":
            owner = settings.home / SANDBOX_OWNER_FILE
            adopted = _owner_gone(owner)
            info, self.started_sandbox = start_sandbox(settings.home, settings.sandbox_port)
            verb = "started" if self.started_sandbox else "already running"
            if adopted and not self.started_sandbox:
                verb, self.started_sandbox = "left by a killed server; adopted", True
            if self.started_sandbox:
                owner.write_text(json.dumps({**this_process(), "started": time.time()}), encoding="utf-8")
            log.info("sandbox cloud %s at %s (pid %d)", verb, info.endpoint, info.pid)
        # In team mode a dead worker's task goes back to the queue and is resumed there
        # (adapters/queue/procrastinate_worker.py): only runs outside the queue are marked here.
        for found in recover_interrupted(store, leave_queued=settings.team_mode):
            log.warning("%s", found)
        self.scheduler = Scheduler(
            store, scheduled_jobs(self.container), settings.scheduler.jitter, settings.lock_lease_seconds
        )
        self.scheduler.start()
        if self._announce is not None:
            self._announce()

    def stop(self) -> None:
        try:
            for hook in reversed(self._on_stop):
                try:
                    hook()
                except Exception:
                    log.exception("a shutdown hook failed")
            if self.scheduler is not None:
                self.scheduler.stop(timeout=0)  # no new runs from here on
            # Runs under way stop their tools (Terraform saves its state on SIGINT) instead of outliving
            # us, and end interrupted rather than failed.
            begin_stopping()
            tools = interrupt_running_tools()
            if tools:
                log.warning("interrupted %d tool process(es) still running", tools)
            if self.scheduler is not None:
                self.scheduler.stop()
        finally:
            if self.started_sandbox:
                home = self.container.settings.home
                stopped = stop_sandbox(home)
                (home / SANDBOX_OWNER_FILE).unlink(missing_ok=True)
                if stopped is not None:
                    log.info("sandbox cloud stopped (pid %d)", stopped.pid)
            # The store stays open: runs the pool is still winding up record their end; whoever made
            # the container closes it (`infraplane serve` does on its way out).


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """FastAPI's lifespan: the runtime starts before the first request and stops after the last."""
    state = app.state
    runtime = ServerRuntime(state.container, getattr(state, "announce", None), getattr(state, "on_stop", ()))
    app.state.runtime = runtime
    try:
        try:
            await anyio.to_thread.run_sync(runtime.start)
        except InfraplaneError as exc:
            app.state.startup_error = exc  # `infraplane serve` reports it as the CLI does, without a traceback
            raise
        yield
    finally:
        await anyio.to_thread.run_sync(runtime.stop)
