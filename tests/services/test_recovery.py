"""Runs a dead process left: marked interrupted (with a system audit event); a live process's runs are left alone."""

from __future__ import annotations

import os
import socket
import subprocess
import time

import pytest

from infraplane.adapters.store import SqlStore
from infraplane.core.audit import SYSTEM, Actor
from infraplane.core.proposal_lifecycle import ProposalStatus
from infraplane.core.records import ComponentRecord, ComponentStatus, EnvironmentRecord, EnvironmentStatus, LockHolder
from infraplane.services.audit import record
from infraplane.services.locks import process_alive
from infraplane.services.recovery import recover_interrupted
from tests.support.proposals import build_proposal

HOST = socket.gethostname()


@pytest.fixture(scope="module")
def dead_pid() -> int:
    """The pid of a process that has exited."""
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


def _applying(store: SqlStore, proposal_id: str, pid: int) -> None:
    """A proposal some process `pid` started applying (as ProposalApplier records it)."""
    with store.transaction() as tx:
        tx.proposals.save(build_proposal(proposal_id, ProposalStatus.APPLYING))
        payload = {"plan_digest": "sha256:plan-1", "pid": pid, "host": HOST, "transition": "apply-start"}
        record(tx, Actor("human", "alice"), "proposal.apply.start", f"proposal:{proposal_id}", payload)


def _environment(store: SqlStore, name: str, status: EnvironmentStatus, holder_pid: int | None) -> None:
    with store.transaction() as tx:
        tx.environments.save(EnvironmentRecord(name, "shop", "dev", "alice", "bucket@1.1.0", "sandbox", None, status))
        component_status: dict[str, ComponentStatus] = {"network": "applied", "bucket": "applying"}
        for component, condition in component_status.items():
            tx.environments.save_component(
                ComponentRecord(name, component, "bucket@1.1.0", "sha256:x", "terraform", condition)
            )
        if holder_pid is not None:
            acquired = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
            tx.locks.put(f"environment:{name}", LockHolder("run-1", holder_pid, HOST, acquired, time.time() + 60))


def _events(store: SqlStore, action: str) -> list[tuple[str, Actor, dict[str, object]]]:
    with store.transaction() as tx:
        return [(e.subject, e.actor, dict(e.payload)) for e in tx.audit.events(action=action)]


def test_a_proposal_whose_applier_died_is_interrupted_once_and_a_live_ones_is_left(
    store: SqlStore, dead_pid: int
) -> None:
    _applying(store, "p-dead", dead_pid)
    _applying(store, "p-live", os.getpid())

    [found] = recover_interrupted(store)
    assert found.subject == "proposal:p-dead" and f"pid {dead_pid} on {HOST}" in found.detail
    with store.transaction() as tx:
        dead, live = tx.proposals.get("p-dead"), tx.proposals.get("p-live")
    assert dead is not None and dead.status == ProposalStatus.INTERRUPTED and dead.result == found.detail
    assert live is not None and live.status == ProposalStatus.APPLYING
    [(subject, actor, payload)] = _events(store, "proposal.interrupt")
    assert (subject, actor) == ("proposal:p-dead", SYSTEM)
    assert payload == {
        "pid": dead_pid,
        "host": HOST,
        "transition": "interrupt",
        "from": "applying",
        "to": "interrupted",
    }

    assert recover_interrupted(store) == []  # nothing twice
    assert len(_events(store, "proposal.interrupt")) == 1


def test_an_environment_whose_run_died_is_interrupted_with_its_running_components(
    store: SqlStore, dead_pid: int
) -> None:
    _environment(store, "dead-holder", "applying", dead_pid)
    _environment(store, "no-lock", "destroying", None)  # the session ended (Ctrl-C) without finishing
    _environment(store, "live-holder", "applying", os.getpid())
    _environment(store, "settled", "ready", None)

    found = {i.subject: i.detail for i in recover_interrupted(store)}
    assert set(found) == {"environment:dead-holder", "environment:no-lock"}
    assert "stopped while applying" in found["environment:dead-holder"]
    with store.transaction() as tx:
        status = {e.name: e.status for e in tx.environments.all()}
        components = {c.name: c.status for c in tx.environments.components("dead-holder")}
    assert status == {
        "dead-holder": "interrupted",
        "no-lock": "interrupted",
        "live-holder": "applying",
        "settled": "ready",
    }
    assert components == {"network": "applied", "bucket": "interrupted"}
    events = {subject: (actor, payload) for subject, actor, payload in _events(store, "environment.interrupt")}
    assert events["environment:dead-holder"] == (
        SYSTEM,
        {"was": "applying", "components": ["bucket"], "pid": dead_pid, "host": HOST},
    )
    assert set(events) == {"environment:dead-holder", "environment:no-lock"}
    with store.transaction() as tx:
        assert tx.locks.get("environment:dead-holder") is not None  # the lease is taken over later, as on the CLI


def test_a_pid_now_held_by_a_younger_process_counts_as_dead() -> None:
    assert process_alive(os.getpid(), HOST, time.time())
    assert not process_alive(os.getpid(), HOST, time.time() - 10 * 86400)  # the run began before this process
    assert process_alive(12345, "another-machine")  # only its lease can tell


def test_team_mode_leaves_a_queued_apply_to_the_queue(store: SqlStore, dead_pid: int) -> None:
    """A task's apply whose worker died is resumed by the queue; only a CLI's own dead apply is marked."""
    with store.transaction() as tx:
        for proposal_id, queued in (("p-task", True), ("p-cli", False)):
            tx.proposals.save(build_proposal(proposal_id, ProposalStatus.APPLYING))
            payload = {"plan_digest": "sha256:plan-1", "queued": queued, "pid": dead_pid, "host": HOST}
            record(tx, Actor("human", "alice"), "proposal.apply.start", f"proposal:{proposal_id}", payload)

    [found] = recover_interrupted(store, leave_queued=True)
    assert found.subject == "proposal:p-cli"
    with store.transaction() as tx:
        task = tx.proposals.get("p-task")
    assert task is not None and task.status == ProposalStatus.APPLYING
    [embedded] = recover_interrupted(store)  # embedded mode: a dead pid is a dead run, queued or not
    assert embedded.subject == "proposal:p-task"
