"""The process behind `infraplane worker`: the queue's worker loop around the container's task runner.

Runs each task with the CLI's own use cases (services/tasks.py), logs what it does in the server's
log format, counts it in Prometheus metrics (`team.metrics_port`), and hands a task back to the
queue when the worker was told to stop under it (its tools interrupted after the grace period).
"""

from __future__ import annotations

import logging
import time
from dataclasses import replace
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, start_http_server

from infraplane.adapters.process import interrupt_running_tools
from infraplane.adapters.queue.procrastinate_worker import PeriodicJob, TaskWorker
from infraplane.core.audit import SYSTEM
from infraplane.core.runs import RunEvent
from infraplane.core.tasks import Task, TaskKind
from infraplane.errors import InfraplaneError
from infraplane.interfaces.background_work import upgrade_database
from infraplane.interfaces.container import Container
from infraplane.services.scheduler import Scheduler
from infraplane.services.stopping import begin_stopping, running_again, stopping

__all__ = ["WorkerProcess"]

log = logging.getLogger("infraplane.worker")

_ATTEMPTS = 4  # runs of a task that broke on an unexpected error before it is ended with the reason
_RETRY_SECONDS = 2.0
TASK_BUCKETS = (1.0, 5.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0)


class LogProgress:
    """A task's progress as log lines (components' changes and messages; resource events are too many)."""

    def __init__(self, task: Task) -> None:
        self._fields = {"task": task.kind.value, "subject": task.subject}

    def component(self, name: str, **fields: Any) -> None:
        shown = {k: v for k, v in fields.items() if k in ("status", "add", "change", "destroy", "note")}
        log.info("%s: %s", name, fields.get("status", ""), extra={"fields": {**self._fields, **shown}})

    def message(self, text: str) -> None:
        log.info("%s", text, extra={"fields": self._fields})

    def event(self, event: RunEvent) -> None:
        return None


class WorkerMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.tasks = Counter(
            "infraplane_worker_tasks",
            "Tasks a worker ran, by kind and outcome",
            ["kind", "outcome"],
            registry=self.registry,
        )
        self.seconds = Histogram(
            "infraplane_worker_task_seconds",
            "How long tasks took",
            ["kind"],
            buckets=TASK_BUCKETS,
            registry=self.registry,
        )
        self.running = Gauge("infraplane_worker_tasks_running", "Tasks running now", registry=self.registry)


class WorkerProcess:
    def __init__(self, container: Container, concurrency: int, name: str) -> None:
        self._container = container
        self._concurrency = concurrency
        self.name = name
        self._metrics = WorkerMetrics()
        self._jobs = {job.name: job for job in container.jobs}
        settings = container.settings
        self._scheduler = Scheduler(
            container.store, list(self._jobs.values()), settings.scheduler.jitter, settings.lock_lease_seconds
        )

    def run(self) -> None:
        running_again()
        settings = self._container.settings
        for done in upgrade_database(self._container):
            log.info("%s", done)
        if settings.team.metrics_port is not None:
            start_http_server(settings.team.metrics_port, addr="127.0.0.1", registry=self._metrics.registry)
            log.info("metrics at http://127.0.0.1:%d/metrics", settings.team.metrics_port)
        team = settings.team
        TaskWorker(
            settings.effective_database_url,
            team.queue,
            self._concurrency,
            self._run_task,
            [PeriodicJob(job.name, job.every) for job in self._jobs.values()],
            self._run_job,
            team.heartbeat_seconds,
            team.stalled_seconds,
            team.shutdown_grace_seconds,
            self._interrupt,
            self.name,
        ).run()

    def _interrupt(self) -> None:
        begin_stopping()
        interrupted = interrupt_running_tools()
        log.warning("interrupted %d tool process(es)", interrupted)

    def _run_task(self, task: Task) -> Task | None:
        """Run `task`; the task to queue again when it must be (this worker stopped under it, or it broke on
        something passing such as the store restarting), else None."""
        fields = {"task": task.kind.value, "subject": task.subject, "worker": self.name}
        log.info("task %s %s started", task.kind.value, task.subject, extra={"fields": fields})
        started = time.monotonic()
        outcome, again = "done", None
        self._metrics.running.inc()
        try:
            result = self._container.tasks.run(task, LogProgress(task))
            log.info(
                "task %s %s finished", task.kind.value, task.subject, extra={"fields": {**fields, "result": result}}
            )
        except InfraplaneError as exc:
            # The run recorded its end (failed, interrupted, re-planned) with its reason; unless we are
            # stopping, the task is over.
            outcome = "handed_back" if stopping() else exc.code
            again = task if stopping() else None
            log.warning(
                "task %s %s ended: %s",
                task.kind.value,
                task.subject,
                exc.message,
                extra={"fields": {**fields, "code": exc.code}},
            )
        except Exception as exc:
            log.exception("task %s %s failed unexpectedly", task.kind.value, task.subject, extra={"fields": fields})
            outcome, again = self._retry(task, exc)
        finally:
            self._metrics.running.dec()
            self._metrics.tasks.labels(task.kind.value, outcome).inc()
            self._metrics.seconds.labels(task.kind.value).observe(time.monotonic() - started)
        return again if task.kind in (TaskKind.APPLY, TaskKind.PLAN) else None

    def _retry(self, task: Task, error: Exception) -> tuple[str, Task | None]:
        """An unexpected error (the store restarting, ...): queue it again a few times, then end it with the reason."""
        if stopping():
            return "handed_back", task
        attempt = int(task.payload.get("attempt", 0)) + 1
        if attempt < _ATTEMPTS:
            time.sleep(_RETRY_SECONDS)
            return "retried", replace(task, payload={**task.payload, "attempt": attempt})
        if task.kind == TaskKind.APPLY:
            reason = f"the apply broke {attempt} times on an unexpected error ({error.__class__.__name__})"
            try:
                self._container.proposals.abandon(task.subject, reason)
            except Exception:
                log.exception("could not record that %s failed", task.subject)
        return "internal", None

    def _run_job(self, name: str) -> None:
        """One tick of a scheduled job (procrastinate defers each tick once, whichever worker runs it)."""
        job = self._jobs.get(name)
        if job is None:
            return
        self._metrics.running.inc()
        try:
            self._scheduler.run_once(job)
            self._metrics.tasks.labels(TaskKind.JOB.value, "done").inc()
        except Exception:
            self._metrics.tasks.labels(TaskKind.JOB.value, "internal").inc()
            log.exception("scheduled job %s failed", name, extra={"fields": {"job": name, "actor": str(SYSTEM)}})
        finally:
            self._metrics.running.dec()
