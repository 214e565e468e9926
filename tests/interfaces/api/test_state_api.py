"""Terraform state over the API (team mode): only worker tokens reach it, locks hold, versions are kept encrypted.

Driven the way Terraform's `http` backend drives it (basic auth: the run id and a worker token;
LOCK/UNLOCK with the lock info; POST with `?ID=`), on a state file real Terraform wrote.
"""

from __future__ import annotations

import base64
import json
import time
from pathlib import Path

from sqlalchemy import text

from infraplane.core.identity import Role
from infraplane.core.records import LockHolder
from tests.interfaces.api.conftest import Api

STATE = (Path(__file__).resolve().parents[2] / "fixtures" / "states" / "mixed.tfstate.json").read_bytes()
URL = "/api/v1/state/shop-dev/db"


def _basic(run: str, secret: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{run}:{secret}".encode()).decode()}


def _lease(api: Api, run: str, seconds: float = 60) -> None:
    holder = LockHolder(run, 1, "worker-host", "2026-01-01T00:00:00Z", time.time() + seconds)
    with api.container.store.transaction() as tx:
        tx.locks.put("component:shop-dev/db", holder)


def _lock(api: Api, run: str, secret: str, lock_id: str, method: str = "LOCK") -> tuple[int, bytes]:
    info = json.dumps({"ID": lock_id, "Operation": "OperationTypeApply", "Who": "terraform@worker"})
    response = api.client.request(method, URL, content=info, headers=_basic(run, secret))
    return response.status_code, response.content


def test_only_worker_tokens_reach_state_and_workers_reach_nothing_else(api: Api) -> None:
    worker = api.token("runner", Role.WORKER)
    assert api.client.get(URL).status_code == 401
    assert api.client.get(URL, headers=_basic("r1", api.secrets["admin"])).status_code == 403  # not even an admin
    assert api.client.get(URL, headers=api.headers("admin")).status_code == 403
    assert api.client.get(URL, headers=_basic("r1", worker)).status_code == 404  # no state yet
    for path in ("/api/v1/me", "/api/v1/proposals", "/api/v1/blueprints", "/api/v1/audit", "/mcp"):
        assert api.client.get(path, headers=api.headers("runner")).status_code == 403, path


def test_locks_follow_the_lease_and_every_version_is_kept_encrypted(api: Api) -> None:
    worker = api.token("runner", Role.WORKER)
    assert _lock(api, "r1", worker, "lock-1")[0] == 423  # no run holds the component's lease
    _lease(api, "r1")
    assert _lock(api, "r2", worker, "lock-2")[0] == 423  # another run's Terraform
    assert _lock(api, "r1", worker, "lock-1")[0] == 200
    status, body = _lock(api, "r1", worker, "lock-9")
    assert status == 423 and json.loads(body)["ID"] == "lock-1"  # Terraform prints who holds it

    wrong = api.client.post(URL + "?ID=lock-9", content=STATE, headers=_basic("r1", worker))
    assert wrong.status_code == 423
    saved = api.client.post(URL + "?ID=lock-1", content=STATE, headers=_basic("r1", worker))
    assert saved.status_code == 200, saved.text
    newer = json.loads(STATE)
    newer["serial"] += 1
    again = api.client.post(URL + "?ID=lock-1", content=json.dumps(newer).encode(), headers=_basic("r1", worker))
    assert again.status_code == 200
    assert _lock(api, "r1", worker, "lock-9", "UNLOCK")[0] == 423  # not its lock
    assert _lock(api, "r1", worker, "lock-1", "UNLOCK")[0] == 200

    read = api.client.get(URL, headers=_basic("r1", worker))
    assert read.status_code == 200 and json.loads(read.content)["serial"] == newer["serial"]
    assert api.container.environments.state_history("shop-dev", "db") and [
        serial for serial, _ in api.container.environments.state_history("shop-dev", "db")
    ] == [newer["serial"] - 1, newer["serial"]]
    store = api.container.store
    with store.engine.connect() as connection:
        stored = [row[0] for row in connection.execute(text("SELECT ciphertext FROM state_versions"))]
    assert stored and not any(b"terraform_remote_state" in bytes(blob) for blob in stored)
    with store.read() as tx:
        writes = [e.payload for e in tx.audit.events(action="state.write")]
    assert [w["run"] for w in writes] == ["r1", "r1"]
    assert api.client.post(URL, content=b"not json", headers=_basic("r1", worker)).status_code == 422


def test_a_dead_runs_terraform_may_still_save_under_its_lock(api: Api) -> None:
    worker = api.token("runner", Role.WORKER)
    _lease(api, "r1")
    assert _lock(api, "r1", worker, "lock-1")[0] == 200
    _lease(api, "r2")  # the lease was taken over by another run (r1's worker died) ...
    saved = api.client.post(URL + "?ID=lock-1", content=STATE, headers=_basic("r1", worker))
    assert saved.status_code == 200  # ... while r1's Terraform ran on: what it did is kept
    assert _lock(api, "r2", worker, "lock-2")[0] == 423  # and r2 waits for that lock
