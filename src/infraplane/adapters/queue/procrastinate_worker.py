"""Team mode's queue, worker side: `infraplane worker` runs procrastinate jobs with infraplane's task runner.

- Each job is one core.tasks.Task, run in a thread (`concurrency` at once). A job is finished in the
  store only after the task returned, so a worker killed mid-run leaves it `doing`.
- Every worker looks for stalled jobs (their worker's heartbeat older than `stalled_seconds`) and puts
  them back to `todo`; the next worker to take one resumes the run under its leases
  (services/proposals/applying.py), waiting for the dead run's lease and Terraform state lock.
- The scheduler's jobs are procrastinate periodic tasks: each tick is deferred once, whatever the
  number of workers (procrastinate keeps one row per task and tick).
- SIGTERM/SIGINT: no new jobs; runs under way get `shutdown_grace_seconds` to finish, then their tools
  are interrupted (Terraform saves its state) and the run is handed back to the queue.
- A lost database connection (PostgreSQL restarting) does not stop the worker: fetching, heartbeats and
  periodic deferrals skip a beat, and a job's end is written once the store is back (`_tolerate`), so a
  worker alive through a restart is not taken for dead. Anything worse ends procrastinate's loop, and
  the worker starts it again a moment later; runs under way carry on (the store reconnects by itself).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from infraplane.adapters.queue.procrastinate_queue import RUN_TASK, procrastinate_conninfo
from infraplane.core.tasks import Task

__all__ = ["PeriodicJob", "TaskWorker", "cron_for"]

log = logging.getLogger("infraplane.worker")

_RESTART_SECONDS = 2.0
_FINISH_PATIENCE_SECONDS = 600.0  # how long a job's end is retried while the store is away


def _tolerate(manager: Any) -> None:
    """Let the job manager ride out a store that is briefly away (e.g. PostgreSQL restarting).

    procrastinate stops a worker whose heartbeat or fetch fails; here those skip a beat instead, and
    finishing a job is retried until the store answers, so a finished job is never left `doing`.
    """
    fetch, beat, periodic, finish = (
        manager.fetch_job,
        manager.update_heartbeat,
        manager.defer_periodic_job,
        manager.finish_job,
    )

    async def fetch_job(*args: Any, **kwargs: Any) -> Any:
        try:
            return await fetch(*args, **kwargs)
        except Exception as exc:  # noqa: BLE001 - no job this round; the next poll tries again
            log.warning("could not fetch a job (%s); trying again", exc.__class__.__name__)
            return None

    async def update_heartbeat(*args: Any, **kwargs: Any) -> None:
        try:
            await beat(*args, **kwargs)
        except Exception as exc:  # noqa: BLE001 - the next beat tries again
            log.warning("could not write the heartbeat (%s); trying again", exc.__class__.__name__)

    async def defer_periodic_job(*args: Any, **kwargs: Any) -> Any:
        try:
            return await periodic(*args, **kwargs)
        except Exception as exc:  # noqa: BLE001 - this tick is skipped
            log.warning("could not defer a periodic job (%s)", exc.__class__.__name__)
            return None

    async def finish_job(*args: Any, **kwargs: Any) -> None:
        deadline = asyncio.get_running_loop().time() + _FINISH_PATIENCE_SECONDS
        while True:
            try:
                await finish(*args, **kwargs)
                return
            except Exception as exc:
                if asyncio.get_running_loop().time() > deadline:
                    raise
                log.warning("could not record a job's end (%s); trying again", exc.__class__.__name__)
                await asyncio.sleep(1.0)

    manager.fetch_job = fetch_job
    manager.update_heartbeat = update_heartbeat
    manager.defer_periodic_job = defer_periodic_job
    manager.finish_job = finish_job


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    every: float  # seconds


def cron_for(every: float) -> str:
    """A cron line for `every` seconds, rounded to what cron can say (procrastinate's seconds column is last)."""
    seconds = max(1, round(every))
    if seconds < 60:
        return f"* * * * * */{seconds}"
    minutes = max(1, round(seconds / 60))
    if minutes < 60:
        return f"*/{minutes} * * * * 0"
    hours = max(1, round(minutes / 60))
    if hours < 24:
        return f"0 */{hours} * * * 0"
    return "0 0 * * * 0"


class TaskWorker:
    """One worker process's loop around procrastinate."""

    def __init__(
        self,
        database_url: str,
        queue: str,
        concurrency: int,
        run: Callable[[Task], Task | None],
        periodic: Sequence[PeriodicJob],
        run_job: Callable[[str], None],
        heartbeat_seconds: float,
        stalled_seconds: float,
        grace_seconds: float,
        interrupt: Callable[[], None],
        name: str,
    ) -> None:
        self._conninfo = procrastinate_conninfo(database_url)
        self._queue = queue
        self._concurrency = concurrency
        self._run = run  # returns the task to queue again (handed back), or None when it is over
        self._periodic = list(periodic)
        self._run_job = run_job
        self._heartbeat = heartbeat_seconds
        self._stalled = stalled_seconds
        self._grace = grace_seconds
        self._interrupt = interrupt
        self._name = name
        self._stopping = asyncio.Event()
        self._mine: set[int] = set()  # ids of the jobs this process runs now: never "stalled"

    def _app(self) -> Any:
        from procrastinate import App, PsycopgConnector

        app = App(connector=PsycopgConnector(conninfo=self._conninfo, min_size=1, max_size=self._concurrency + 4))
        queue = self._queue

        @app.task(name=RUN_TASK, queue=queue, pass_context=True)
        async def run(context: Any, task: dict[str, Any]) -> None:
            parsed = Task.from_dict(task)
            job_id = context.job.id
            self._mine.add(job_id)
            try:
                again = await asyncio.to_thread(self._run, parsed)
            finally:
                self._mine.discard(job_id)
            if again is not None:
                await app.configure_task(name=RUN_TASK, queue=queue, lock=again.key).defer_async(task=again.as_dict())
                log.warning("%s %s goes back to the queue", parsed.kind.value, parsed.subject)

        for job in self._periodic:
            self._register_periodic(app, job)
        _tolerate(app.job_manager)
        return app

    def _register_periodic(self, app: Any, job: PeriodicJob) -> None:
        run_job = self._run_job

        async def tick(timestamp: int) -> None:
            await asyncio.to_thread(run_job, job.name)

        task = app.task(name=f"infraplane.job.{job.name}", queue=self._queue, lock=f"job:{job.name}")(tick)
        app.periodic(cron=cron_for(job.every), periodic_id=job.name)(task)

    async def _retry_stalled(self, app: Any) -> None:
        """Put jobs of dead workers back in the queue (any worker may; the update is conditional)."""
        while True:
            await asyncio.sleep(max(1.0, self._stalled / 3))
            try:
                stalled = await app.job_manager.get_stalled_jobs(seconds_since_heartbeat=self._stalled)
                for job in stalled:
                    if job.id in self._mine:
                        continue  # ours, still running: our heartbeat was late (the store was away)
                    with contextlib.suppress(Exception):  # another worker retried it first
                        await app.job_manager.retry_job(job)
                        log.warning(
                            "job %s (%s) of a dead worker goes back to the queue",
                            job.id,
                            job.task_name,
                            extra={"fields": {"job": job.id, "lock": job.lock}},
                        )
            except Exception as exc:  # noqa: BLE001 - the store may be restarting; try again next round
                log.warning("could not look for stalled jobs: %s", exc.__class__.__name__)

    async def _serve_once(self) -> None:
        app = self._app()
        async with app.open_async():
            worker = asyncio.create_task(
                app.run_worker_async(
                    queues=[self._queue],
                    concurrency=self._concurrency,
                    name=self._name,
                    install_signal_handlers=False,
                    update_heartbeat_interval=self._heartbeat,
                    stalled_worker_timeout=self._stalled,
                    shutdown_graceful_timeout=None,
                    # Polling, not LISTEN: a listener's lost connection would stop the worker.
                    listen_notify=False,
                    fetch_job_polling_interval=1.0,
                )
            )
            retry = asyncio.create_task(self._retry_stalled(app))
            stop = asyncio.create_task(self._stopping.wait())
            try:
                await asyncio.wait({worker, stop}, return_when=asyncio.FIRST_COMPLETED)
                if self._stopping.is_set() and not worker.done():
                    timer = asyncio.get_running_loop().call_later(self._grace, self._grace_over)
                    worker.cancel()  # procrastinate stops taking jobs and waits for those under way
                    with contextlib.suppress(asyncio.CancelledError):
                        await worker
                    timer.cancel()
                elif worker.done() and worker.exception() is not None:
                    raise worker.exception()  # type: ignore[misc]
            finally:
                retry.cancel()
                stop.cancel()

    def _grace_over(self) -> None:
        log.warning("runs still under way after %.0f s: interrupting their tools", self._grace)
        self._interrupt()

    async def _main(self) -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, self._stopping.set)
        log.info("worker %s started on queue %s (concurrency %d)", self._name, self._queue, self._concurrency)
        while not self._stopping.is_set():
            try:
                await self._serve_once()
            except Exception as exc:  # noqa: BLE001 - e.g. PostgreSQL restarting: start again shortly
                log.warning("worker loop stopped (%s: %s); starting again", exc.__class__.__name__, exc)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), _RESTART_SECONDS)
        log.info("worker %s stopped", self._name)

    def run(self) -> None:
        asyncio.run(self._main())
