"""The scheduler: jittered intervals, one run of a job at a time, an audit event for each run that changed something."""

from __future__ import annotations

import random
import time

from infraplane.adapters.store import SqlStore
from infraplane.core.audit import SYSTEM
from infraplane.services.locks import LeaseManager
from infraplane.services.scheduler import Job, Scheduler
from tests.support.overlap import Overlap


def _job_events(store: SqlStore) -> list[tuple[str, dict[str, object]]]:
    with store.transaction() as tx:
        return [(e.subject, dict(e.payload)) for e in tx.audit.events(action="scheduler.job") if e.actor == SYSTEM]


def test_a_run_that_changed_something_is_audited_by_the_system_and_one_that_did_not_is_not(store: SqlStore) -> None:
    outcomes = [["orders-dev: proposed"], []]
    scheduler = Scheduler(store, [])
    job = Job("ttl-check", 60, lambda: outcomes.pop(0))
    assert scheduler.run_once(job) == ["orders-dev: proposed"]
    assert scheduler.run_once(job) == []
    assert _job_events(store) == [("job:ttl-check", {"changes": 1, "what": ["orders-dev: proposed"]})]
    with store.transaction() as tx:
        assert tx.locks.get("job:ttl-check") is None  # the job's lease goes with the run


def test_a_job_another_live_run_holds_is_skipped_this_round(store: SqlStore) -> None:
    ran: list[str] = []
    other = LeaseManager(store, "another-server", SYSTEM, 60)
    other.acquire("job:ttl-check", wait=False)
    try:
        assert Scheduler(store, []).run_once(Job("ttl-check", 60, lambda: ran.append("ran") or [])) is None
    finally:
        other.release_all()
    assert ran == []


def test_intervals_are_jittered_within_bounds() -> None:
    scheduler = Scheduler(None, [], jitter=0.1, rng=random.Random(7))  # type: ignore[arg-type]
    delays = [scheduler.delay(Job("j", 100, list)) for _ in range(500)]
    assert all(90 <= d <= 110 for d in delays)
    assert max(delays) - min(delays) > 15  # spread, not a fixed period


def test_a_slow_job_never_overlaps_itself_and_a_failing_one_keeps_its_schedule(store: SqlStore) -> None:
    overlap, runs, failures = Overlap(), 0, 0

    def slow() -> list[str]:
        nonlocal runs
        with overlap.entered(stay=0.05):  # five times its interval
            runs += 1
        return []

    def failing() -> list[str]:
        nonlocal failures
        failures += 1
        raise RuntimeError("boom")

    scheduler = Scheduler(store, [Job("slow", 0.01, slow), Job("failing", 0.01, failing)], jitter=0.0)
    scheduler.start()
    deadline = time.monotonic() + 20
    while (runs < 3 or failures < 3) and time.monotonic() < deadline:
        time.sleep(0.02)
    scheduler.stop()
    assert runs >= 3 and failures >= 3
    assert overlap.most == 1
