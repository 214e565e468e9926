"""The budget check (COST-001): its finding carries the numbers a requester needs."""

from __future__ import annotations

from decimal import Decimal

import pytest

from infraplane.core.cost import PriceTable, check_budget, estimate
from tests.support.cost_plans import change, packaged_table, plan, plan_of


@pytest.fixture(scope="module")
def table() -> PriceTable:
    return packaged_table()


def test_budget_finding_has_the_numbers(table: PriceTable) -> None:
    report = estimate(plan_of("postgres-update-medium-multi-az.json"), table)
    finding = check_budget(report, 100, "deny", "environment payments-staging")
    assert finding is not None
    document = finding.as_dict()
    assert {k: document[k] for k in ("rule", "severity", "address", "attribute")} == {
        "rule": "COST-001",
        "severity": "deny",
        "address": "",
        "attribute": "",
    }
    assert document["message"] == (
        "monthly cost $110.12 after this change exceeds the environment payments-staging budget of $100.00"
        " (delta +$94.28)"
    )
    assert "aws_db_instance.this $109.72" in document["remediation"]


def test_budget_within_limit_or_unset_gives_no_finding(table: PriceTable) -> None:
    report = estimate(plan_of("postgres-noop.json"), table)
    assert check_budget(report, 15.84, "deny", "team payments") is None  # equal is within the budget
    assert check_budget(report, None, "deny", "team payments") is None
    warning = check_budget(report, 10, "warn", "team payments")
    assert warning is not None and warning.severity == "warn"
    assert warning.message.endswith("budget of $10.00 (delta +$0.00)")


def test_budget_message_counts_unpriced_resources_and_negative_delta(table: PriceTable) -> None:
    report = estimate(
        plan(
            change("aws_eks_cluster", ("no-op",), {}, {}),
            change("aws_nat_gateway", ("delete",), {}, None),
            change("aws_instance", ("create",), None, {"instance_type": "x9.huge"}),
        ),
        table,
    )
    finding = check_budget(report, Decimal("50"), "warn", "tier dev")
    assert finding is not None
    assert finding.message == (
        "monthly cost $73.00 after this change exceeds the tier dev budget of $50.00 (delta -$32.85);"
        " 1 resource could not be priced and is not included"
    )
