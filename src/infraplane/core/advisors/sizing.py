"""Right-sizing and scaling out, decided on a metric series (see core/advisors/__init__.py)."""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import replace
from decimal import Decimal
from typing import Any

from infraplane.core.advisors.model import (
    Action,
    AdvisorLimits,
    Coverage,
    Kind,
    MetricPoint,
    MetricQuery,
    Recommendation,
    coverage,
)
from infraplane.core.blueprint import ScalingSpec, SizingSpec

__all__ = ["prefer_up_or_out", "right_size", "scale_out"]


def _money(amount: Decimal | None) -> float | None:
    return None if amount is None else float(round(amount, 2))


def _fmt(value: float) -> str:
    return f"{value:,.2f}".rstrip("0").rstrip(".") if value != int(value) else f"{int(value):,}"


def _series_evidence(query: MetricQuery, points: Sequence[MetricPoint], cover: Coverage) -> dict[str, Any]:
    values = [p.value for p in points]
    ordered = sorted(values)
    return {
        "metric": query.describe(),
        "from": min(p.at for p in points).isoformat(),
        "to": max(p.at for p in points).isoformat(),
        "datapoints": len(points),
        "hours_present": cover.present_hours,
        "window_hours": cover.window_hours,
        "peak": round(max(values), 3),
        "peak_at": max(points, key=lambda p: p.value).at.isoformat(),
        "p95": round(ordered[min(len(ordered) - 1, math.ceil(0.95 * len(ordered)) - 1)], 3),
        "mean": round(statistics.fmean(values), 3),
    }


def _declined(
    environment: str, component: str, kind: Kind, input_: str, current: Any, why: str, cover: Coverage | None
) -> Recommendation:
    return Recommendation(environment, component, kind, "decline", why, input_, current, None, None, cover)


def _enough(
    environment: str,
    component: str,
    kind: Kind,
    input_: str,
    current: Any,
    query: MetricQuery,
    points: Sequence[MetricPoint],
    limits: AdvisorLimits,
) -> tuple[Coverage, Recommendation | None]:
    cover = coverage(points, limits.window_hours)
    if cover.present_hours < limits.min_hours:
        have = f"only {cover.present_hours} hour{'s' if cover.present_hours != 1 else ''}"
        why = (
            f"not enough data: {have} of {query.name} in the last {limits.window_days} days "
            f"({query.describe()}); a recommendation needs at least {limits.min_hours} hours"
        )
        return cover, _declined(environment, component, kind, input_, current, why, cover)
    return cover, None


def right_size(
    environment: str,
    component: str,
    sizing: SizingSpec,
    current: str,
    query: MetricQuery,
    points: Sequence[MetricPoint],
    prices: Mapping[str, Decimal | None],
    limits: AdvisorLimits,
) -> Recommendation:
    """The allowed size with the least capacity covering the observed peak plus headroom (see the module)."""
    name = sizing.input
    if current not in sizing.capacity:
        why = f"the current {name} {current!r} has no declared capacity; nothing to compare with"
        return _declined(environment, component, "right-size", name, current, why, None)
    cover, declined = _enough(environment, component, "right-size", name, current, query, points, limits)
    if declined is not None:
        return declined
    scale = sizing.capacity[current] / 100.0 if sizing.metric.usage == "percent" else 1.0
    peak_value = max(p.value for p in points)
    peak = peak_value * scale
    required = peak * (1.0 + limits.headroom)
    order = list(sizing.capacity)
    ranked = sorted(order, key=lambda v: (sizing.capacity[v], order.index(v)))
    fits = [v for v in ranked if sizing.capacity[v] >= required]
    chosen = fits[0] if fits else ranked[-1]
    capacity = sizing.capacity[chosen]
    after = peak / capacity * 100.0
    unit = "%" if sizing.metric.usage == "percent" else ""
    said = (
        f"the {query.name} peak over {limits.window_days} days was {_fmt(peak_value)}{unit} of {current} "
        f"({_fmt(peak)} of its {_fmt(sizing.capacity[current])} capacity units); with {_fmt(limits.headroom * 100)}% "
        f"headroom it needs {_fmt(required)}"
    )
    if not fits:
        said += f"; even the largest, {chosen} ({_fmt(capacity)}), does not cover that"
    elif chosen == current:
        said += f"; {current} ({_fmt(capacity)}) is the smallest size that covers it"
    else:
        said += f"; {chosen} ({_fmt(capacity)}) covers it at a {_fmt(round(after, 1))}% peak"
        smaller = [v for v in ranked if sizing.capacity[v] < capacity]
        if smaller:
            said += f", while {smaller[-1]} ({_fmt(sizing.capacity[smaller[-1]])}) would fall below peak plus headroom"
    before_price, after_price = prices.get(current), prices.get(chosen)
    delta = _money(after_price - before_price) if before_price is not None and after_price is not None else None
    evidence = {
        **_series_evidence(query, points, cover),
        "capacity": dict(sizing.capacity),
        "peak_capacity_units": round(peak, 4),
        "headroom": limits.headroom,
        "required_capacity_units": round(required, 4),
        "peak_after_percent": round(after, 1),
        "monthly_price": {v: _money(p) for v, p in prices.items()},
    }
    action: Action = "keep" if chosen == current else "resize"
    return Recommendation(
        environment,
        component,
        "right-size",
        action,
        said,
        name,
        current,
        chosen,
        delta if action != "keep" else 0.0,
        cover,
        evidence,
    )


def _slope_per_hour(points: Sequence[MetricPoint], scale: float) -> float:
    """Least squares slope of the load (scaled) per hour; 0 with fewer than two points."""
    if len(points) < 2:
        return 0.0
    start = min(p.at for p in points)
    xs = [(p.at - start).total_seconds() / 3600.0 for p in points]
    ys = [p.value * scale for p in points]
    mean_x, mean_y = statistics.fmean(xs), statistics.fmean(ys)
    spread = sum((x - mean_x) ** 2 for x in xs)
    if spread == 0:
        return 0.0
    return sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / spread


def scale_out(
    environment: str,
    component: str,
    scaling: ScalingSpec,
    current: int,
    bounds: tuple[int, int],
    query: MetricQuery,
    points: Sequence[MetricPoint],
    unit_price: Decimal | None,
    limits: AdvisorLimits,
) -> Recommendation:
    """The count keeping the projected peak plus headroom under the per-unit target, within `bounds`."""
    name = scaling.input
    cover, declined = _enough(environment, component, "scale", name, current, query, points, limits)
    if declined is not None:
        return declined
    minimum, maximum = bounds
    # Load in units: a percent of one unit, times the units running.
    scale = current / 100.0 if scaling.metric.usage == "percent" else 1.0
    peak = max(p.value for p in points) * scale
    slope = _slope_per_hour(points, scale)
    horizon = limits.horizon_days * 24
    projected = peak + max(0.0, slope) * horizon
    needed = math.ceil(projected * (1.0 + limits.headroom) / (scaling.target / 100.0) - 1e-9)
    wanted = max(minimum, min(maximum, needed))
    said = (
        f"the load peaked at {_fmt(round(peak, 2))} units of {current} and trends {slope * 24:+.3f} units a day; "
        f"in {limits.horizon_days} days the peak would be {_fmt(round(projected, 2))}; keeping it plus "
        f"{_fmt(limits.headroom * 100)}% headroom under {_fmt(scaling.target)}% per unit needs {needed}"
    )
    if needed > maximum:
        said += f"; the blueprint allows at most {maximum}"
    action: Action = "scale-out" if wanted > current else "keep"
    if action == "keep":
        said += f"; {current} is enough" if needed <= current else f"; {current} is already the most it allows"
    delta = _money(unit_price * (wanted - current)) if unit_price is not None else None
    evidence = {
        **_series_evidence(query, points, cover),
        "peak_units": round(peak, 4),
        "trend_units_per_day": round(slope * 24, 4),
        "projected_peak_units": round(projected, 4),
        "target_percent": scaling.target,
        "needed": needed,
        "limits": {"minimum": minimum, "maximum": maximum},
        "unit_monthly_price": _money(unit_price),
    }
    return Recommendation(
        environment,
        component,
        "scale",
        action,
        said,
        name,
        current,
        wanted if action != "keep" else None,
        delta if action != "keep" else 0.0,
        cover,
        evidence,
    )


def prefer_up_or_out(
    size: Recommendation, scale: Recommendation, points: Sequence[MetricPoint], limits: AdvisorLimits
) -> tuple[Recommendation, Recommendation]:
    """Where a component may grow both ways: bursty load scales out, steady load scales up (the other is kept)."""
    grows_up = size.action == "resize" and (size.monthly_delta or 0) >= 0 and size.proposed != size.current
    if not (grows_up and scale.action == "scale-out") or not points:
        return size, scale
    values = [p.value for p in points]
    median = statistics.median(values)
    ratio = max(values) / median if median > 0 else math.inf
    evidence = {"peak_to_median": round(ratio, 2), "burst_ratio": limits.burst_ratio}
    if ratio >= limits.burst_ratio:
        why = f"bursty load (peak {ratio:.1f}x the median): scaling out instead of up"
        return replace(
            size,
            action="keep",
            proposed=None,
            monthly_delta=0.0,
            reasoning=f"{size.reasoning}; {why}",
            evidence={**size.evidence, **evidence},
        ), scale
    why = f"steady load (peak {ratio:.1f}x the median): scaling up instead of out"
    return size, replace(
        scale,
        action="keep",
        proposed=None,
        monthly_delta=0.0,
        reasoning=f"{scale.reasoning}; {why}",
        evidence={**scale.evidence, **evidence},
    )
