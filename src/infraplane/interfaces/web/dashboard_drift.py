"""The dashboard's drift and KPI block (`dashboard_drift.html`): the same figures as `infraplane kpi`.

Computed by the KPI service over the last 30 days and the identity's teams (every team for an admin);
docs/kpi.md has every formula.
"""

from __future__ import annotations

from typing import Any

from infraplane.core.identity import Identity
from infraplane.interfaces.api.kpi_metrics import KPI_WINDOW
from infraplane.interfaces.container import Container
from infraplane.interfaces.kpi_view import kpi_rows

__all__ = ["drift_figures"]

TOP_RULES = 5


def drift_figures(container: Container, identity: Identity) -> dict[str, Any]:
    """The KPI report, its rows in words, and the environments drifted now."""
    teams = None if identity.all_teams else frozenset(identity.teams)
    figures = container.kpi.report(KPI_WINDOW, teams).as_dict()
    return {
        "kpi": figures,
        "kpi_rows": kpi_rows(figures),
        "drifted_now": figures["drift"]["environments_drifted_now"],
        "top_denying": _top_denying(figures["policy"]["per_rule"]),
    }


def _top_denying(per_rule: dict[str, dict[str, int]]) -> list[tuple[str, int]]:
    """The rules that denied the most proposals (the KPI report's per-rule counts), most first."""
    denying = [(rule, counts["deny"]) for rule, counts in per_rule.items() if counts.get("deny")]
    return sorted(denying, key=lambda pair: (-pair[1], pair[0]))[:TOP_RULES]
