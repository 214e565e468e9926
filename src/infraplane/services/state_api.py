"""Terraform state over the server's API (team mode): what a remote worker's Terraform reads, writes and locks.

Terraform's `http` backend on a worker talks to `/api/v1/state/{environment}/{component}`
(interfaces/api/routes_state.py) with a worker token; the run it works for is the basic-auth user
name. The rules:

- LOCK is granted only to the run holding the component's lease (services/locks.py), and only when
  no other Terraform holds the state lock. The lock is a `tfstate:` row in the store, so every server
  sees it; it lasts `lock_seconds` from its last use (a Terraform that died with its machine).
- POST (a new state version) needs the lock's ID when the state is locked, else the component's
  lease: a Terraform whose worker died may still save what it did, and a successor waits for that
  lock before it takes the component over.
- Every version is kept, encrypted at rest by the store (as the loopback server's are), with a
  `state.write` audit event naming the run.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import replace

from infraplane.core.audit import Actor, utc_timestamp
from infraplane.core.ports import Store
from infraplane.core.records import LockHolder, StateVersion
from infraplane.core.state import StateFormatError, parse_state
from infraplane.errors import InputError, Problem, RefusedError
from infraplane.services.audit import record
from infraplane.services.orchestration.session import component_lock

__all__ = ["StateApi", "StateLockedError", "tfstate_lock"]


def tfstate_lock(environment: str, component: str) -> str:
    return f"tfstate:{environment}/{component}"


class StateLockedError(RefusedError):
    """Another Terraform holds the state lock (or the run does not hold the component's lease)."""

    code = "state_locked"

    def __init__(self, message: str, lock_info: bytes) -> None:
        super().__init__(message)
        self.lock_info = lock_info


def _lock_info(lock_id: str, who: str) -> bytes:
    return json.dumps({"ID": lock_id, "Who": who, "Operation": "", "Info": ""}).encode()


class StateApi:
    def __init__(self, store: Store, lock_seconds: float, clock: Callable[[], float] = time.time) -> None:
        self._store = store
        self._lock_seconds = lock_seconds
        self._clock = clock

    def read(self, environment: str, component: str) -> bytes | None:
        with self._store.read() as tx:
            latest = tx.environments.latest_state(environment, component)
        return latest.content if latest else None

    def lock(self, environment: str, component: str, run_id: str, info: bytes) -> None:
        """Grant Terraform's state lock to run `run_id`'s Terraform; StateLockedError when it may not have it."""
        lock_id = _lock_id(info)
        now = self._clock()
        with self._store.transaction() as tx:
            lease = tx.locks.get(component_lock(environment, component))
            if lease is None or lease.run_id != run_id or lease.lease_expires <= now:
                raise StateLockedError(
                    f"{environment}/{component}: run {run_id} does not hold the component's lease",
                    _lock_info("", "another infraplane run (or none holds the lease)"),
                )
            key = tfstate_lock(environment, component)
            current = tx.locks.get(key)
            if current is not None and current.run_id != lock_id and current.lease_expires > now:
                raise StateLockedError(
                    f"{environment}/{component}: the state is locked by {current.host}",
                    _lock_info(current.run_id, current.host),
                )
            holder = LockHolder(lock_id, 0, f"terraform of run {run_id}", utc_timestamp(), now + self._lock_seconds)
            if current is None:
                if not tx.locks.claim(key, holder):
                    raise StateLockedError(f"{environment}/{component}: the state is locked", _lock_info("", "?"))
            else:
                tx.locks.put(key, holder)

    def unlock(self, environment: str, component: str, info: bytes) -> None:
        lock_id = _lock_id(info) if info else ""
        with self._store.transaction() as tx:
            key = tfstate_lock(environment, component)
            current = tx.locks.get(key)
            if current is None:
                return
            if lock_id and current.run_id != lock_id:
                raise StateLockedError(
                    f"{environment}/{component}: the state is locked by another Terraform",
                    _lock_info(current.run_id, current.host),
                )
            tx.locks.delete(key)

    def write(
        self, environment: str, component: str, run_id: str, lock_id: str | None, content: bytes, actor: Actor
    ) -> int:
        """Keep a new state version; its serial. Refused when another Terraform holds the lock."""
        try:
            state = parse_state(content)
        except StateFormatError as exc:
            raise InputError(f"not a Terraform state: {exc}", [Problem("", "body", str(exc))]) from None
        now = self._clock()
        with self._store.transaction() as tx:
            key = tfstate_lock(environment, component)
            current = tx.locks.get(key)
            if current is not None and current.lease_expires > now:
                if current.run_id != (lock_id or ""):
                    raise StateLockedError(
                        f"{environment}/{component}: the state is locked by {current.host}",
                        _lock_info(current.run_id, current.host),
                    )
                tx.locks.put(key, replace(current, lease_expires=now + self._lock_seconds))  # still in use
            else:
                lease = tx.locks.get(component_lock(environment, component))
                if lease is None or lease.run_id != run_id:
                    raise StateLockedError(
                        f"{environment}/{component}: run {run_id} holds neither the state lock nor the lease",
                        _lock_info("", "nobody"),
                    )
            version = StateVersion(environment, component, state.serial, state.lineage, content, utc_timestamp())
            tx.environments.add_state(version)
            record(
                tx,
                actor,
                "state.write",
                f"component:{environment}/{component}",
                {"serial": version.serial, "lineage": version.lineage, "run": run_id},
            )
        return state.serial


def _lock_id(info: bytes) -> str:
    try:
        parsed = json.loads(info or b"{}")
    except ValueError:
        raise InputError("the lock request is not JSON", [Problem("", "body", "not JSON")]) from None
    lock_id = parsed.get("ID") if isinstance(parsed, dict) else None
    if not isinstance(lock_id, str) or not lock_id:
        raise InputError("the lock request has no ID", [Problem("", "body.ID", "missing")])
    return lock_id
