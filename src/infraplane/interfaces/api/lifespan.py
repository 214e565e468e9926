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
from datetime import timedelta
from pathlib import Path

import anyio.to_thread
from fastapi import FastAPI

from infraplane.adapters.process import interrupt_running_tools
from infraplane.adapters.sandbox.control import start_sandbox, stop_sandbox
from infraplane.core.audit import SYSTEM
from infraplane.errors import InfraplaneError
from infraplane.interfaces.container import Container
from infraplane.services.locks import process_alive, this_process
from infraplane.services.orchestration.progress import NullProgress
from infraplane.services.recovery import recover_interrupted
from infraplane.services.scheduler import Job, Scheduler
from infraplane.services.stopping import begin_stopping, running_again

__all__ = ["ServerRuntime", "lifespan", "scheduled_jobs"]

log = logging.getLogger("infraplane.serve")


def scheduled_jobs(container: Container) -> list[Job]:
    """The periodic jobs: drift checks per tier, TTL checks, recovery of interrupted runs, advisors, unmanaged scans."""
    configured = container.settings.scheduler

    def check_ttls() -> list[str]:
        from infraplane.services.proposals.ttl import check_ttls as check

        warning = timedelta(hours=container.settings.proposals.ttl_warning_hours)
        return [f"{a.environment}: {a.action}" for a in check(container.proposals, warning, NullProgress())]

    def recover() -> list[str]:
        return [str(found) for found in recover_interrupted(container.store)]

    def advise() -> list[str]:
        if not container.settings.advisors.propose:
            return []
        return container.advisors.run()

    from infraplane.core.environment import parse_duration
    from infraplane.services.drift_schedule import DriftSchedule

    configured_drift = container.settings.drift
    intervals = {tier: float(parse_duration(text)) for tier, text in configured_drift.schedule.items()}
    overrides = {name: float(parse_duration(text)) for name, text in configured_drift.environments.items()}
    drift = DriftSchedule(container.store, container.drift_remediation, intervals, overrides=overrides)

    def scan_unmanaged() -> list[str]:
        report = container.unmanaged.scan_and_record(SYSTEM)  # the scan is its own audit event
        return [f"{len(report.resources)} unmanaged resource(s)"] if report.resources else []

    return [
        Job("drift-check", container.settings.drift.tick_seconds, drift.run),
        Job("ttl-check", configured.ttl_check_seconds, check_ttls),
        Job("recover-interrupted", configured.recovery_seconds, recover),
        # Listing the whole cloud is not urgent on a restart: the first scan waits a minute.
        Job("unmanaged-scan", container.settings.unmanaged.scan_seconds, scan_unmanaged, first=60.0),
        Job("advisors", container.settings.advisors.every_seconds, advise),
    ]


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
        store = self.container.store  # opened and migrated
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
        for found in recover_interrupted(store):
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
