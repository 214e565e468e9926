"""The KPIs on a small hand-made history whose every figure is worked out by hand below (docs/kpi.md)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from infraplane.core.kpi import DriftCheck, ProposalFacts, compute_kpis, drift_episodes, percentile

T0 = datetime(2026, 1, 1, tzinfo=UTC)
UNTIL = T0 + timedelta(days=10)


def at(hours: float, minutes: float = 0) -> datetime:
    return T0 + timedelta(hours=hours, minutes=minutes)


PROPOSALS = [
    # a: created, one approval after 30 min, applied at 1:00 (lead time 1 h); a warning.
    ProposalFacts("p1", "a", "create", at(0), True, at(0, 30), at(1), findings=(("TAG-001", "warn"),)),
    # a: the drift revert, approved after 10 min, applied at 5:20.
    ProposalFacts("p2", "a", "drift-revert", at(5), True, at(5, 10), at(5, 20)),
    # b: auto-approved create applied at 0:20; a deny and a warning.
    ProposalFacts(
        "p3", "b", "create", at(0), False, None, at(0, 20), findings=(("NET-002", "deny"), ("TAG-001", "warn"))
    ),
    # b: approved after an hour, its apply failed at 3:30 ...
    ProposalFacts("p4", "b", "update", at(2), True, at(3), failed_at=at(3, 30)),
    # ... and the next apply of b (4:30) restored it.
    ProposalFacts("p5", "b", "update", at(4), False, None, at(4, 30)),
    # Outside the 30-day window: counted nowhere.
    ProposalFacts("p0", "a", "create", UNTIL - timedelta(days=40), True, UNTIL - timedelta(days=40)),
]
CHECKS = [
    DriftCheck("a", at(2), False),
    DriftCheck("a", at(4), True),  # a's episode: detected at 4:00, last clean at 2:00
    DriftCheck("a", at(4, 30), True),  # the same episode
    DriftCheck("a", at(6), False),
    DriftCheck("b", at(5), True),  # b's episode: last clean observation is p5's apply at 4:30; still open
]


def test_episodes_start_at_the_first_drifted_check_and_end_with_the_remediation() -> None:
    episodes = drift_episodes(CHECKS, PROPOSALS)
    assert [(e.environment, e.detected_at, e.clean_before, e.remediated_at, e.resolved_at) for e in episodes] == [
        ("a", at(4), at(2), at(5, 20), None),
        ("b", at(5), at(4, 30), None, None),
    ]


def test_every_figure_matches_the_hand_computed_one() -> None:
    figures = compute_kpis(PROPOSALS, CHECKS, UNTIL, timedelta(days=30), environments={"a", "b"}).as_dict()
    drift = figures["drift"]
    assert (drift["checks"], drift["checks_with_drift"], drift["drift_rate"]) == (5, 3, 0.6)
    assert drift["environments_drifted_now"] == ["b"] and drift["environments_checked"] == 2
    assert (drift["episodes"], drift["open_episodes"]) == (2, 1)
    assert drift["mean_time_to_detect_seconds"] == 4500.0  # (2 h + 30 min) / 2
    assert drift["time_to_remediation"] == {
        "count": 1,
        "mean_seconds": 4800.0,
        "p50_seconds": 4800.0,
        "p90_seconds": 4800.0,
    }  # 4:00 -> 5:20
    policy = figures["policy"]
    assert (policy["proposals"], policy["proposals_with_findings"], policy["hit_rate"]) == (5, 2, 0.4)
    assert policy["per_rule"] == {"NET-002": {"deny": 1}, "TAG-001": {"warn": 2}}
    # Approval lead times 600, 1800, 3600 s: p90 = 1800 + 0.8 * (3600 - 1800).
    assert figures["approval_lead_time"] == {
        "count": 3,
        "mean_seconds": 2000.0,
        "p50_seconds": 1800.0,
        "p90_seconds": 3240.0,
    }
    dora = figures["dora"]
    assert dora["deployments"] == 4 and dora["deployment_frequency_per_day"] == round(4 / 30, 4)
    # Lead times for changes 1200, 1200, 1800, 3600 s.
    assert dora["lead_time_for_changes"] == {
        "count": 4,
        "mean_seconds": 1950.0,
        "p50_seconds": 1500.0,
        "p90_seconds": 3060.0,
    }
    assert (dora["failed_deployments"], dora["change_failure_rate"]) == (1, 0.2)
    assert dora["time_to_restore"]["p50_seconds"] == 3600.0 and dora["unrestored_failures"] == 0


def test_nothing_measured_is_none_never_zero() -> None:
    figures = compute_kpis([], [], UNTIL, timedelta(days=30)).as_dict()
    assert figures["drift"]["drift_rate"] is None and figures["policy"]["hit_rate"] is None
    assert figures["drift"]["mean_time_to_detect_seconds"] is None
    assert figures["dora"]["change_failure_rate"] is None
    assert figures["approval_lead_time"] == {"count": 0, "mean_seconds": None, "p50_seconds": None, "p90_seconds": None}


def test_a_clean_check_ends_an_episode_without_a_remediation_and_later_drift_opens_another() -> None:
    checks = [DriftCheck("a", at(1), True), DriftCheck("a", at(2), False), DriftCheck("a", at(3), True)]
    episodes = drift_episodes(checks, [])
    assert [(e.detected_at, e.clean_before, e.resolved_at) for e in episodes] == [
        (at(1), None, at(2)),
        (at(3), at(2), None),
    ]


@pytest.mark.parametrize(
    ("values", "q", "expected"),
    [([5.0], 0.9, 5.0), ([1.0, 2.0, 3.0, 4.0], 0.5, 2.5), ([10.0, 20.0], 0.9, 19.0), ([], 0.5, None)],
)
def test_percentiles_interpolate_between_the_closest_ranks(values: list[float], q: float, expected: float) -> None:
    assert percentile(values, q) == expected
