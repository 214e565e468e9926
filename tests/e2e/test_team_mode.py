"""Team mode end to end: a server and worker processes on a real PostgreSQL, real Terraform, the sandbox.

- `kill -9` of the worker applying a proposal: the other worker takes the task over once the dead
  one's heartbeat and leases run out, settles the component whose apply had started (its Terraform
  ran on and saved its state through the server) without applying it again, applies the rest.
- The server restarted during a plan, PostgreSQL restarted during the apply, then the worker was
  stopped (SIGTERM) under it: it finishes the run and exits; the proposal ends applied (or failed
  with a reason), nothing stays `applying` and no task stays `doing`.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from infraplane.adapters.sandbox.control import SandboxInfo
from infraplane.adapters.secrets import SecretBox
from infraplane.adapters.store import SqlStore
from tests.conftest import throwaway_postgres
from tests.support.postgres import ThrowawayPostgres
from tests.support.sandbox import aws, free_port
from tests.support.team import RunningWorker, Team, start_team

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.xdist_group("team-mode")]

FIXTURE_CATALOG = Path(__file__).resolve().parent.parent / "fixtures" / "catalog"
SECRET = "team-mode-secret-value"


@pytest.fixture(scope="module")
def team_postgres() -> Iterator[ThrowawayPostgres]:
    """A PostgreSQL of these tests' own: one of them restarts it."""
    yield from throwaway_postgres()


def environment(name: str, components: list[str]) -> dict[str, Any]:
    return {
        "apiVersion": "infraplane.dev/v1",
        "kind": "Environment",
        "metadata": {"name": name, "team": "shop", "tier": "dev"},
        "spec": {
            "components": {
                c: {"blueprint": "secret-parameter@1.0.0", "inputs": {"secret_value": f"{SECRET}-{c}"}}
                for c in components
            }
        },
    }


def _apply_started(worker: RunningWorker, env: str, component: str) -> bool:
    log = worker.home / "work" / env / component / "blueprint" / "module" / "apply.out"
    return log.is_file() and '"type":"apply_start"' in log.read_text(encoding="utf-8", errors="replace")


def _wait_for_log(worker: RunningWorker, env: str, component: str, name: str, timeout: float = 240) -> None:
    log = worker.home / "work" / env / component / "blueprint" / "module" / name
    deadline = time.monotonic() + timeout
    while not log.is_file() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert log.is_file(), f"{worker.name} never started {name} of {env}/{component}"


def _wait_for_apply(workers: list[RunningWorker], env: str, component: str, timeout: float = 240) -> RunningWorker:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for worker in workers:
            if _apply_started(worker, env, component):
                return worker
        time.sleep(0.1)
    raise AssertionError(f"no worker started applying {env}/{component}")


def _store(team: Team) -> SqlStore:
    key = SecretBox.from_key_file(team.server.home / "keys" / "state.key")
    return SqlStore(team.database_url, key)


@pytest.fixture(scope="module")
def shared_team(
    team_postgres: ThrowawayPostgres, sandbox: SandboxInfo, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Team]:
    """One server on one database for both stories (its start is the slow part); each story has its workers."""
    url = team_postgres.create_database("team_mode")
    team = start_team(
        tmp_path_factory.mktemp("team"), url, Path(sandbox.log).parent, [FIXTURE_CATALOG / "secret-parameter"]
    )
    yield team
    team.stop()


@pytest.fixture
def team(shared_team: Team) -> Iterator[Team]:
    yield shared_team
    shared_team.stop_workers()


def test_killed_worker_is_taken_over_and_nothing_is_applied_twice(team: Team, sandbox: SandboxInfo) -> None:
    env, components = "team-kill", ["a", "b"]
    first, second = team.start_worker("one"), team.start_worker("two")
    ready = team.wait_ready(workers=2)
    assert ready["queue"]["mode"] == "team"

    proposal_id = team.propose(environment(env, components))
    planned = team.wait_status(proposal_id, {"approved", "pending", "blocked"})
    assert planned["status"] == "approved", planned  # a person's dev change is auto-approved
    accepted = team.api("POST", f"/api/v1/proposals/{proposal_id}/apply")
    assert accepted.status_code == 202, accepted.text

    # Components apply one at a time (concurrency 1): kill the worker once Terraform changes the first.
    applier = _wait_for_apply([first, second], env, "a")
    applier.kill()
    survivor = second if applier is first else first

    done = team.wait_status(proposal_id, {"applied", "failed", "pending", "approved", "rejected"}, timeout=300)
    assert done["status"] == "applied", (done, survivor.log()[-3000:])

    store = _store(team)
    try:
        with store.read() as tx:
            applies = tx.proposals.applies(proposal_id)
            events = list(tx.audit.events())
            env_record = tx.environments.get(env)
            histories = {c: tx.environments.state_history(env, c) for c in components}
    finally:
        store.dispose()
    # The idempotency record: one apply per (proposal, component, approved plan digest).
    assert sorted(a.component for a in applies) == components
    assert len({a.plan_digest for a in applies}) == 1
    by_component = {a.component: a for a in applies}
    assert by_component["a"].outcome in ("recovered", "applied")
    assert by_component["b"].outcome == "applied"
    assert by_component["b"].run_id != by_component["a"].run_id  # the survivor applied the rest
    starts = [e.subject for e in events if e.action == "component.apply.start"]
    assert sorted(starts) == [f"component:{env}/{c}" for c in components]  # each apply started once
    assert any(e.action == "proposal.apply.resume" for e in events)
    assert any(e.action == "lock.takeover" for e in events)
    # The sandbox saw each parameter written once: a second apply would have made version 2.
    ssm = aws(sandbox, "ssm")
    for c in components:
        parameter = ssm.get_parameter(Name=f"/secrets/{env}/{c}", WithDecryption=True)["Parameter"]
        assert parameter["Version"] == 1, (c, parameter["Version"])
        assert parameter["Value"] == f"{SECRET}-{c}"
    # The state went through the server's API, every version kept, one lineage, serials rising.
    for c, history in histories.items():
        assert history, c
        assert len({v.lineage for v in history}) == 1
        serials = [v.serial for v in history]
        assert serials == sorted(serials)
    assert env_record is not None and env_record.status == "ready"
    verify = team.api("GET", "/api/v1/audit/verify")
    assert verify.status_code == 200 and verify.json()["verified"], verify.text
    # The sensitive input never rested in the queue in clear.
    import psycopg

    with psycopg.connect(team.database_url) as connection:
        args = [str(row[0]) for row in connection.execute("SELECT args FROM procrastinate_jobs")]
        ticks = connection.execute(
            "SELECT args->>'timestamp', count(*) FROM procrastinate_jobs"
            " WHERE task_name = 'infraplane.job.drift-check' GROUP BY 1"
        ).fetchall()
    assert args and not any(SECRET in text for text in args)
    # The scheduled jobs are periodic tasks: two workers, each tick deferred (and run) once.
    assert ticks and all(count == 1 for _, count in ticks), ticks
    assert "took over the stale lock" in survivor.log() or "resuming" in survivor.log()


def test_server_and_postgres_restarts_during_runs_end_every_proposal(
    team: Team, team_postgres: ThrowawayPostgres
) -> None:
    env = "team-restarts"
    metrics_port = free_port()
    worker = team.start_worker("solo", metrics_port=metrics_port)
    team.wait_ready(workers=1)
    proposal_id = team.propose(environment(env, ["a"]))
    # The server restarts while the worker plans (Terraform's state requests retry while it is away).
    _wait_for_log(worker, env, "a", "plan.out")
    team.restart_server()
    assert team.wait_status(proposal_id, {"approved", "pending", "blocked"})["status"] == "approved"
    assert team.api("POST", f"/api/v1/proposals/{proposal_id}/apply").status_code == 202
    # PostgreSQL restarts (every connection cut) while the worker applies; then the worker is told to
    # stop (SIGTERM): it takes no new task, finishes the run under way and exits cleanly.
    _wait_for_apply([worker], env, "a")
    metrics = httpx.get(f"http://127.0.0.1:{metrics_port}/metrics", timeout=10).text
    assert 'infraplane_worker_tasks_total{kind="plan",outcome="done"} 1.0' in metrics
    assert "infraplane_worker_tasks_running 1.0" in metrics  # the apply
    team_postgres.restart()
    worker.process.send_signal(signal.SIGTERM)
    assert worker.process.wait(300) == 0, worker.log()[-3000:]

    done = team.wait_status(proposal_id, {"applied", "failed", "pending", "approved"}, timeout=300)
    assert done["status"] in ("applied", "failed"), done
    if done["status"] == "failed":
        assert done["result"], done  # the reason it failed
    store = _store(team)
    try:
        with store.read() as tx:
            still = [p.id for p in tx.proposals.all() if p.status in ("applying",)]
    finally:
        store.dispose()
    assert still == []
    assert "Waiting for job to finish" in worker.log()
    assert "goes back to the queue" not in worker.log()  # alive, it never took its own run for a dead one's
    import psycopg

    with psycopg.connect(team.database_url) as connection:
        doing = connection.execute(
            "SELECT count(*) FROM procrastinate_jobs WHERE status = 'doing' AND task_name = 'infraplane.run'"
        ).fetchone()
    assert doing == (0,)  # every task's end was recorded, the one that ended while PostgreSQL restarted too
