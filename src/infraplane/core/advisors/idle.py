"""Idle environments: a TTL, or a destroy suggestion, for what nobody touched (see core/advisors/__init__.py)."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from infraplane.core.advisors.model import AdvisorLimits, Recommendation
from infraplane.core.environment import MAX_DURATION_SECONDS

__all__ = ["idle"]


def idle(
    environment: str,
    ttl: str | None,
    created_at: datetime,
    last_activity: datetime,
    now: datetime,
    limits: AdvisorLimits,
) -> Recommendation | None:
    """A TTL (or, idle twice as long, a destroy) for an environment nobody touched for `idle_days`; else None."""
    idle_for = now - last_activity
    days = idle_for.days
    evidence = {
        "last_activity": last_activity.isoformat(),
        "idle_days": days,
        "ttl": ttl,
        "threshold_days": limits.idle_days,
    }
    if idle_for >= timedelta(days=2 * limits.idle_days):
        since = f"{last_activity:%Y-%m-%d}"
        why = f"no activity by people or agents for {days} days (since {since}); destroy it if nobody needs it"
        return Recommendation(environment, "", "idle", "destroy", why, current=ttl, evidence=evidence)
    if idle_for < timedelta(days=limits.idle_days) or ttl is not None:
        return None  # active, or its TTL already ends it
    age = now - created_at
    ends_in = math.ceil(age / timedelta(days=1)) + limits.ttl_grace_days
    if ends_in > MAX_DURATION_SECONDS // 86400:  # older than a TTL can say: destroying is the question
        why = f"no activity by people or agents for {days} days and no TTL; destroy it if nobody needs it"
        return Recommendation(environment, "", "idle", "destroy", why, current=ttl, evidence=evidence)
    proposed = f"{ends_in}d"
    why = (
        f"no activity by people or agents for {days} days (since {last_activity:%Y-%m-%d}) and no TTL: a TTL of "
        f"{proposed} (from its creation) ends it in {limits.ttl_grace_days} days unless someone changes it"
    )
    return Recommendation(environment, "", "idle", "ttl", why, "ttl", None, proposed, None, None, evidence)
