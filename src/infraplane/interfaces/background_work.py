"""What runs in the background, wired from the container: the task queue, the task runner, the periodic
jobs, and the store's upgrade (which creates the queue's tables on PostgreSQL).

The server (embedded mode) and `infraplane worker` (team mode) both build their background work here,
so the two never list a job or a task kind differently.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING

from infraplane.core.audit import SYSTEM

if TYPE_CHECKING:
    from infraplane.core.ports import TaskQueue
    from infraplane.core.tasks import Task
    from infraplane.interfaces.container import Container
    from infraplane.services.scheduler import Job
    from infraplane.services.tasks import TaskRunner

__all__ = ["build_jobs", "task_queue", "task_runner", "upgrade_database"]


def upgrade_database(container: Container) -> list[str]:
    """Migrate the store (and, on PostgreSQL, create the task queue's tables); what was done, in words.

    Safe when several processes start at once: each step runs under a PostgreSQL advisory lock.
    """
    settings = container.settings
    settings.check_team_mode()
    done = [f"store at the newest migration ({container.store.engine.dialect.name})"]
    if settings.effective_database_url.startswith("postgresql"):
        from infraplane.adapters.queue.procrastinate_queue import ensure_queue_schema

        created = ensure_queue_schema(settings.effective_database_url)
        done.append("task queue tables created" if created else "task queue tables present")
    return done


def task_queue(container: Container, run: Callable[[Task], None]) -> TaskQueue:
    """Where tasks run, by `execution`: this process's pool (`run` runs each), or workers (team mode)."""
    settings = container.settings
    settings.check_team_mode()
    if settings.team_mode:
        from infraplane.adapters.queue.procrastinate_queue import ProcrastinateQueue

        return ProcrastinateQueue(settings.effective_database_url, settings.team.queue, settings.team.stalled_seconds)
    from infraplane.adapters.queue.in_process import InProcessQueue

    return InProcessQueue(run, settings.concurrency)


def task_runner(container: Container) -> TaskRunner:
    """Runs a task with the CLI's own use cases; a durable queue (team mode) resumes a dead run's apply."""
    from infraplane.services.tasks import TaskRunner

    jobs = {job.name: job.run for job in container.jobs}
    durable = container.settings.team_mode
    return TaskRunner(
        container.store, container.environments, container.proposals, container.drift_remediation, jobs, durable
    )


def build_jobs(container: Container) -> list[Job]:
    """The periodic jobs: drift checks per tier, TTL checks, recovery of dead runs, unmanaged scans, advisors.

    Read them as `Container.jobs`, built once: a second list would keep a second memory of when each
    environment's drift was last checked.

    The server's scheduler runs them in embedded mode; in team mode the workers run each tick once.
    """
    from infraplane.core.environment import parse_duration
    from infraplane.services.drift_schedule import DriftSchedule
    from infraplane.services.orchestration.progress import NullProgress
    from infraplane.services.recovery import recover_interrupted
    from infraplane.services.scheduler import Job

    settings = container.settings

    def check_ttls() -> list[str]:
        from infraplane.services.proposals.ttl import check_ttls as check

        warning = timedelta(hours=settings.proposals.ttl_warning_hours)
        return [f"{a.environment}: {a.action}" for a in check(container.proposals, warning, NullProgress())]

    def recover() -> list[str]:
        # In team mode a dead worker's task goes back to the queue and is resumed there; recovery
        # marks only runs outside the queue (a CLI's) interrupted.
        return [str(found) for found in recover_interrupted(container.store, leave_queued=settings.team_mode)]

    def advise() -> list[str]:
        return container.advisors.run() if settings.advisors.propose else []

    def scan_unmanaged() -> list[str]:
        report = container.unmanaged.scan_and_record(SYSTEM)  # the scan is its own audit event
        return [f"{len(report.resources)} unmanaged resource(s)"] if report.resources else []

    drift_settings = settings.drift
    intervals = {tier: float(parse_duration(text)) for tier, text in drift_settings.schedule.items()}
    overrides = {name: float(parse_duration(text)) for name, text in drift_settings.environments.items()}
    drift = DriftSchedule(container.store, container.drift_remediation, intervals, overrides=overrides)
    return [
        Job("drift-check", drift_settings.tick_seconds, drift.run),
        Job("ttl-check", settings.scheduler.ttl_check_seconds, check_ttls),
        Job("recover-interrupted", settings.scheduler.recovery_seconds, recover),
        # Listing the whole cloud is not urgent on a restart: the first scan waits a minute.
        Job("unmanaged-scan", settings.unmanaged.scan_seconds, scan_unmanaged, first=60.0),
        Job("advisors", settings.advisors.every_seconds, advise),
    ]
