"""The KPI report in words: one (figure, value) row each, for `infraplane kpi` and the web page's dashboard."""

from __future__ import annotations

from typing import Any

__all__ = ["kpi_rows"]


def _duration(figures: dict[str, Any]) -> str:
    if not figures["count"]:
        return "none yet"
    return (
        f"p50 {_human(figures['p50_seconds'])}, p90 {_human(figures['p90_seconds'])}, "
        f"mean {_human(figures['mean_seconds'])} (of {figures['count']})"
    )


def _human(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{seconds / size:.1f} {unit}"
    return f"{seconds:.0f} s"


def _rate(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


def kpi_rows(figures: dict[str, Any]) -> list[list[str]]:
    """The report as (figure, value) rows, in words."""
    drift, policy, dora = figures["drift"], figures["policy"], figures["dora"]
    rules = ", ".join(f"{rule} {sum(c.values())}" for rule, c in policy["per_rule"].items()) or "none"
    return [
        [
            "drift rate",
            f"{_rate(drift['drift_rate'])} of {drift['checks']} checks found drift"
            if drift["checks"]
            else "no checks yet",
        ],
        ["drifted now", ", ".join(drift["environments_drifted_now"]) or "none"],
        ["mean time to detect", _human(drift["mean_time_to_detect_seconds"]) if drift["episodes"] else "no drift yet"],
        ["time to remediation", _duration(drift["time_to_remediation"])],
        ["policy hit rate", f"{_rate(policy['hit_rate'])} of {policy['proposals']} proposals (per rule: {rules})"],
        ["approval lead time", _duration(figures["approval_lead_time"])],
        ["deployment frequency", f"{dora['deployments']} applied ({dora['deployment_frequency_per_day']}/day)"],
        ["lead time for changes", _duration(dora["lead_time_for_changes"])],
        ["change failure rate", f"{_rate(dora['change_failure_rate'])} ({dora['failed_deployments']} failed)"],
        ["time to restore", _duration(dora["time_to_restore"])],
    ]
