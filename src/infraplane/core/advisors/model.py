"""The advisors' data: metric queries and points, limits, how much data backs a result, recommendations."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from infraplane.core.blueprint import MetricSpec

__all__ = [
    "ACTIONABLE",
    "Action",
    "AdvisorLimits",
    "Coverage",
    "Kind",
    "MetricPoint",
    "MetricQuery",
    "Recommendation",
    "coverage",
]

Kind = Literal["right-size", "scale", "idle"]
Action = Literal["resize", "scale-out", "ttl", "destroy", "keep", "decline"]
ACTIONABLE: frozenset[str] = frozenset({"resize", "scale-out", "ttl", "destroy"})


@dataclass(frozen=True)
class MetricQuery:
    """One metric of one resource: what the metrics port is asked for, hour by hour."""

    namespace: str
    name: str
    dimensions: tuple[tuple[str, str], ...]
    statistic: str

    @staticmethod
    def of(metric: MetricSpec, value: str) -> MetricQuery:
        return MetricQuery(metric.namespace, metric.name, ((metric.dimension, value),), metric.statistic)

    def describe(self) -> str:
        where = ", ".join(f"{k}={v}" for k, v in self.dimensions)
        return f"{self.namespace} {self.name} ({self.statistic}, {where})"


@dataclass(frozen=True)
class MetricPoint:
    at: datetime
    value: float


@dataclass(frozen=True)
class AdvisorLimits:
    """The thresholds every advisor decides with (settings `advisors`)."""

    window_days: int = 14
    min_hours: int = 30
    headroom: float = 0.15
    horizon_days: int = 7
    burst_ratio: float = 2.0
    idle_days: int = 14
    ttl_grace_days: int = 7

    @property
    def window_hours(self) -> int:
        return self.window_days * 24


@dataclass(frozen=True)
class Coverage:
    """How much data backs a recommendation: hours with a datapoint out of the window's hours."""

    window_hours: int
    present_hours: int

    @property
    def share(self) -> float:
        return self.present_hours / self.window_hours if self.window_hours else 0.0

    @property
    def confidence(self) -> Literal["high", "medium", "low"]:
        if self.share >= 0.9:
            return "high"
        return "medium" if self.share >= 0.5 else "low"

    def describe(self) -> str:
        days = self.window_hours // 24
        return (
            f"{self.present_hours} of {self.window_hours} hours of the last {days} days have data ({self.confidence})"
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "window_hours": self.window_hours,
            "present_hours": self.present_hours,
            "share": round(self.share, 3),
            "confidence": self.confidence,
        }


def coverage(points: Sequence[MetricPoint], window_hours: int) -> Coverage:
    hours = {p.at.replace(minute=0, second=0, microsecond=0) for p in points}
    return Coverage(window_hours, min(len(hours), window_hours))


@dataclass(frozen=True)
class Recommendation:
    """What an advisor recommends for one component (or environment), why, and what backs it."""

    environment: str
    component: str
    kind: Kind
    action: Action
    reasoning: str
    input: str = ""
    current: Any = None
    proposed: Any = None
    monthly_delta: float | None = None
    coverage: Coverage | None = None
    evidence: Mapping[str, Any] = field(default_factory=dict)

    @property
    def actionable(self) -> bool:
        """Whether it becomes a proposal (a change); keep and decline only inform."""
        return self.action in ACTIONABLE

    @property
    def key(self) -> str:
        """Names the recommendation: environment/component/kind (what `advise --propose` and MCP pick by)."""
        return f"{self.environment}/{self.component or '-'}/{self.kind}"

    @property
    def confidence(self) -> str:
        return self.coverage.confidence if self.coverage is not None else ""

    def cost_text(self) -> str:
        if self.monthly_delta is None:
            return "cost change not priced"
        if self.monthly_delta < 0:
            return f"saves ${-self.monthly_delta:,.2f}/month"
        return f"costs ${self.monthly_delta:,.2f}/month more" if self.monthly_delta else "no cost change"

    def justification(self) -> str:
        """The proposal's justification: the reasoning, the cost, and what data backs it."""
        parts = [f"advisor ({self.kind}): {self.reasoning}", self.cost_text()]
        if self.coverage is not None:
            parts.append(f"data: {self.coverage.describe()}")
        return "; ".join(parts)

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "environment": self.environment,
            "component": self.component,
            "kind": self.kind,
            "action": self.action,
            "actionable": self.actionable,
            "input": self.input,
            "current": self.current,
            "proposed": self.proposed,
            "monthly_delta": self.monthly_delta,
            "cost": self.cost_text(),
            "confidence": self.confidence,
            "coverage": self.coverage.as_dict() if self.coverage else None,
            "reasoning": self.reasoning,
            "evidence": dict(self.evidence),
        }
