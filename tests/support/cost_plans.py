"""Plans and price-table helpers shared by the cost estimator's tests (tests/core/test_cost_*.py)."""

from __future__ import annotations

import json
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from infraplane.adapters.prices import load_price_table
from infraplane.core.cost import CostReport, PriceTable
from infraplane.core.plan import Expression, NormalizedPlan, ResourceChange, normalize_plan

REPO = Path(__file__).resolve().parents[2]
PLANS = REPO / "tests" / "fixtures" / "plans"
PACKAGED = REPO / "src" / "infraplane" / "resources" / "prices" / "aws-us-east-1.yaml"

# db.t3.micro PostgreSQL single-AZ $0.018/h x 730 h = 13.14, + 20 GB gp3 x $0.115 = 2.30
POSTGRES_SMALL = Decimal("15.44")
SECRET = Decimal("0.40")
# db.t3.medium $0.072/h x 730 = 52.56, + 2.30 storage = 54.86, x2 for Multi-AZ
POSTGRES_MEDIUM_MULTI_AZ = Decimal("109.72")
# cache.t3.micro $0.017/h x 730 = 12.41; cache.t3.medium $0.068/h x 730 = 49.64
CACHE_SMALL = Decimal("12.41")
CACHE_MEDIUM = Decimal("49.64")


@cache
def packaged_table() -> PriceTable:
    """The packaged us-east-1 table, loaded once per session (it is immutable)."""
    return load_price_table()


def plan_of(name: str) -> NormalizedPlan:
    return normalize_plan(json.loads((PLANS / name).read_text(encoding="utf-8")))


def by_address(report: CostReport) -> dict[str, dict[str, Any]]:
    return {r["address"]: r for r in report.as_dict()["resources"]}


def change(
    type_: str,
    actions: tuple[str, ...],
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    after_unknown: dict[str, Any] | None = None,
    configured: tuple[str, ...] = (),
) -> ResourceChange:
    return ResourceChange(
        address=f"{type_}.this",
        mode="managed",
        type=type_,
        name="this",
        provider="registry.terraform.io/hashicorp/aws",
        actions=actions,
        before=before,
        after=after,
        after_unknown=after_unknown or {},
        expressions={path: Expression(False, references=("var.x",)) for path in configured},
    )


def plan(*changes: ResourceChange) -> NormalizedPlan:
    return NormalizedPlan("1.11.4", tuple(changes), {}, {})


DB = {
    "instance_class": "db.t3.micro",
    "engine": "postgres",
    "multi_az": False,
    "allocated_storage": 20,
    "storage_type": "gp3",
    "iops": 0,
    "storage_throughput": 0,
}
