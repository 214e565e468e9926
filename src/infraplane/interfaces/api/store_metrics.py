"""The figures `/metrics` reads from the store at scrape time, so every process reports the same totals.

Proposals and the queue are counted with one GROUP BY. Findings are read from each proposal's
document, parsed again only when the proposal was saved since the last scrape (a save moves its
`updated_at`; when neither the count nor the newest `updated_at` moved, no document is read). Decisions, reviews,
audit events and runs are folded from the audit log, which is append-only: each scrape reads only
the events after the last one it saw (the first scrape after a start reads the whole log once).
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from infraplane.adapters.store.tables import ComponentRow, ProposalRow
from infraplane.core.audit import AuditEvent
from infraplane.core.proposal_lifecycle import ProposalStatus

if TYPE_CHECKING:
    from infraplane.adapters.store import SqlStore

__all__ = ["RUN_BUCKETS", "StoreCollector"]

# Seconds: a script run takes a second, a Terraform apply of a database a quarter of an hour.
RUN_BUCKETS = (1.0, 5.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1200.0, 1800.0, 3600.0)
# The queue as the store sees it: proposals waiting for people, for an apply, and being applied.
QUEUES = {"approval": ProposalStatus.PENDING, "apply": ProposalStatus.APPROVED, "running": ProposalStatus.APPLYING}
_RUN_ENDS = {"finish": "succeeded", "fail": "failed"}


def _seconds_between(start: str, end: str) -> float:
    try:
        return max(0.0, (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds())
    except ValueError:
        return 0.0


@dataclass
class _Runs:
    """Runs folded from `component.<apply|destroy>.<start|finish|fail>` events."""

    started: dict[str, tuple[str, str]] = field(default_factory=dict)  # subject -> (operation, start time)
    counts: Counter[tuple[str, str, str]] = field(default_factory=Counter)  # (runner, operation, result)
    buckets: dict[tuple[str, str, str], list[int]] = field(default_factory=dict)
    sums: dict[tuple[str, str, str], float] = field(default_factory=dict)

    def fold(self, event: AuditEvent, runner_of: dict[str, str]) -> None:
        _, operation, stage = event.action.split(".", 2)
        runner = runner_of.get(event.subject.removeprefix("component:"), "unknown")
        if stage == "start":
            previous = self.started.pop(event.subject, None)
            if previous is not None:
                # Started again without an end: the process that ran it died (the crash-recovery path).
                self._count(runner, previous[0], "interrupted", _seconds_between(previous[1], event.time))
            self.started[event.subject] = (operation, event.time)
            return
        began = self.started.pop(event.subject, None)
        recorded = event.payload.get("seconds")
        if isinstance(recorded, int | float):
            seconds = float(recorded)
        else:
            seconds = _seconds_between(began[1], event.time) if began else 0.0
        self._count(runner, operation, _RUN_ENDS.get(stage, stage), seconds)

    def _count(self, runner: str, operation: str, result: str, seconds: float) -> None:
        key = (runner, operation, result)
        self.counts[key] += 1
        self.sums[key] = self.sums.get(key, 0.0) + seconds
        buckets = self.buckets.setdefault(key, [0] * len(RUN_BUCKETS))
        for index, bound in enumerate(RUN_BUCKETS):
            if seconds <= bound:
                buckets[index] += 1


@dataclass
class _Folded:
    """Everything read from the audit log so far."""

    after: int = 0
    actions: Counter[str] = field(default_factory=Counter)
    decisions: Counter[str] = field(default_factory=Counter)
    reviews: Counter[str] = field(default_factory=Counter)
    runs: _Runs = field(default_factory=_Runs)


class StoreCollector(Collector):
    """A prometheus-client collector over the store; safe to scrape from several threads at once."""

    def __init__(self, store: Callable[[], SqlStore]) -> None:
        self._open_store = store  # opened at the first scrape, not when the app is built
        self._lock = threading.Lock()
        self._folded = _Folded()
        self._findings: dict[str, Counter[tuple[str, str]]] = {}  # proposal id -> its findings by (rule, severity)
        self._finding_totals: Counter[tuple[str, str]] = Counter()
        self._seen: tuple[int, str] | None = None  # (proposals, newest updated_at) at the last scrape

    def collect(self) -> Iterator[Metric]:
        with self._lock, self._open_store().transaction() as tx:
            session = tx.session
            grouped = session.execute(
                select(ProposalRow.kind, ProposalRow.status, func.count()).group_by(
                    ProposalRow.kind, ProposalRow.status
                )
            ).all()
            self._read_findings(session)
            events = list(tx.audit.events(after=self._folded.after))
            runner_of = (
                {
                    f"{environment}/{name}": runner
                    for environment, name, runner in session.execute(
                        select(ComponentRow.environment, ComponentRow.name, ComponentRow.runner)
                    )
                }
                if any(e.action.startswith("component.") for e in events)
                else {}
            )
        with self._lock:
            self._fold(events, runner_of)
            proposals = Counter({(kind, status): count for kind, status, count in grouped})
            by_status = Counter[str]()
            for (_, status), count in proposals.items():
                by_status[status] += count
            queues = Counter({queue: by_status.get(status.value, 0) for queue, status in QUEUES.items()})
            yield from self._families(proposals, queues, +self._finding_totals)

    def _read_findings(self, session: Session) -> None:
        """Parse the documents of the proposals saved since the last scrape (every save moves `updated_at`)."""
        count, newest = session.execute(select(func.count(), func.max(ProposalRow.updated_at))).one()
        seen = (int(count), str(newest or ""))
        if seen == self._seen:
            return
        query = select(ProposalRow.id, ProposalRow.document)
        if self._seen is not None and seen[0] >= self._seen[0]:
            query = query.where(ProposalRow.updated_at >= self._seen[1])
        else:  # the first scrape, or proposals were removed: read them all
            self._findings.clear()
            self._finding_totals.clear()
        for proposal_id, document in session.execute(query):
            self._finding_totals.subtract(self._findings.get(proposal_id, Counter()))
            counts = self._findings[proposal_id] = _finding_counts(document)
            self._finding_totals.update(counts)
        self._seen = seen

    def _fold(self, events: list[AuditEvent], runner_of: dict[str, str]) -> None:
        folded = self._folded
        for event in events:
            if event.sequence <= folded.after:
                continue  # a scrape running alongside folded it already
            folded.after = event.sequence
            folded.actions[event.action] += 1
            if event.action == "proposal.decide":
                folded.decisions[str(event.payload.get("outcome", "unknown"))] += 1
            elif event.action in ("proposal.approve", "proposal.reject"):
                folded.reviews[event.action.removeprefix("proposal.")] += 1
            elif event.action.startswith(("component.apply.", "component.destroy.")) and event.action.count(".") == 2:
                folded.runs.fold(event, runner_of)

    def _families(
        self, proposals: Counter[tuple[str, str]], queues: Counter[str], findings: Counter[tuple[str, str]]
    ) -> Iterator[Metric]:
        folded = self._folded
        family = GaugeMetricFamily(
            "infraplane_proposals", "Proposals in the store, by kind and status.", labels=["kind", "status"]
        )
        for (kind, status), count in sorted(proposals.items()):
            family.add_metric([kind, status], count)
        yield family
        family = GaugeMetricFamily(
            "infraplane_queue_depth",
            "Proposals waiting: for approval (pending), for an apply (approved), or being applied (applying).",
            labels=["queue"],
        )
        for queue in QUEUES:
            family.add_metric([queue], queues[queue])
        yield family
        family = GaugeMetricFamily(
            "infraplane_policy_findings",
            "Policy findings on the stored proposals' current plans, by rule and severity.",
            labels=["rule", "severity"],
        )
        for (rule, severity), count in sorted(findings.items()):
            family.add_metric([rule, severity], count)
        yield family
        yield _counter(
            "infraplane_decisions", "Approval-rule decisions on proposals, by outcome.", "outcome", folded.decisions
        )
        yield _counter(
            "infraplane_reviews", "People's approvals and rejections of proposals.", "verdict", folded.reviews
        )
        yield _counter("infraplane_audit_events", "Events in the audit log, by action.", "action", folded.actions)
        runs = folded.runs
        counter = CounterMetricFamily(
            "infraplane_runs", "Runner steps on components, by runner, operation and result.", labels=RUN_LABELS
        )
        histogram = HistogramMetricFamily(
            "infraplane_run_duration_seconds",
            "How long runner steps on components took, by runner, operation and result.",
            labels=RUN_LABELS,
        )
        for key in sorted(runs.counts):
            counter.add_metric(list(key), runs.counts[key])
            cumulative = [(f"{bound:g}", count) for bound, count in zip(RUN_BUCKETS, runs.buckets[key], strict=True)]
            histogram.add_metric(list(key), [*cumulative, ("+Inf", runs.counts[key])], runs.sums[key])
        yield counter
        yield histogram
        yield GaugeMetricFamily(
            "infraplane_runs_in_progress",
            "Runner steps started and not finished (an interrupted one stays until it starts again).",
            value=len(runs.started),
        )


RUN_LABELS = ["runner", "operation", "result"]


def _counter(name: str, documentation: str, label: str, counts: Counter[str]) -> CounterMetricFamily:
    family = CounterMetricFamily(name, documentation, labels=[label])
    for value, count in sorted(counts.items()):
        family.add_metric([value], count)
    return family


def _finding_counts(document: str) -> Counter[tuple[str, str]]:
    try:
        findings = json.loads(document).get("findings", [])
    except (ValueError, AttributeError):
        return Counter()
    return Counter(
        (str(f.get("rule", "")), str(f.get("severity", ""))) for f in findings if isinstance(f, dict) and f.get("rule")
    )
