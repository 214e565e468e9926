"""Which environments the drift job checks: by tier interval, never while applying or leased, nor after a failed
or interrupted apply."""

from __future__ import annotations

from typing import Any

from infraplane.adapters.store import SqlStore
from infraplane.core.records import EnvironmentRecord, LockHolder
from infraplane.services.drift_schedule import DriftSchedule
from infraplane.services.orchestration.session import environment_lock


def _env(name: str, tier: str, status: Any = "ready") -> EnvironmentRecord:
    return EnvironmentRecord(name, "shop", tier, "shop", "queue@1.1.0", "sandbox", None, status)


def test_due_environments_follow_their_tier_and_skip_failed_and_leased_ones(store: SqlStore) -> None:
    with store.transaction() as tx:
        for record in (
            _env("p", "prod"),
            _env("d", "dev"),
            _env("broken", "prod", "failed"),
            _env("cut-short", "prod", "interrupted"),
            _env("busy", "prod"),
            _env("other", "sandbox-tier"),
        ):
            tx.environments.save(record)
        tx.locks.put(environment_lock("busy"), LockHolder("run1", 1, "host", "", lease_expires=10_000.0))
    now = [1_000.0]
    schedule = DriftSchedule(store, None, {"prod": 3600.0, "dev": 86400.0}, clock=lambda: now[0])  # type: ignore[arg-type]
    assert sorted(schedule.due()) == ["d", "p"]
    schedule._last.update({"p": 1_000.0, "d": 1_000.0})
    now[0] = 1_000.0 + 3600.0
    assert schedule.due() == ["p"]  # prod is due again after an hour, dev only after a day


def test_an_environment_of_its_own_interval_overrides_its_tier(store: SqlStore) -> None:
    with store.transaction() as tx:
        for record in (_env("p", "prod"), _env("hot", "prod"), _env("quiet", "dev")):
            tx.environments.save(record)
    now = [1_000.0]
    overrides = {"hot": 600.0, "quiet": 3600.0}
    schedule = DriftSchedule(store, None, {"prod": 3600.0}, clock=lambda: now[0], overrides=overrides)  # type: ignore[arg-type]
    assert sorted(schedule.due()) == ["hot", "p", "quiet"]  # dev has no schedule, but "quiet" has its own
    schedule._last.update({"p": 1_000.0, "hot": 1_000.0, "quiet": 1_000.0})
    now[0] = 1_000.0 + 600.0
    assert schedule.due() == ["hot"]
