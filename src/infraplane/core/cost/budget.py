"""The budget check (COST-001): the monthly cost after a change against a tier's or team's budget."""

from __future__ import annotations

from decimal import Decimal
from typing import Final, Literal

from infraplane.core.cost.estimate import CostReport
from infraplane.core.cost.model import ZERO, money, signed_money
from infraplane.core.policy import Finding

__all__ = ["BUDGET_RULE", "check_budget"]

BUDGET_RULE: Final = "COST-001"


def check_budget(
    report: CostReport, budget_monthly: float | Decimal | None, mode: Literal["deny", "warn"], scope: str
) -> Finding | None:
    """A COST-001 finding when the monthly cost after the change exceeds the budget; None without a budget.

    `mode` is the finding's severity; `scope` names whose budget it is (e.g.
    "environment payments-staging"). Unpriced resources are not in the total,
    and the message says how many there are.
    """
    if mode not in ("deny", "warn"):
        raise ValueError(f"mode must be 'deny' or 'warn', not {mode!r}")
    if budget_monthly is None:
        return None
    budget = Decimal(str(budget_monthly))
    if report.total_after <= budget:
        return None
    message = (
        f"monthly cost {money(report.total_after)} after this change exceeds the {scope} budget of "
        f"{money(budget)} (delta {signed_money(report.delta)})"
    )
    if report.unpriced:
        count = len(report.unpriced)
        plural = count > 1
        message += (
            f"; {count} resource{'s' if plural else ''} could not be priced"
            f" and {'are' if plural else 'is'} not included"
        )
    remediation = (
        f"Choose smaller instance classes or fewer nodes (the largest items: {_largest(report)}), "
        f"or have the {scope} budget raised."
    )
    if report.usage_based:
        remediation += " Usage-based charges come on top of this estimate."
    return Finding(rule=BUDGET_RULE, severity=mode, address="", attribute="", message=message, remediation=remediation)


def _largest(report: CostReport, count: int = 3) -> str:
    priced = sorted(
        (r for r in report.resources if r.counted and (r.monthly_after or ZERO) > 0),
        key=lambda r: r.monthly_after or ZERO,
        reverse=True,
    )
    return ", ".join(f"{r.address} {money(r.monthly_after or ZERO)}" for r in priced[:count]) or "none"
