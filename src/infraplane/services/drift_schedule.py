"""Which environments the server's scheduler checks for drift now (issue 14).

Each tier has an interval (settings `drift.schedule`, e.g. prod 1h), which an environment of its own
may override (`drift.environments`); an environment is due when its last check is older than that. It
is skipped while a proposal of it is applying or anything holds its lease (never two checks, nor a
check and an apply, at once), and paused while its last apply failed or was interrupted: such an
environment waits for a person's apply, which also takes over a dead run's lock.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Protocol

from infraplane.core.audit import SYSTEM, Actor
from infraplane.core.ports import ProposalQuery, Store
from infraplane.errors import InfraplaneError
from infraplane.services.drift import DriftReport
from infraplane.services.orchestration.progress import NullProgress, Progress
from infraplane.services.orchestration.session import environment_lock

__all__ = ["DriftChecker", "DriftSchedule"]


class DriftChecker(Protocol):
    """What the schedule runs per environment: a drift check (DriftRemediation's also opens auto-reverts)."""

    def check(self, environment: str, actor: Actor, progress: Progress) -> DriftReport: ...


_SKIPPED_STATUSES = frozenset({"new", "destroyed", "destroying"})
# Paused until an apply succeeds: what the cloud holds is not what any revision says.
_PAUSED_STATUSES = frozenset({"failed", "interrupted"})


class DriftSchedule:
    """The drift-check job: `run` checks every due environment, one after the other."""

    def __init__(
        self,
        store: Store,
        drift: DriftChecker,
        intervals: Mapping[str, float],
        clock: Callable[[], float] = time.time,
        overrides: Mapping[str, float] | None = None,
    ) -> None:
        self._store = store
        self._drift = drift
        self._intervals = dict(intervals)
        self._overrides = dict(overrides or {})  # environment name -> its own interval
        self._clock = clock
        self._last: dict[str, float] = {}

    def due(self) -> list[str]:
        """Environments whose tier's interval has passed since their last check, and that may be checked now."""
        now = self._clock()
        due = []
        with self._store.transaction() as tx:  # the lock lookup locks its row (FOR UPDATE)
            for env in tx.environments.all():
                interval = self._overrides.get(env.name, self._intervals.get(env.tier))
                if interval is None or env.status in _SKIPPED_STATUSES | _PAUSED_STATUSES:
                    continue  # no schedule for the tier; nothing deployed; paused after a failed apply
                if now - self._last.get(env.name, float("-inf")) < interval:
                    continue
                holder = tx.locks.get(environment_lock(env.name))
                if holder is not None and holder.lease_expires > now:
                    continue  # an apply, destroy or another check holds it
                applying = tx.proposals.find(
                    ProposalQuery(environment=env.name, statuses=frozenset({"applying"})), limit=1
                )
                if applying:
                    continue
                due.append(env.name)
        return due

    def run(self) -> list[str]:
        """Check every due environment (actor: system); returns what was found, in short words."""
        found = []
        for name in self.due():
            self._last[name] = self._clock()
            try:
                report = self._drift.check(name, SYSTEM, NullProgress())
            except InfraplaneError as exc:
                found.append(f"{name}: drift check failed: {exc.message}")
                continue
            if report.items:
                opened = f"; revert proposal {report.auto_revert} is open" if report.auto_revert else ""
                found.append(f"{name}: {len(report.items)} drift item(s){opened}")
        return found
