"""Runs a dead process left behind, marked interrupted: when a server starts, and on its schedule.

A process killed while it applies leaves its proposal `applying` and its environment `applying`
(or `destroying`). Each run names its process: the apply-start audit event carries the pid and
host of the applier, the environment lock its holder. A run whose process is gone (or whose pid
now belongs to a younger process) is marked interrupted, with an audit event by the system.
Locks are not taken away here: their leases run out and the next run takes them over (waiting
for a Terraform still at work), exactly as on the CLI. Applying an interrupted proposal again
plans it again first (proposal_lifecycle.py).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from infraplane.core.audit import SYSTEM, utc_timestamp
from infraplane.core.clock import parse_time
from infraplane.core.ports import Store, Transaction
from infraplane.core.proposal_lifecycle import ProposalStatus, TransitionName
from infraplane.core.records import EnvironmentRecord
from infraplane.services.audit import record
from infraplane.services.locks import process_alive
from infraplane.services.orchestration.session import environment_lock
from infraplane.services.proposals.recording import record_transition

__all__ = ["Interruption", "recover_interrupted"]

_RUNNING_ENVIRONMENT = ("applying", "destroying")
_RUNNING_COMPONENT = ("applying", "destroying")


@dataclass(frozen=True)
class Interruption:
    """One run found dead and marked interrupted."""

    subject: str  # proposal:<id> | environment:<name>
    detail: str

    def __str__(self) -> str:
        return f"{self.subject}: {self.detail}"


def _who(payload: dict[str, Any]) -> str:
    pid, host = payload.get("pid"), payload.get("host")
    return f"pid {pid} on {host}" if pid is not None else "a process that did not record itself"


def _applier_alive(payload: dict[str, Any], started: str) -> bool:
    pid, host = payload.get("pid"), payload.get("host")
    if not isinstance(pid, int) or not isinstance(host, str):
        return False  # an apply that did not say who runs it cannot be resumed by anyone either
    return process_alive(pid, host, parse_time(started).timestamp())


def _interrupt_proposals(store: Store, leave_queued: bool) -> list[Interruption]:
    found: list[Interruption] = []
    with store.transaction() as tx:
        applying = [p.id for p in tx.proposals.all() if p.status == ProposalStatus.APPLYING]
        starts = {}
        if applying:
            starts = {e.subject: e for e in tx.audit.events(action="proposal.apply.start")}  # the latest wins
    for proposal_id in applying:
        start = starts.get(f"proposal:{proposal_id}")
        payload = dict(start.payload) if start else {}
        if start is not None and _applier_alive(payload, start.time):
            continue
        if leave_queued and payload.get("queued"):
            continue  # a task applies it: the queue gives a dead worker's task to another, which resumes it
        with store.transaction() as tx:
            current = tx.proposals.lock(proposal_id)
            if current is None or current.status != ProposalStatus.APPLYING:
                continue  # it finished (or failed) meanwhile
            detail = f"interrupted: {_who(payload)} stopped before the apply finished"
            moved = current.transition(TransitionName.INTERRUPT, ProposalStatus.INTERRUPTED, detail, utc_timestamp())
            tx.proposals.save(moved)
            process: dict[str, Any] = {k: payload[k] for k in ("pid", "host") if k in payload}
            record_transition(tx, SYSTEM, "proposal.interrupt", TransitionName.INTERRUPT, current, moved, process)
        found.append(Interruption(f"proposal:{proposal_id}", detail))
    return found


def _holder_alive(tx: Transaction, environment: str) -> tuple[bool, dict[str, Any]]:
    holder = tx.locks.get(environment_lock(environment))
    if holder is None:
        return False, {}  # the run's session ended without finishing it (the lock goes with the session)
    acquired = datetime.strptime(holder.acquired_at, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).timestamp()
    return process_alive(holder.pid, holder.host, acquired), {"pid": holder.pid, "host": holder.host}


def _interrupt_environment(tx: Transaction, env: EnvironmentRecord, holder: dict[str, Any]) -> Interruption:
    detail = f"interrupted: {_who(holder)} stopped while {env.status} it"
    now = utc_timestamp()
    tx.environments.save(replace(env, status="interrupted", error=detail, updated_at=now))
    components = []
    for component in tx.environments.components(env.name):
        if component.status in _RUNNING_COMPONENT:
            tx.environments.save_component(replace(component, status="interrupted", error=detail, updated_at=now))
            components.append(component.name)
    record(
        tx,
        SYSTEM,
        "environment.interrupt",
        f"environment:{env.name}",
        {"was": env.status, "components": components, **holder},
    )
    return Interruption(f"environment:{env.name}", detail)


def _interrupt_environments(store: Store) -> list[Interruption]:
    found: list[Interruption] = []
    with store.transaction() as tx:
        running = [e.name for e in tx.environments.all() if e.status in _RUNNING_ENVIRONMENT]
    for name in running:
        with store.transaction() as tx:
            env = tx.environments.get(name)
            if env is None or env.status not in _RUNNING_ENVIRONMENT:
                continue
            alive, holder = _holder_alive(tx, name)
            if not alive:
                found.append(_interrupt_environment(tx, env, holder))
    return found


def recover_interrupted(store: Store, leave_queued: bool = False) -> list[Interruption]:
    """Mark every run whose process died as interrupted (proposals, then environments); what was marked.

    `leave_queued` (team mode): applies run by queued tasks are left alone, the queue resumes them;
    only runs outside the queue (a CLI's) are marked.
    """
    if leave_queued:
        return _interrupt_proposals(store, leave_queued)  # a queued run's environment is resumed with it
    return _interrupt_proposals(store, leave_queued) + _interrupt_environments(store)
