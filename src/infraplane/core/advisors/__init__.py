"""Advisors: right-sizing, scaling and idle environments, decided on metric series (pure; no I/O).

Right-sizing (a blueprint's `spec.sizing`): the observed peak over the window, in the sized input's
capacity units, plus headroom (default 15%) is what the component needs; the recommendation is the
allowed value with the least capacity that covers it, never one below the peak plus headroom. With
fewer hours of data than the minimum (default 30 in a 14-day window) it declines and says why.

Scaling (`spec.scaling`): the load trend (least squares over the window) is projected ahead; the
count that keeps the projected peak plus headroom under the per-unit target is proposed when it is
more than today's, within the input's minimum and maximum. Where a blueprint declares both, bursty
load (peak at least `burst_ratio` times the median) scales out, steady load scales up.

Idle environments (no activity by people or agents for `idle_days`) get a TTL ending `ttl_grace_days`
from now, or, idle twice as long, a destroy suggestion.

Every recommendation carries its reasoning in words, the evidence as data, the monthly cost change
(negative: a saving) and a confidence saying how much data backs it.
"""

from infraplane.core.advisors.idle import idle
from infraplane.core.advisors.model import (
    ACTIONABLE,
    AdvisorLimits,
    Coverage,
    MetricPoint,
    MetricQuery,
    Recommendation,
    coverage,
)
from infraplane.core.advisors.sizing import prefer_up_or_out, right_size, scale_out

__all__ = [
    "ACTIONABLE",
    "AdvisorLimits",
    "Coverage",
    "MetricPoint",
    "MetricQuery",
    "Recommendation",
    "coverage",
    "idle",
    "prefer_up_or_out",
    "right_size",
    "scale_out",
]
