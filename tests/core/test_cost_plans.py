"""The cost estimator on real Terraform plans of the example blueprints.

The plan fixtures in tests/fixtures/plans were produced by Terraform 1.11.4 with the AWS
provider 5.100.0 on the sandbox cloud (examples/catalog/postgres and cache, size small
unless named otherwise; the no-op plans are copies of a payments-staging round trip).
"""

from __future__ import annotations

import json

import pytest

from infraplane.core.cost import PriceTable, attributes_after, estimate
from tests.support.cost_plans import (
    CACHE_MEDIUM,
    CACHE_SMALL,
    POSTGRES_MEDIUM_MULTI_AZ,
    POSTGRES_SMALL,
    SECRET,
    by_address,
    packaged_table,
    plan_of,
)


@pytest.fixture(scope="module")
def table() -> PriceTable:
    return packaged_table()


def test_postgres_create_plan(table: PriceTable) -> None:
    report = estimate(plan_of("postgres-create.json"), table)
    rows = by_address(report)
    db = rows["aws_db_instance.this"]
    assert db == {
        "address": "aws_db_instance.this",
        "type": "aws_db_instance",
        "actions": ["create"],
        "before": None,
        "after": float(POSTGRES_SMALL),
        "delta": float(POSTGRES_SMALL),
        "status": "priced",
        "detail": "db.t3.micro x1, 20 GB gp3",
    }
    assert rows["aws_secretsmanager_secret.master"]["after"] == float(SECRET)
    assert report.total_before == 0
    assert report.total_after == report.delta == POSTGRES_SMALL + SECRET
    assert report.free == 5 and not report.unpriced and not report.usage_based


def test_postgres_no_op_plan_costs_the_same_before_and_after(table: PriceTable) -> None:
    report = estimate(plan_of("postgres-noop.json"), table)
    assert report.total_before == report.total_after == POSTGRES_SMALL + SECRET
    assert report.delta == 0
    assert all(r["delta"] == 0 for r in report.as_dict()["resources"])


def test_postgres_update_to_medium_multi_az(table: PriceTable) -> None:
    report = estimate(plan_of("postgres-update-medium-multi-az.json"), table)
    db = by_address(report)["aws_db_instance.this"]
    assert db["actions"] == ["update"]
    assert (db["before"], db["after"]) == (float(POSTGRES_SMALL), float(POSTGRES_MEDIUM_MULTI_AZ))
    assert db["detail"] == "db.t3.micro x1, 20 GB gp3 -> db.t3.medium x2 (Multi-AZ), 20 GB gp3 x2"
    assert report.delta == POSTGRES_MEDIUM_MULTI_AZ - POSTGRES_SMALL


def test_postgres_destroy_plan_has_a_negative_delta(table: PriceTable) -> None:
    report = estimate(plan_of("postgres-destroy.json"), table)
    db = by_address(report)["aws_db_instance.this"]
    assert (db["before"], db["after"], db["delta"]) == (float(POSTGRES_SMALL), None, -float(POSTGRES_SMALL))
    assert report.total_after == 0
    assert report.delta == -(POSTGRES_SMALL + SECRET)


def test_cache_plans(table: PriceTable) -> None:
    created = estimate(plan_of("cache-create.json"), table)
    group = by_address(created)["aws_elasticache_replication_group.this"]
    assert (group["after"], group["detail"]) == (float(CACHE_SMALL), "cache.t3.micro x1 (redis)")
    assert created.total_after == CACHE_SMALL and created.free == 3

    unchanged = estimate(plan_of("cache-noop.json"), table)
    assert unchanged.total_before == unchanged.total_after == CACHE_SMALL and unchanged.delta == 0

    resized = estimate(plan_of("cache-update-medium.json"), table)
    assert (resized.total_before, resized.total_after) == (CACHE_SMALL, CACHE_MEDIUM)
    assert resized.as_dict()["delta"] == float(CACHE_MEDIUM - CACHE_SMALL) == 37.23


def test_network_plan_is_all_free(table: PriceTable) -> None:
    report = estimate(plan_of("network-noop.json"), table)
    assert report.free == len(report.resources) == 12
    assert report.total_before == report.total_after == report.delta == 0


def test_report_is_json(table: PriceTable) -> None:
    document = estimate(plan_of("postgres-create.json"), table).as_dict()
    assert json.loads(json.dumps(document)) == document
    assert {k: document[k] for k in ("currency", "period", "as_of")} == {
        "currency": "USD",
        "period": "month",
        "as_of": table.as_of,
    }
    assert (document["total_before"], document["total_after"], document["delta"]) == (0.0, 15.84, 15.84)
    assert document["unpriced"] == [] and document["usage_based"] == []


def test_unknown_attribute_not_in_the_configuration_takes_the_aws_default(table: PriceTable) -> None:
    # In the create plan `iops` is unknown, and the configuration does not set it.
    db = next(c for c in plan_of("postgres-create.json").resource_changes if c.type == "aws_db_instance")
    assert db.after_unknown.get("iops") is True
    assert attributes_after(db)["iops"] is None  # type: ignore[index]
