"""The KPIs as Prometheus gauges at `/metrics`, over the last 30 days (docs/kpi.md has every formula).

Computed by the same service as `infraplane kpi` and `GET /api/v1/kpi`, at scrape time, and kept for
`cache_seconds` so a scraper every few seconds does not read the audit trail each time.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from infraplane.services.kpi import KpiService

__all__ = ["KPI_WINDOW", "KpiCollector"]

KPI_WINDOW = timedelta(days=30)
_QUANTILES = (("0.5", "p50_seconds"), ("0.9", "p90_seconds"))


def _durations(name: str, text: str, figures: dict[str, Any]) -> GaugeMetricFamily:
    """Seconds by quantile; no sample while nothing was measured (a figure that does not exist is absent)."""
    family = GaugeMetricFamily(name, text + " (seconds, by quantile)", labels=["quantile"])
    for quantile, key in _QUANTILES:
        if figures[key] is not None:
            family.add_metric([quantile], float(figures[key]))
    return family


def _gauge(name: str, text: str, value: float | None) -> GaugeMetricFamily:
    family = GaugeMetricFamily(name, text)
    if value is not None:
        family.add_metric([], float(value))
    return family


class KpiCollector(Collector):
    """Reads the KPI report of the last 30 days, at most once per `cache_seconds`."""

    def __init__(self, kpi: Callable[[], KpiService], cache_seconds: float = 30.0) -> None:
        self._kpi = kpi
        self._cache_seconds = cache_seconds
        self._guard = threading.Lock()
        self._figures: dict[str, Any] | None = None
        self._read_at = 0.0

    def _report(self) -> dict[str, Any]:
        with self._guard:
            if self._figures is None or time.monotonic() - self._read_at > self._cache_seconds:
                self._figures = self._kpi().report(KPI_WINDOW).as_dict()
                self._read_at = time.monotonic()
            return self._figures

    def describe(self) -> list[Metric]:
        return []  # registering must not read the store (and fill the cache before anything happened)

    def collect(self) -> Iterator[Metric]:
        figures = self._report()
        drift, policy, dora = figures["drift"], figures["policy"], figures["dora"]
        yield _gauge(
            "infraplane_kpi_drift_rate",
            "Drift checks that found drift / drift checks, last 30 days.",
            drift["drift_rate"],
        )
        yield _gauge(
            "infraplane_kpi_environments_drifted",
            "Environments whose latest drift check found drift, with no remediation applied since.",
            len(drift["environments_drifted_now"]),
        )
        yield _gauge(
            "infraplane_kpi_mean_time_to_detect_seconds",
            "Mean time from the last clean observation to the check that found the drift, last 30 days.",
            drift["mean_time_to_detect_seconds"],
        )
        yield _durations(
            "infraplane_kpi_time_to_remediation_seconds",
            "Time from a drift's detection to its remediation applied, last 30 days",
            drift["time_to_remediation"],
        )
        yield _gauge(
            "infraplane_kpi_policy_hit_rate",
            "Proposals with a deny or warn finding / proposals, last 30 days.",
            policy["hit_rate"],
        )
        hits = GaugeMetricFamily(
            "infraplane_kpi_policy_rule_hits",
            "Proposals a guardrail rule found something in, by rule and severity, last 30 days.",
            labels=["rule", "severity"],
        )
        for rule, counts in policy["per_rule"].items():
            for severity, count in counts.items():
                hits.add_metric([rule, severity], float(count))
        yield hits
        yield _durations(
            "infraplane_kpi_approval_lead_time_seconds",
            "Time from a proposal's creation to the approval that approved it, last 30 days",
            figures["approval_lead_time"],
        )
        yield _gauge(
            "infraplane_kpi_deployment_frequency_per_day",
            "Applied proposals per day, last 30 days.",
            dora["deployment_frequency_per_day"],
        )
        yield _durations(
            "infraplane_kpi_lead_time_for_changes_seconds",
            "Time from a proposal's creation to its apply finishing, last 30 days",
            dora["lead_time_for_changes"],
        )
        yield _gauge(
            "infraplane_kpi_change_failure_rate",
            "Failed applies / finished applies, last 30 days.",
            dora["change_failure_rate"],
        )
        yield _durations(
            "infraplane_kpi_time_to_restore_seconds",
            "Time from a failed apply to the environment's next successful apply, last 30 days",
            dora["time_to_restore"],
        )
