"""The dashboard's figures about proposals, cost and environments (the cards of `dashboard_figures.html`).

Only what the identity may see counts: its teams' proposals and environments (every one for an admin).
Approval lead time, policy hit rate and the rules that deny most are KPIs: they come from the KPI
report (core/kpi.py, `dashboard_drift.py`), their one home, as on `infraplane kpi` and `/metrics`.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from infraplane.core.audit import utc_timestamp
from infraplane.core.clock import parse_time
from infraplane.core.environment import parse_duration
from infraplane.core.identity import Identity
from infraplane.core.ports import ProposalQuery
from infraplane.core.proposals import Proposal
from infraplane.core.records import EnvironmentRecord
from infraplane.interfaces.container import Container

__all__ = ["dashboard_figures", "duration_text"]


def duration_text(seconds: float) -> str:
    """A span of time in the unit that reads best: `45 s`, `12 min`, `3.5 h`, `2.1 d`."""
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min"
    if seconds < 48 * 3600:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} d"


def _cost(found: Sequence[Proposal], alive: set[str]) -> list[tuple[str, str, float]]:
    """Monthly cost per (team, tier): each live environment's last applied proposal's cost after it."""
    latest: dict[str, Proposal] = {}
    for p in found:  # oldest first: the last one applied wins
        if p.status.value == "applied" and p.cost is not None and p.environment in alive:
            latest[p.environment] = p
    cost: dict[tuple[str, str], float] = defaultdict(float)
    for p in latest.values():
        assert p.cost is not None
        cost[(p.team, p.tier)] += p.cost.after
    return sorted((team, tier, round(v, 2)) for (team, tier), v in cost.items())


def _ttl_end(env: EnvironmentRecord) -> datetime | None:
    try:
        return parse_time(env.created_at) + timedelta(seconds=parse_duration(env.ttl or ""))
    except (ValueError, TypeError):
        return None


def _environments(envs: Sequence[EnvironmentRecord], now: datetime) -> dict[str, Any]:
    by_tier: dict[str, dict[str, int]] = defaultdict(lambda: {"total": 0, "ttl": 0})
    ending: list[tuple[float, dict[str, str]]] = []
    for env in envs:
        row = by_tier[env.tier]
        row["total"] += 1
        end = _ttl_end(env) if env.ttl else None
        if end is None:
            continue
        row["ttl"] += 1
        left = (end - now).total_seconds()
        shown = {
            "name": env.name,
            "tier": env.tier,
            "ttl": env.ttl or "",
            "ends_at": utc_timestamp(end)[:16].replace("T", " "),
            "left": duration_text(left) if left > 0 else "ended",
        }
        ending.append((left, shown))
    ending.sort(key=lambda pair: pair[0])
    return {
        "env_total": len(envs),
        "env_tiers": sorted(by_tier.items()),
        "env_ttl": sum(r["ttl"] for r in by_tier.values()),
        "env_ending": [shown for _, shown in ending[:10]],
    }


def dashboard_figures(container: Container, identity: Identity, now: datetime | None = None) -> dict[str, Any]:
    """Proposals by status, cost by team and tier, environments by tier and TTL."""
    teams = None if identity.all_teams else frozenset(identity.teams)
    found = container.proposals.find(ProposalQuery(None, None, None, teams), 10000)
    by_status = Counter(p.status.value for p in found)
    envs = [
        env for env, _ in container.environments.environments() if identity.sees(env.team) and env.status != "destroyed"
    ]
    return {
        "by_status": sorted(by_status.items()),
        "total": len(found),
        "cost": _cost(found, {e.name for e in envs}),
        **_environments(envs, now or container.proposals.clock()),
    }
