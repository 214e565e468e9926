"""The KPIs over a window, from the store (proposals and their findings) and the audit trail (when things happened).

The records are gathered here into the typed facts core/kpi.py computes over; docs/kpi.md has every formula.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import timedelta

from infraplane.core.audit import AuditEvent
from infraplane.core.clock import Clock, parse_time, system_clock
from infraplane.core.kpi import DriftCheck, KpiReport, ProposalFacts, compute_kpis
from infraplane.core.ports import ProposalQuery, Store

__all__ = ["KpiService"]


class KpiService:
    def __init__(self, store: Store, clock: Clock = system_clock) -> None:
        self._store = store
        self._clock = clock

    def report(self, since: timedelta, teams: Collection[str] | None = None) -> KpiReport:
        """Every KPI over the last `since`; `teams` limits it to those teams' environments (None: all)."""
        with self._store.read() as tx:
            environments = {e.name: e for e in tx.environments.all()}
            proposals = tx.proposals.find(ProposalQuery(teams=None if teams is None else frozenset(teams)))
            events: list[AuditEvent] = list(tx.audit.events(action="proposal.")) + list(
                tx.audit.events(action="drift.check")
            )
        visible = {n for n, e in environments.items() if teams is None or e.team in teams}
        approved: dict[str, str] = {}
        applied: dict[str, str] = {}
        failed: dict[str, str] = {}
        checks: list[DriftCheck] = []
        for event in events:
            subject = event.subject.partition(":")[2]
            if event.action == "drift.check":
                if subject in visible:
                    drifted = int(event.payload.get("drifted", 0) or 0) > 0
                    checks.append(DriftCheck(subject, parse_time(event.time), drifted))
            elif event.action == "proposal.approve" and event.payload.get("to") == "approved":
                approved.setdefault(subject, event.time)
            elif event.action == "proposal.apply.finish":
                applied[subject] = event.time
            elif event.action == "proposal.apply.fail":
                failed[subject] = event.time
        facts = [
            ProposalFacts(
                id=p.id,
                environment=p.environment,
                kind=p.kind,
                created_at=parse_time(p.created_at),
                needed_approval=p.decision.outcome != "auto-approved",
                approved_at=parse_time(approved[p.id]) if p.id in approved else None,
                applied_at=parse_time(applied[p.id]) if p.id in applied else None,
                failed_at=parse_time(failed[p.id]) if p.id in failed else None,
                findings=tuple(sorted({(f.rule, f.severity) for f in p.findings if f.severity in ("deny", "warn")})),
            )
            for p in proposals
        ]
        live = {n for n in visible if environments[n].status not in ("destroyed", "new")}
        return compute_kpis(facts, checks, self._clock(), since, live)
