"""Leases across machines (team mode), on a clock the test moves: no sleep.

A holder on another machine is alive while its lease is renewed; once the lease ran out it is
taken over, but a component only once Terraform's state lock (a `tfstate:` row) is released or
abandoned. A patient acquirer (a worker resuming a task) waits for a live holder instead of refusing.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from infraplane.adapters.store import SqlStore
from infraplane.core.audit import SYSTEM
from infraplane.core.records import LockHolder
from infraplane.errors import RefusedError
from infraplane.services.locks import LeaseManager, state_lock_key

KEY = "component:shop/db"


@dataclass
class FakeTime:
    now: float = 1_000_000.0
    slept: float = 0.0

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds
        self.slept += seconds


def _elsewhere(store: SqlStore, key: str, expires: float, run: str = "dead-run") -> None:
    holder = LockHolder(run, 4242, "another-machine", "2026-01-01T00:00:00Z", expires)
    with store.transaction() as tx:
        tx.locks.put(key, holder)


def _leases(store: SqlStore, fake: FakeTime, patient: bool, messages: list[str]) -> LeaseManager:
    return LeaseManager(
        store, "new-run", SYSTEM, 30.0, messages.append, patient=patient, clock=fake.clock, sleep=fake.sleep
    )


def test_a_live_holder_on_another_machine_is_refused_unless_patient(store: SqlStore) -> None:
    fake = FakeTime()
    _elsewhere(store, KEY, fake.now + 20)
    with pytest.raises(RefusedError, match="locked by run dead-run"):
        _leases(store, fake, patient=False, messages=[]).acquire(KEY)
    messages: list[str] = []
    leases = _leases(store, fake, patient=True, messages=messages)
    leases.acquire(KEY)  # waits (on the fake clock) until the lease ran out, then takes over
    leases.release_all()
    assert 20 <= fake.slept < 22
    assert any("took over the stale lock" in m for m in messages)
    with store.read() as tx:
        takeovers = [e for e in tx.audit.events(action="lock.takeover")]
    assert [e.payload["previous_host"] for e in takeovers] == ["another-machine"]


def test_a_component_waits_for_terraforms_state_lock(store: SqlStore) -> None:
    fake = FakeTime()
    _elsewhere(store, KEY, fake.now - 1)  # the worker's lease ran out already
    state_key = state_lock_key(KEY)
    assert state_key == "tfstate:shop/db"
    _elsewhere(store, state_key, fake.now + 50, run="terraform-lock-id")  # its Terraform still works
    messages: list[str] = []
    leases = _leases(store, fake, patient=False, messages=messages)
    leases.acquire(KEY)
    leases.release_all()
    assert fake.slept >= 50  # not before the state lock was given up
    assert any("Terraform's state lock" in m for m in messages)
    with store.transaction() as tx:
        assert tx.locks.get(state_key) is None  # abandoned after its own lease: cleared with the takeover


def test_a_released_state_lock_lets_the_takeover_happen_at_once(store: SqlStore) -> None:
    fake = FakeTime()
    _elsewhere(store, KEY, fake.now - 1)
    leases = _leases(store, fake, patient=False, messages=[])
    leases.acquire(KEY)
    leases.release_all()
    assert fake.slept == 0


def test_claim_inserts_once(store: SqlStore) -> None:
    holder = LockHolder("one", 1, "h", "2026-01-01T00:00:00Z", 10.0)
    with store.transaction() as tx:
        assert tx.locks.claim("k", holder)
    with store.transaction() as tx:
        assert not tx.locks.claim("k", LockHolder("two", 2, "h", "2026-01-01T00:00:00Z", 10.0))
        current = tx.locks.get("k")
    assert current is not None and current.run_id == "one"


def test_a_live_holder_is_waited_for_a_bounded_time_then_refused(store: SqlStore) -> None:
    """A person's run meeting a scheduled drift check waits for it (up to `lock_wait_seconds`)."""
    fake = FakeTime()
    _elsewhere(store, KEY, fake.now + 500, run="drift-check")  # renewed far ahead: alive all along
    messages: list[str] = []
    leases = LeaseManager(
        store, "new-run", SYSTEM, 30.0, messages.append, clock=fake.clock, sleep=fake.sleep, live_wait=90
    )
    with pytest.raises(RefusedError, match=r"locked by run drift-check .*\(waited 90 s\)"):
        leases.acquire(KEY)
    assert 90 <= fake.slept < 92
    assert any("waiting for it (up to 90 s)" in m for m in messages)

    fake = FakeTime()
    _elsewhere(store, KEY, fake.now + 40, run="drift-check")  # it ends within the wait: taken over, no refusal
    leases = LeaseManager(store, "new-run", SYSTEM, 30.0, clock=fake.clock, sleep=fake.sleep, live_wait=90)
    leases.acquire(KEY)
    leases.release_all()
    assert 40 <= fake.slept < 42


@pytest.mark.parametrize("patient", [False, True])
def test_not_waiting_refuses_a_live_holder_at_once_and_names_it(store: SqlStore, patient: bool) -> None:
    """`wait=False` (the scheduler's jobs) refuses at once, whatever `live_wait` or patience say."""
    fake = FakeTime()
    _elsewhere(store, KEY, fake.now + 500, run="drift-check")
    leases = LeaseManager(
        store, "new-run", SYSTEM, 30.0, clock=fake.clock, sleep=fake.sleep, patient=patient, live_wait=90
    )
    with pytest.raises(RefusedError, match=r"locked by run drift-check .*since [^(]*; try again"):
        leases.acquire(KEY, wait=False)
    assert fake.slept == 0
