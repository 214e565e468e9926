"""Environments with a TTL: a warning event ahead of time, then a destroy proposal when it ends.

The destroy proposal is the system's; it is applied at once where the approval
rules auto-approve it (dev by default) and otherwise waits for people like any other.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from infraplane.core.audit import SYSTEM, utc_timestamp
from infraplane.core.clock import parse_time
from infraplane.core.environment import parse_duration
from infraplane.core.proposal_lifecycle import ProposalStatus
from infraplane.errors import InfraplaneError
from infraplane.services.audit import record
from infraplane.services.orchestration.progress import Progress
from infraplane.services.proposals.service import ProposalService

__all__ = ["TtlAction", "check_ttls"]


@dataclass(frozen=True)
class TtlAction:
    environment: str
    action: str  # warned | proposed | applied | failed
    detail: str


def check_ttls(
    proposals: ProposalService, warning: timedelta, progress: Progress, now: datetime | None = None
) -> list[TtlAction]:
    """Warn about environments whose TTL ends within `warning`; propose destroying those whose TTL ended."""
    moment = now or proposals.clock()
    store = proposals.store
    actions: list[TtlAction] = []
    with store.transaction() as tx:
        environments = [e for e in tx.environments.all() if e.ttl and e.status == "ready"]
        warned = {e.subject.removeprefix("environment:") for e in tx.audit.events(action="environment.ttl.warning")}
    for env in environments:
        ends = parse_time(env.created_at) + timedelta(seconds=parse_duration(env.ttl or "0s"))
        open_destroys = [
            p
            for p in proposals.proposals(env.name)
            if p.kind == "destroy" and p.status in (ProposalStatus.PENDING, ProposalStatus.APPROVED)
        ]
        if moment >= ends:
            if open_destroys:
                continue
            justification = f"the environment's TTL of {env.ttl} ended at {utc_timestamp(ends)}"
            try:
                proposal = proposals.propose_destroy(env.name, SYSTEM, justification)
                actions.append(TtlAction(env.name, "proposed", proposal.id))
                if proposal.status == ProposalStatus.APPROVED:
                    proposals.apply(proposal.id, SYSTEM, progress)
                    actions.append(TtlAction(env.name, "applied", proposal.id))
            except InfraplaneError as exc:
                actions.append(TtlAction(env.name, "failed", exc.message))
        elif moment >= ends - warning and env.name not in warned:
            with store.transaction() as tx:
                record(
                    tx,
                    SYSTEM,
                    "environment.ttl.warning",
                    f"environment:{env.name}",
                    {"ttl": env.ttl, "ends_at": utc_timestamp(ends)},
                )
            actions.append(TtlAction(env.name, "warned", f"TTL ends at {utc_timestamp(ends)}"))
    return actions
