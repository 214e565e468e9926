"""The control plane's KPIs, computed from structured records of proposals and drift checks (docs/kpi.md).

Pure: the service reads the records from the store and the audit trail (services/kpi.py); every figure
here is a formula over them, and docs/kpi.md writes each one down. Durations are in seconds; a figure
with nothing to measure is None, never zero.

A *drift episode* is what one environment goes through from the first check that finds drift (after a
clean one) to its end: a remediation applied (a `drift-revert` or `drift-accept` proposal), or a later
clean check (someone fixed it by other means). Its time to detect runs from the last moment infraplane
knew the environment matched its code (a clean check, or an apply) to that first check: the out-of-band
change happened somewhere in that window, so this is an upper bound.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

__all__ = [
    "REMEDIATION_KINDS",
    "DriftCheck",
    "DriftEpisode",
    "Durations",
    "KpiReport",
    "ProposalFacts",
    "compute_kpis",
    "drift_episodes",
    "percentile",
]

REMEDIATION_KINDS = frozenset({"drift-revert", "drift-accept"})


@dataclass(frozen=True)
class ProposalFacts:
    """What the KPIs need of one proposal: when it was created, approved, applied or failed, and its findings."""

    id: str
    environment: str
    kind: str
    created_at: datetime
    needed_approval: bool
    approved_at: datetime | None = None
    applied_at: datetime | None = None
    failed_at: datetime | None = None
    findings: tuple[tuple[str, str], ...] = ()  # (rule, "deny" | "warn")


@dataclass(frozen=True)
class DriftCheck:
    """One drift check of one environment and whether it found drift."""

    environment: str
    at: datetime
    drifted: bool


@dataclass(frozen=True)
class DriftEpisode:
    environment: str
    detected_at: datetime
    clean_before: datetime | None  # the last moment the environment was known to match its code
    remediated_at: datetime | None = None
    resolved_at: datetime | None = None  # a clean check ended it without a remediation


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th quantile (0..1) by linear interpolation between the closest ranks; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


@dataclass(frozen=True)
class Durations:
    """Count, mean, p50 and p90 of some durations (seconds)."""

    values: tuple[float, ...] = ()

    @property
    def mean(self) -> float | None:
        return sum(self.values) / len(self.values) if self.values else None

    def as_dict(self) -> dict[str, Any]:
        def rounded(value: float | None) -> float | None:
            return None if value is None else round(value, 1)

        return {
            "count": len(self.values),
            "mean_seconds": rounded(self.mean),
            "p50_seconds": rounded(percentile(self.values, 0.5)),
            "p90_seconds": rounded(percentile(self.values, 0.9)),
        }


def _seconds(start: datetime, end: datetime) -> float:
    return (end - start).total_seconds()


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def drift_episodes(checks: Iterable[DriftCheck], proposals: Iterable[ProposalFacts]) -> list[DriftEpisode]:
    """Every drift episode, oldest first, from the checks and the applies of each environment."""
    events: list[tuple[datetime, int, str, str, bool]] = []  # (time, order, environment, what, drifted)
    for check in checks:
        events.append((check.at, 1, check.environment, "check", check.drifted))
    for proposal in proposals:
        if proposal.applied_at is not None:
            what = "remediation" if proposal.kind in REMEDIATION_KINDS else "apply"
            events.append((proposal.applied_at, 0, proposal.environment, what, False))
    episodes: list[DriftEpisode] = []
    open_by_env: dict[str, DriftEpisode] = {}
    clean_at: dict[str, datetime] = {}
    for at, _, environment, what, drifted in sorted(events):
        current = open_by_env.get(environment)
        if what == "check" and drifted:
            if current is None:
                open_by_env[environment] = DriftEpisode(environment, at, clean_at.get(environment))
            continue
        if what == "apply" and current is not None:
            continue  # an apply that is no remediation leaves the drift as it was
        clean_at[environment] = at
        if current is not None:
            ended = (
                DriftEpisode(environment, current.detected_at, current.clean_before, remediated_at=at)
                if what == "remediation"
                else DriftEpisode(environment, current.detected_at, current.clean_before, resolved_at=at)
            )
            episodes.append(ended)
            del open_by_env[environment]
    episodes.extend(open_by_env.values())
    return sorted(episodes, key=lambda e: (e.detected_at, e.environment))


@dataclass(frozen=True)
class KpiReport:
    since: datetime
    until: datetime
    checks: int
    drifted_checks: int
    drifted_now: tuple[str, ...]
    environments_checked: int
    time_to_detect: Durations
    time_to_remediate: Durations
    episodes: int
    open_episodes: int
    proposals: int
    proposals_hit: int
    rule_hits: dict[str, dict[str, int]] = field(default_factory=dict)
    approval_lead_time: Durations = Durations()
    deployments: int = 0
    lead_time_for_changes: Durations = Durations()
    failed_deployments: int = 0
    time_to_restore: Durations = Durations()
    unrestored: int = 0

    @property
    def days(self) -> float:
        return _seconds(self.since, self.until) / 86400

    def as_dict(self) -> dict[str, Any]:
        finished = self.deployments + self.failed_deployments
        return {
            "since": self.since.isoformat(),
            "until": self.until.isoformat(),
            "drift": {
                "checks": self.checks,
                "checks_with_drift": self.drifted_checks,
                "drift_rate": _ratio(self.drifted_checks, self.checks),
                "environments_checked": self.environments_checked,
                "environments_drifted_now": list(self.drifted_now),
                "episodes": self.episodes,
                "open_episodes": self.open_episodes,
                "mean_time_to_detect_seconds": self.time_to_detect.as_dict()["mean_seconds"],
                "time_to_detect": self.time_to_detect.as_dict(),
                "time_to_remediation": self.time_to_remediate.as_dict(),
            },
            "policy": {
                "proposals": self.proposals,
                "proposals_with_findings": self.proposals_hit,
                "hit_rate": _ratio(self.proposals_hit, self.proposals),
                "per_rule": {rule: dict(counts) for rule, counts in sorted(self.rule_hits.items())},
            },
            "approval_lead_time": self.approval_lead_time.as_dict(),
            "dora": {
                "deployments": self.deployments,
                "deployment_frequency_per_day": round(self.deployments / self.days, 4) if self.days > 0 else None,
                "lead_time_for_changes": self.lead_time_for_changes.as_dict(),
                "failed_deployments": self.failed_deployments,
                "change_failure_rate": _ratio(self.failed_deployments, finished),
                "time_to_restore": self.time_to_restore.as_dict(),
                "unrestored_failures": self.unrestored,
            },
        }


def _within(at: datetime | None, since: datetime, until: datetime) -> bool:
    return at is not None and since <= at <= until


def _drifted_now(checks: Sequence[DriftCheck], proposals: Sequence[ProposalFacts], live: set[str]) -> tuple[str, ...]:
    """Environments whose latest check found drift, with no remediation applied since."""
    latest: dict[str, DriftCheck] = {}
    for check in sorted(checks, key=lambda c: c.at):
        latest[check.environment] = check
    remedied: dict[str, datetime] = {}
    for p in proposals:
        if p.kind in REMEDIATION_KINDS and p.applied_at is not None:
            remedied[p.environment] = max(p.applied_at, remedied.get(p.environment, p.applied_at))
    return tuple(
        sorted(
            name
            for name, check in latest.items()
            if name in live and check.drifted and not (name in remedied and remedied[name] > check.at)
        )
    )


def compute_kpis(
    proposals: Sequence[ProposalFacts],
    checks: Sequence[DriftCheck],
    until: datetime,
    since: timedelta,
    environments: Iterable[str] | None = None,
) -> KpiReport:
    """Every KPI over the window (`until - since`, `until`]; `environments` limits "drifted now" to live ones."""
    start = until - since
    in_window = [c for c in checks if _within(c.at, start, until)]
    episodes = [e for e in drift_episodes(checks, proposals) if _within(e.detected_at, start, until)]
    live = set(environments) if environments is not None else {c.environment for c in checks}
    drifted_now = _drifted_now(checks, proposals, live)
    created = [p for p in proposals if _within(p.created_at, start, until)]
    rule_hits: dict[str, dict[str, int]] = {}
    for proposal in created:
        for rule, severity in sorted(set(proposal.findings)):
            counts = rule_hits.setdefault(rule, {})
            counts[severity] = counts.get(severity, 0) + 1
    applied = [p for p in proposals if _within(p.applied_at, start, until)]
    failed = [p for p in proposals if _within(p.failed_at, start, until)]
    restores: list[float] = []
    unrestored = 0
    for failure in failed:
        assert failure.failed_at is not None
        after = [
            p.applied_at
            for p in proposals
            if p.environment == failure.environment and p.applied_at is not None and p.applied_at > failure.failed_at
        ]
        if after:
            restores.append(_seconds(failure.failed_at, min(after)))
        else:
            unrestored += 1
    return KpiReport(
        since=start,
        until=until,
        checks=len(in_window),
        drifted_checks=sum(1 for c in in_window if c.drifted),
        drifted_now=drifted_now,
        environments_checked=len({c.environment for c in in_window}),
        time_to_detect=Durations(
            tuple(_seconds(e.clean_before, e.detected_at) for e in episodes if e.clean_before is not None)
        ),
        time_to_remediate=Durations(
            tuple(_seconds(e.detected_at, e.remediated_at) for e in episodes if e.remediated_at is not None)
        ),
        episodes=len(episodes),
        open_episodes=sum(1 for e in episodes if e.remediated_at is None and e.resolved_at is None),
        proposals=len(created),
        proposals_hit=sum(1 for p in created if p.findings),
        rule_hits=rule_hits,
        approval_lead_time=Durations(
            tuple(
                _seconds(p.created_at, p.approved_at)
                for p in created
                if p.needed_approval and p.approved_at is not None
            )
        ),
        deployments=len(applied),
        lead_time_for_changes=Durations(
            tuple(_seconds(p.created_at, p.applied_at) for p in applied if p.applied_at is not None)
        ),
        failed_deployments=len(failed),
        time_to_restore=Durations(tuple(restores)),
        unrestored=unrestored,
    )
