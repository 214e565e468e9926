"""Advisors' decisions on metric series: right-sizing, scaling out, up or out, idle environments."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from infraplane.core.advisors import (
    AdvisorLimits,
    MetricPoint,
    MetricQuery,
    coverage,
    idle,
    prefer_up_or_out,
    right_size,
    scale_out,
)
from infraplane.core.blueprint import MetricSpec, ScalingSpec, SizingSpec

NOW = datetime(2026, 12, 1, tzinfo=UTC)
LIMITS = AdvisorLimits()
CPU = MetricSpec(namespace="AWS/RDS", name="CPUUtilization", dimension="DBInstanceIdentifier", output="instance_id")
SIZING = SizingSpec(input="size", metric=CPU, capacity={"small": 1, "medium": 2, "large": 4})
PRICES = {"small": Decimal("13.14"), "medium": Decimal("52.56"), "large": Decimal("129.94")}
QUERY = MetricQuery.of(CPU, "orders-db")


def series(hours: int, value: Callable[[int], float], every: int = 1) -> list[MetricPoint]:
    """One point every `every` hours over the last `hours` hours, oldest first."""
    return [MetricPoint(NOW - timedelta(hours=hours - h), value(h)) for h in range(0, hours, every)]


def cpu_20_to_30(h: int) -> float:
    return 20.0 + (h * 7 % 11)  # 20 .. 30


def test_a_database_at_20_to_30_percent_gets_the_smallest_size_covering_peak_plus_headroom() -> None:
    found = right_size("orders", "postgres", SIZING, "large", QUERY, series(336, cpu_20_to_30), PRICES, LIMITS)
    assert (found.action, found.current, found.proposed) == ("resize", "large", "medium")
    # peak 30% of 4 units = 1.2; +15% = 1.38: medium (2) covers it, small (1) would not.
    assert found.evidence["required_capacity_units"] == pytest.approx(1.38)
    assert SIZING.capacity[found.proposed] >= found.evidence["required_capacity_units"]
    assert found.monthly_delta == -77.38 and found.cost_text() == "saves $77.38/month"
    assert found.confidence == "high" and found.coverage is not None and found.coverage.present_hours == 336
    assert "with 15% headroom it needs 1.38" in found.reasoning
    assert "small (1) would fall below peak plus headroom" in found.reasoning


def test_never_below_the_peak_plus_headroom_even_where_the_peak_alone_would_fit() -> None:
    # peak 24% of large = 0.96 units: small (1) holds the peak, but not the peak plus 15% (1.104).
    points = series(336, lambda h: 24.0 if h == 100 else 10.0)
    found = right_size("orders", "postgres", SIZING, "large", QUERY, points, PRICES, LIMITS)
    assert found.proposed == "medium"
    no_headroom = right_size("orders", "postgres", SIZING, "large", QUERY, points, PRICES, AdvisorLimits(headroom=0.0))
    assert no_headroom.proposed == "small"  # the headroom, not the peak alone, decided


def test_a_cache_near_its_memory_limit_gets_a_larger_size_and_what_it_costs() -> None:
    memory = MetricSpec(
        namespace="AWS/ElastiCache",
        name="DatabaseMemoryUsagePercentage",
        dimension="CacheClusterId",
        output="cluster_id",
    )
    sizing = SizingSpec(input="size", metric=memory, capacity={"small": 0.5, "medium": 3.09, "large": 6.38})
    prices = {"small": Decimal("12.41"), "medium": Decimal("49.64"), "large": None}
    points = series(336, lambda h: 85.0 + (h % 9))  # 85 .. 93 %
    found = right_size("sessions", "cache", sizing, "small", MetricQuery.of(memory, "c-001"), points, prices, LIMITS)
    assert (found.action, found.proposed, found.monthly_delta) == ("resize", "medium", 37.23)
    assert found.cost_text() == "costs $37.23/month more"


def test_a_size_that_fits_is_kept_and_nothing_fitting_takes_the_largest() -> None:
    kept = right_size("o", "postgres", SIZING, "medium", QUERY, series(336, lambda h: 50.0), PRICES, LIMITS)
    assert (kept.action, kept.proposed, kept.monthly_delta, kept.actionable) == ("keep", "medium", 0.0, False)
    full = right_size("o", "postgres", SIZING, "medium", QUERY, series(336, lambda h: 100.0), PRICES, LIMITS)
    assert full.proposed == "large" and "covers it" in full.reasoning
    over = right_size("o", "postgres", SIZING, "large", QUERY, series(336, lambda h: 100.0), PRICES, LIMITS)
    assert over.action == "keep" and "even the largest, large (4), does not cover that" in over.reasoning


def test_with_ten_hours_of_data_it_declines_and_says_why() -> None:
    found = right_size("o", "postgres", SIZING, "large", QUERY, series(10, lambda h: 25.0), PRICES, LIMITS)
    assert found.action == "decline" and found.proposed is None and not found.actionable
    assert found.reasoning.startswith("not enough data: only 10 hours of CPUUtilization in the last 14 days")
    assert "needs at least 30 hours" in found.reasoning


def test_confidence_says_how_much_of_the_window_has_data() -> None:
    assert coverage(series(336, lambda h: 1.0), 336).confidence == "high"
    assert coverage(series(336, lambda h: 1.0, every=2), 336).confidence == "medium"  # 168 hours
    assert coverage(series(336, lambda h: 1.0, every=8), 336).confidence == "low"  # 42 hours
    low = right_size("o", "postgres", SIZING, "large", QUERY, series(336, cpu_20_to_30, every=8), PRICES, LIMITS)
    assert low.action == "resize" and low.confidence == "low"


REPLICAS = ScalingSpec(input="replicas", metric=CPU, target=70)


def test_a_rising_load_scales_out_within_the_blueprints_limits() -> None:
    rising = series(336, lambda h: 30.0 + h * 0.1)  # 30% -> 63.5% of 2 replicas over 14 days
    found = scale_out("api", "workers", REPLICAS, 2, (1, 6), QUERY, rising, Decimal("10"), LIMITS)
    # peak 1.27 units, +0.048 a day: 1.61 in 7 days; +15% under 70% per unit needs 2.64: 3 replicas.
    assert (found.action, found.current, found.proposed, found.monthly_delta) == ("scale-out", 2, 3, 10.0)
    assert found.evidence["trend_units_per_day"] == pytest.approx(0.048, abs=1e-3)
    capped = scale_out("api", "workers", REPLICAS, 2, (1, 2), QUERY, rising, None, LIMITS)
    assert capped.action == "keep" and "the blueprint allows at most 2" in capped.reasoning
    flat = scale_out("api", "workers", REPLICAS, 2, (1, 6), QUERY, series(336, lambda h: 30.0), None, LIMITS)
    assert flat.action == "keep" and "2 is enough" in flat.reasoning


def test_bursty_load_scales_out_and_steady_load_scales_up() -> None:
    def both(points: list[MetricPoint]) -> tuple[str, str]:
        size = right_size("api", "db", SIZING, "small", QUERY, points, PRICES, LIMITS)
        scale = scale_out("api", "db", REPLICAS, 1, (1, 4), QUERY, points, Decimal("13.14"), LIMITS)
        up, out = prefer_up_or_out(size, scale, points, LIMITS)
        return up.action, out.action

    steady = series(336, lambda h: 90.0)
    bursty = series(336, lambda h: 95.0 if h % 24 == 0 else 30.0)
    assert both(steady) == ("resize", "keep")
    assert both(bursty) == ("keep", "scale-out")


def test_idle_environments_get_a_ttl_then_a_destroy_suggestion() -> None:
    created = NOW - timedelta(days=20)
    ttl = idle("sandbox-x", None, created, NOW - timedelta(days=15), NOW, LIMITS)
    assert ttl is not None and (ttl.action, ttl.input, ttl.proposed) == ("ttl", "ttl", "27d")
    assert "ends it in 7 days" in ttl.reasoning
    assert idle("sandbox-x", "30d", created, NOW - timedelta(days=15), NOW, LIMITS) is None  # its TTL ends it
    assert idle("sandbox-x", None, created, NOW - timedelta(days=3), NOW, LIMITS) is None
    gone = idle("sandbox-x", None, NOW - timedelta(days=60), NOW - timedelta(days=30), NOW, LIMITS)
    assert gone is not None and gone.action == "destroy" and gone.actionable
