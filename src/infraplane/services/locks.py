"""Leases: locks that expire unless renewed, so a dead holder never blocks forever.

A holder renews its lease while it works. Another run that finds the lease
held checks whether the holder is still alive; a dead holder's lease is
reported as stale and taken over once it runs out (and once the tool process
it started has exited, so two Terraforms never act on one state).

On another machine a process cannot be seen: there the lease alone tells, and a component's
lease is taken over only once Terraform's own state lock (`tfstate:` rows the server's state API
keeps, services/state_api.py) is released or abandoned. A patient acquirer (a worker resuming a
task) waits for a live holder instead of refusing. Time comes from `clock`, so tests need no sleep.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import replace

import psutil

from infraplane.core.audit import Actor
from infraplane.core.ports import Store
from infraplane.core.records import LockHolder
from infraplane.errors import RefusedError
from infraplane.services.audit import record

__all__ = ["LeaseManager", "process_alive", "state_lock_key", "this_process"]

_HOST = socket.gethostname()


def this_process() -> dict[str, str | int]:
    """Who is working, as recorded beside a run, so a later process can tell whether it is still alive."""
    return {"pid": os.getpid(), "host": _HOST}


def process_alive(pid: int | None, host: str, since: float | None = None) -> bool:
    """Whether process `pid` on `host` still runs; started after `since` (epoch seconds) it is another one."""
    if pid is None:
        return False
    if host != _HOST:
        return True  # another machine's process cannot be seen from here; only its lease tells
    try:
        process = psutil.Process(pid)
        if since is not None and process.create_time() > since + 1.0:
            return False  # the pid was reused by a process that started after the run did
        return bool(process.status() != psutil.STATUS_ZOMBIE)
    except psutil.NoSuchProcess:
        return False


def _tool_alive(holder: LockHolder) -> bool:
    """Whether the holder's tool process runs; on another machine it cannot be seen (its state lock tells)."""
    if holder.child_pid is None or holder.host != _HOST:
        return False
    return process_alive(holder.child_pid, holder.host)


def state_lock_key(key: str) -> str | None:
    """The Terraform state lock that goes with a component's lease key (None for other keys)."""
    if key.startswith("component:"):
        return "tfstate:" + key.removeprefix("component:")
    return None


class LeaseManager:
    """Acquires, renews and releases leases for one run (`run_id`) of this process."""

    def __init__(
        self,
        store: Store,
        run_id: str,
        actor: Actor,
        lease_seconds: float,
        report: Callable[[str], None] = lambda _m: None,
        patient: bool = False,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        live_wait: float = 0.0,
    ) -> None:
        self._store = store
        self._patient = patient
        # How long a run waits for a live holder (a scheduled drift check, someone else's plan) before it
        # refuses; patient runs (a worker's) wait as long as the holder lives.
        self._live_wait = live_wait
        self._clock = clock
        self._sleep = sleep
        self.run_id = run_id
        self._actor = actor
        self._lease = lease_seconds
        self._report = report
        self._held: set[str] = set()
        self._guard = threading.Lock()
        self._stop = threading.Event()
        self._heartbeat: threading.Thread | None = None

    def holds(self, key: str) -> bool:
        with self._guard:
            return key in self._held

    def _holder(self, child_pid: int | None = None) -> LockHolder:
        now = self._clock()
        acquired = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now))
        return LockHolder(self.run_id, os.getpid(), _HOST, acquired, now + self._lease, child_pid)

    def acquire(self, key: str, wait: bool = True) -> None:
        """Take the lease on `key`; wait out a dead holder's lease; wait up to `live_wait` seconds for a live
        holder, then refuse (a patient run waits as long as the holder lives). `wait=False` refuses at once."""
        announced = False
        started = self._clock()
        while True:
            with self._store.transaction() as tx:
                current = tx.locks.get(key)
                now = self._clock()
                if current is None:
                    if tx.locks.claim(key, self._holder()):
                        break
                    continue  # another process inserted it first: look again
                if current.run_id == self.run_id:
                    tx.locks.put(key, self._holder())
                    break
                expired = current.lease_expires <= now
                local = current.host == _HOST
                holder_alive = process_alive(current.pid, current.host) if local else not expired
                tool_alive = _tool_alive(current)
                state_key = state_lock_key(key)
                state_lock = tx.locks.get(state_key) if state_key else None
                state_locked = state_lock is not None and state_lock.lease_expires > now
                if expired and not tool_alive and not state_locked:
                    tx.locks.put(key, self._holder())
                    if state_lock is not None and state_key is not None:
                        tx.locks.delete(state_key)  # abandoned: untouched for longer than its own lease
                    record(
                        tx,
                        self._actor,
                        "lock.takeover",
                        key,
                        {"previous_run": current.run_id, "previous_pid": current.pid, "previous_host": current.host},
                    )
                    self._report(f"took over the stale lock on {key} (run {current.run_id}, pid {current.pid})")
                    break
            waited_enough = self._clock() - started >= self._live_wait
            if holder_alive and (not wait or (not self._patient and waited_enough)):
                waited = f" (waited {self._live_wait:.0f} s)" if wait and self._live_wait > 0 else ""
                raise RefusedError(
                    f"{key} is locked by run {current.run_id} (pid {current.pid} on {current.host}) "
                    f"since {current.acquired_at}{waited}; try again when it finishes"
                )
            if not wait:
                remaining = current.lease_expires - now
                raise RefusedError(
                    f"{key} has a stale lock (pid {current.pid} is gone); its lease ends in {remaining:.0f} s"
                )
            if not announced:
                if holder_alive:
                    bound = "" if self._patient else f" (up to {self._live_wait:.0f} s)"
                    why = f"run {current.run_id} (pid {current.pid} on {current.host}) holds it; waiting for it{bound}"
                else:
                    waiting_for = "its tool process to exit and " if tool_alive else ""
                    waiting_for += "Terraform's state lock to be released and " if state_locked else ""
                    why = (
                        f"holder pid {current.pid} on {current.host} is gone; waiting for {waiting_for}its lease "
                        f"to end ({max(0.0, current.lease_expires - now):.0f} s) before taking over"
                    )
                self._report(f"stale lock on {key}: {why}" if not holder_alive else f"{key}: {why}")
                announced = True
            self._sleep(min(1.0, max(0.1, current.lease_expires - now)))
        with self._guard:
            self._held.add(key)
        self._ensure_heartbeat()

    def set_child(self, key: str, child_pid: int) -> None:
        """Remember the tool process working under this lease, so a successor waits for it."""
        with self._store.transaction() as tx:
            current = tx.locks.get(key)
            if current is not None and current.run_id == self.run_id:
                tx.locks.put(key, replace(current, child_pid=child_pid))

    def release(self, key: str) -> None:
        with self._guard:
            self._held.discard(key)
        with self._store.transaction() as tx:
            current = tx.locks.get(key)
            if current is not None and current.run_id == self.run_id:
                tx.locks.delete(key)

    def release_all(self) -> None:
        self._stop.set()
        with self._guard:
            keys = list(self._held)
        for key in keys:
            self.release(key)

    def _renew_all(self) -> None:
        with self._guard:
            keys = list(self._held)
        for key in keys:
            with self._store.transaction() as tx:
                current = tx.locks.get(key)
                if current is not None and current.run_id == self.run_id:
                    tx.locks.put(key, replace(current, lease_expires=self._clock() + self._lease))

    def _ensure_heartbeat(self) -> None:
        if self._heartbeat is not None:
            return

        def beat() -> None:
            while not self._stop.wait(self._lease / 3):
                try:
                    self._renew_all()
                except Exception as exc:  # noqa: BLE001 - the store may be restarting: renew next beat
                    self._report(f"could not renew leases ({exc.__class__.__name__}); trying again")

        self._heartbeat = threading.Thread(target=beat, name="lease-heartbeat", daemon=True)
        self._heartbeat.start()
