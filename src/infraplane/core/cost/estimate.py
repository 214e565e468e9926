"""A plan's cost report: every managed resource change priced before and after, and the totals."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from infraplane.core.cost.attributes import attributes_after
from infraplane.core.cost.model import ZERO, Free, Price, Priced, Status, Unpriced, UsageBased, cents
from infraplane.core.cost.pricing import price_resource
from infraplane.core.cost.table import PriceTable
from infraplane.core.plan import NormalizedPlan

__all__ = ["CostReport", "ResourceCost", "estimate"]


def _fixed(price: Price | None) -> Decimal | None:
    if isinstance(price, Priced):
        return price.monthly
    if isinstance(price, Free | UsageBased):
        return ZERO
    return None


@dataclass(frozen=True)
class ResourceCost:
    """One resource change priced before and after (None for the side that does not exist)."""

    address: str
    type: str
    actions: tuple[str, ...]
    before: Price | None
    after: Price | None

    @property
    def sides(self) -> tuple[Price, ...]:
        return tuple(p for p in (self.before, self.after) if p is not None)

    @property
    def status(self) -> Status:
        statuses = {p.status for p in self.sides}
        if "unpriced" in statuses:
            return "unpriced"
        if "usage-based" in statuses:
            return "usage-based"
        return "priced" if "priced" in statuses else "free"

    @property
    def counted(self) -> bool:
        """Whether this resource's fixed charges are in the totals (not when either side is unpriced)."""
        return self.status != "unpriced"

    @property
    def monthly_before(self) -> Decimal | None:
        return _fixed(self.before)

    @property
    def monthly_after(self) -> Decimal | None:
        return _fixed(self.after)

    @property
    def delta(self) -> Decimal | None:
        if not self.counted:
            return None
        return (self.monthly_after or ZERO) - (self.monthly_before or ZERO)

    @property
    def detail(self) -> str:
        before, after = (self.before.detail if self.before else ""), (self.after.detail if self.after else "")
        if before and after and before != after:
            return f"{before} -> {after}"
        return after or before

    @property
    def reason(self) -> str:
        reasons = [p.reason for p in self.sides if isinstance(p, Unpriced)]
        if len(reasons) == 2 and reasons[0] != reasons[1]:
            return f"before: {reasons[0]}; after: {reasons[1]}"
        return reasons[0] if reasons else ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "address": self.address,
            "type": self.type,
            "actions": list(self.actions),
            "before": _json_money(self.monthly_before),
            "after": _json_money(self.monthly_after),
            "delta": _json_money(self.delta),
            "status": self.status,
            "detail": self.reason if self.status == "unpriced" else self.detail,
        }


def _json_money(amount: Decimal | None) -> float | None:
    return None if amount is None else float(cents(amount))


def _total(amounts: Iterable[Decimal | None]) -> Decimal:
    return sum((a for a in amounts if a is not None), ZERO)


@dataclass(frozen=True)
class CostReport:
    """The monthly cost of a plan's managed resources before and after it, from one price table."""

    currency: str
    region: str
    as_of: str
    resources: tuple[ResourceCost, ...]

    @property
    def total_before(self) -> Decimal:
        """Fixed monthly charges before the change, of the resources priced on every side."""
        return _total(r.monthly_before for r in self.resources if r.counted)

    @property
    def total_after(self) -> Decimal:
        """Fixed monthly charges after the change, of the resources priced on every side."""
        return _total(r.monthly_after for r in self.resources if r.counted)

    @property
    def delta(self) -> Decimal:
        return self.total_after - self.total_before

    @property
    def unpriced(self) -> tuple[ResourceCost, ...]:
        return tuple(r for r in self.resources if r.status == "unpriced")

    @property
    def usage_based(self) -> tuple[ResourceCost, ...]:
        return tuple(r for r in self.resources if r.status == "usage-based")

    @property
    def free(self) -> int:
        """How many resources have no charge of their own."""
        return sum(1 for r in self.resources if r.status == "free")

    def as_dict(self) -> dict[str, Any]:
        """A JSON-friendly summary; amounts are numbers rounded to the cent, None when not priced."""
        return {
            "currency": self.currency,
            "period": "month",
            "region": self.region,
            "as_of": self.as_of,
            "resources": [r.as_dict() for r in self.resources],
            "total_before": _json_money(self.total_before),
            "total_after": _json_money(self.total_after),
            "delta": _json_money(self.delta),
            "unpriced": [{"address": r.address, "type": r.type, "reason": r.reason} for r in self.unpriced],
            "usage_based": [{"address": r.address, "type": r.type, "detail": r.detail} for r in self.usage_based],
            "free": self.free,
        }


def estimate(plan: NormalizedPlan, table: PriceTable) -> CostReport:
    """Price every managed resource change of a plan before and after it (see the module docstring).

    `before` is priced from the prior values (None on create), `after` from the
    planned values with unknowns marked (None on delete); no-op resources are
    included, so the totals are the whole configuration's monthly cost.
    """
    resources = []
    for change in plan.managed_changes():
        before = price_resource(change.type, change.before, table) if isinstance(change.before, Mapping) else None
        after_values = attributes_after(change)
        after = price_resource(change.type, after_values, table) if after_values is not None else None
        resources.append(ResourceCost(change.address, change.type, change.actions, before, after))
    return CostReport(table.currency, table.region, table.as_of, tuple(resources))
