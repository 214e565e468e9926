"""The server's periodic work (TTL checks, recovery of interrupted runs; drift checks later).

Each job runs on its own thread, one run after the other, so one job never overlaps itself in a
process; a lease on `job:<name>` in the store keeps two servers on one store from running it at
once (the second skips that round). Intervals are jittered so jobs of many servers spread out.
A job returns what it changed, in short words; a run that changed something writes one
`scheduler.job` audit event by the system (the changes themselves write their own events).
"""

from __future__ import annotations

import logging
import random
import threading
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from infraplane.core.audit import SYSTEM
from infraplane.core.ports import Store
from infraplane.errors import RefusedError
from infraplane.services.audit import record
from infraplane.services.locks import LeaseManager

__all__ = ["Job", "Scheduler"]

log = logging.getLogger("infraplane.scheduler")

_MAX_LISTED = 20  # changes named in one audit event; the count is always exact


@dataclass(frozen=True)
class Job:
    """`run` every `every` seconds (± the scheduler's jitter); it returns what it changed, in short words."""

    name: str
    every: float
    run: Callable[[], Sequence[str]]
    # Seconds before the first run (jittered); None: soon after start, so a restart catches up at once.
    first: float | None = None


class Scheduler:
    def __init__(
        self,
        store: Store,
        jobs: Sequence[Job],
        jitter: float = 0.1,
        lease_seconds: float = 60.0,
        rng: random.Random | None = None,
    ) -> None:
        self._store = store
        self._jobs = list(jobs)
        self._jitter = jitter
        self._lease = lease_seconds
        self._rng = rng or random.Random()  # noqa: S311 - spreading timers, not secrets
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    @property
    def jobs(self) -> list[Job]:
        return list(self._jobs)

    def delay(self, job: Job) -> float:
        """Seconds until `job`'s next run: its interval, moved by up to ±jitter of it."""
        return max(0.0, job.every * (1.0 + self._rng.uniform(-self._jitter, self._jitter)))

    def run_once(self, job: Job) -> list[str] | None:
        """One run of `job` under its lease; None when another process runs it now (this round is skipped)."""
        leases = LeaseManager(self._store, f"job-{job.name}-{uuid.uuid4().hex[:8]}", SYSTEM, self._lease)
        try:
            leases.acquire(f"job:{job.name}", wait=False)
        except RefusedError as exc:
            log.info("job %s skipped: %s", job.name, exc.message)
            return None
        try:
            changes = list(job.run())
            if changes:
                with self._store.transaction() as tx:
                    record(
                        tx,
                        SYSTEM,
                        "scheduler.job",
                        f"job:{job.name}",
                        {"changes": len(changes), "what": changes[:_MAX_LISTED]},
                    )
                log.info("job %s: %d change(s): %s", job.name, len(changes), "; ".join(changes[:_MAX_LISTED]))
            return changes
        finally:
            leases.release_all()

    def _loop(self, job: Job) -> None:
        # The first run comes soon after start, spread a little, so a restart catches up at once.
        wait = self._rng.uniform(0.0, min(5.0, job.every * self._jitter))
        if job.first is not None:
            wait = max(0.0, job.first * (1.0 + self._rng.uniform(-self._jitter, self._jitter)))
        while not self._stop.wait(wait):
            try:
                self.run_once(job)
            except Exception:
                # A job's failure is logged and the job runs again next time; the server keeps serving.
                log.exception("job %s failed", job.name)
            wait = self.delay(job)

    def start(self) -> None:
        for job in self._jobs:
            thread = threading.Thread(target=self._loop, args=(job,), name=f"job-{job.name}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self, timeout: float = 30.0) -> None:
        """No new runs; wait up to `timeout` seconds for runs under way to finish."""
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout)
        self._threads = [t for t in self._threads if t.is_alive()]
