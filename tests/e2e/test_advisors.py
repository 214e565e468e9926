"""Advisors on the sandbox's CloudWatch (issue 16, item 4): right-sizing from metric series, and its proposals.

The leanest honest set-up: no RDS or ElastiCache is applied (minutes of waits, nothing the advisor reads).
Each environment is recorded in the store as an apply of the example `postgres` or `cache` blueprint
leaves it (its revision, the component's inputs and outputs, among them the identifier CloudWatch keys
its metrics by), and the utilization series are put into the sandbox's CloudWatch for that identifier
with `PutMetricData`; `infraplane advise` reads them back with `GetMetricStatistics`, as on AWS.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from infraplane.adapters.sandbox.control import SandboxInfo
from infraplane.core.audit import SYSTEM, Actor
from infraplane.interfaces.container import Container
from infraplane.services.orchestration.progress import NullProgress
from infraplane.settings import load_settings
from tests.support.cli import run_cli
from tests.support.records import environment_document, record_applied
from tests.support.sandbox import aws

NETWORK = {"vpc_id": "vpc-0a1b2c3d", "subnet_ids": ["subnet-0a1", "subnet-0b2"], "allowed_cidrs": ["10.0.0.0/8"]}


def _record(home: Path, name: str, blueprint: str, inputs: dict[str, Any], outputs: dict[str, Any]) -> None:
    """The environment as an apply of one catalog blueprint (its newest version) leaves it in the store."""
    container = Container(load_settings(home=home))
    try:
        spec = {"blueprint": blueprint, "inputs": inputs}
        record_applied(container, environment_document(name, "shop", "staging", spec), outputs)
    finally:
        container.close()


def _database(home: Path, name: str, size: str) -> None:
    _record(home, name, "postgres@^1", {"size": size, **NETWORK}, {"instance_id": f"{name}-postgres"})


def _put(
    sandbox: SandboxInfo,
    namespace: str,
    metric: str,
    dimension: tuple[str, str],
    hours: int,
    value: Callable[[int], float],
) -> None:
    """One datapoint an hour for the last `hours` hours (what CloudWatch keeps for the resource)."""
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    data = [
        {
            "MetricName": metric,
            "Dimensions": [{"Name": dimension[0], "Value": dimension[1]}],
            "Timestamp": now - timedelta(hours=h, minutes=30),
            "Value": value(h),
            "Unit": "Percent",
        }
        for h in range(hours)
    ]
    cloudwatch = aws(sandbox, "cloudwatch")
    for start in range(0, len(data), 500):
        cloudwatch.put_metric_data(Namespace=namespace, MetricData=data[start : start + 500])


def _cpu(sandbox: SandboxInfo, instance: str, hours: int) -> None:
    _put(sandbox, "AWS/RDS", "CPUUtilization", ("DBInstanceIdentifier", instance), hours, lambda h: 20.0 + (h * 7 % 11))


@pytest.mark.slow
def test_advise_right_sizes_from_cloudwatch_series_and_declines_without_enough_data(
    cloud_home: Path, sandbox: SandboxInfo
) -> None:
    _database(cloud_home, "xadv-db", "large")
    _cpu(sandbox, "xadv-db-postgres", 14 * 24)  # 20-30% CPU for 14 days
    _record(cloud_home, "xadv-cache", "cache@^1", {"size": "small", **NETWORK}, {"cluster_id": "xadv-cache-001"})
    memory = ("CacheClusterId", "xadv-cache-001")
    _put(sandbox, "AWS/ElastiCache", "DatabaseMemoryUsagePercentage", memory, 14 * 24, lambda h: 85.0 + (h % 9))
    _database(cloud_home, "xadv-young", "large")
    _cpu(sandbox, "xadv-young-postgres", 10)  # 10 hours of data
    _record(cloud_home, "xadv-pool", "worker-pool@^1", {"replicas": 2}, {"pool_id": "xadv-pool-workers"})
    rising = ("PoolId", "xadv-pool-workers")  # 63.5% of 2 workers now, +0.1% an hour for 14 days
    _put(sandbox, "Infraplane/Test", "CPUUtilization", rising, 14 * 24, lambda h: 63.5 - h * 0.1)

    result = run_cli(cloud_home, "advise", "--json")
    assert result.exit_code == 0, result.stderr
    found = {r["key"]: r for r in result.json()["recommendations"]}

    db = found["xadv-db/postgres/right-size"]
    assert (db["action"], db["current"], db["proposed"]) == ("resize", "large", "medium")
    assert db["monthly_delta"] == -77.38 and db["cost"] == "saves $77.38/month"  # db.m5.large -> db.t3.medium
    assert db["confidence"] == "high" and db["coverage"]["present_hours"] >= 335
    evidence = db["evidence"]
    assert evidence["metric"] == "AWS/RDS CPUUtilization (Maximum, DBInstanceIdentifier=xadv-db-postgres)"
    assert evidence["peak"] == 30.0 and evidence["field"] == "spec.inputs.size"
    # Never below the observed peak plus headroom: medium's capacity covers 30% of large plus 15%.
    assert evidence["capacity"]["medium"] >= evidence["required_capacity_units"] == pytest.approx(4 * 0.30 * 1.15)

    cache = found["xadv-cache/cache/right-size"]
    assert (cache["action"], cache["current"], cache["proposed"]) == ("resize", "small", "medium")
    assert cache["monthly_delta"] == 37.23 and cache["evidence"]["peak"] == 93.0
    assert cache["evidence"]["capacity"]["medium"] >= cache["evidence"]["required_capacity_units"]

    young = found["xadv-young/postgres/right-size"]
    assert young["action"] == "decline" and young["proposed"] is None
    assert "not enough data: only 10 hours of CPUUtilization in the last 14 days" in young["reasoning"]

    pool = found["xadv-pool/worker-pool/scale"]
    assert (pool["action"], pool["current"], pool["proposed"]) == ("scale-out", 2, 3)
    assert pool["monthly_delta"] == 7.59 and pool["evidence"]["limits"] == {"minimum": 1, "maximum": 4}
    assert pool["evidence"]["trend_units_per_day"] == pytest.approx(0.048, abs=1e-3)

    text = run_cli(cloud_home, "advise", "xadv-young")
    assert text.exit_code == 0 and "not enough data" in text.stdout


@pytest.mark.slow
def test_a_recommendation_becomes_an_advisor_proposal_once(cloud_home: Path, sandbox: SandboxInfo) -> None:
    _database(cloud_home, "xadv-orders", "large")
    _cpu(sandbox, "xadv-orders-postgres", 14 * 24)

    proposed = run_cli(cloud_home, "--as", "alice", "advise", "xadv-orders", "--propose", "--json")
    assert proposed.exit_code == 0, proposed.stderr
    [made] = proposed.json()["proposals"]
    assert made["key"] == "xadv-orders/postgres/right-size" and made["status"] == "pending"
    shown = run_cli(cloud_home, "proposal", "show", made["proposal"], "--json").json()
    assert shown["kind"] == "advisor" and shown["actor"] == {"kind": "human", "id": "alice"}
    assert shown["justification"].startswith("advisor (right-size): the CPUUtilization peak over 14 days was 30%")
    assert "saves $77.38/month" in shown["justification"] and "(high)" in shown["justification"]
    assert shown["decision"]["rule"] == "APR-001"  # through the approval rules, like any staging change
    instance = next(d for d in shown["diff"] if d["address"] == "aws_db_instance.this")
    assert {"path": "instance_class", "before": None, "after": "db.t3.medium"} in instance["attributes"]

    again = run_cli(cloud_home, "--as", "alice", "advise", "xadv-orders", "--propose", "--json").json()
    assert again["proposals"] == [made]  # the open proposal, not a second one


def _idle_environment(home: Path, name: str, days: int) -> None:
    """A parameter-set environment applied `days` ago by a person, untouched since."""
    container = Container(load_settings(home=home))
    try:
        spec = {"blueprint": "parameter-set@^1", "inputs": {"names": ["a"]}}
        then = datetime.now(UTC) - timedelta(days=days)
        record_applied(container, environment_document(name, "lab", "dev", spec), {"ids": [f"/x/{name}/a"]}, then)
    finally:
        container.close()


def test_the_scheduled_advisors_give_idle_environments_a_ttl_or_a_destroy_proposal(cloud_home: Path) -> None:
    _idle_environment(cloud_home, "xadv-quiet", days=20)
    _idle_environment(cloud_home, "xadv-gone", days=40)
    container = Container(load_settings(home=cloud_home))
    try:
        done = sorted(container.advisors.run())
        assert [line.split(": proposed ")[0] for line in done] == ["xadv-gone/-/idle", "xadv-quiet/-/idle"]
        assert done[0].endswith("(destroy)") and done[1].endswith("(ttl)")
        assert container.advisors.run() == []  # open proposals are not made twice
        [ttl] = container.proposals.proposals("xadv-quiet")
        assert (ttl.kind, ttl.actor, ttl.status) == ("advisor", SYSTEM, "approved")  # a system change in dev
        assert ttl.justification.startswith("advisor (idle): no activity by people or agents for 20 days")
        assert ttl.extra["advisor"]["proposed"] == "28d" and ttl.diff == ()  # 20 days and a moment old, + 7
        [destroy] = container.proposals.proposals("xadv-gone")
        assert destroy.kind == "destroy" and destroy.extra["advisor"]["action"] == "destroy"
        # Applying the TTL proposal records a revision with the TTL; no component changes, no Terraform.
        applied = container.proposals.apply(ttl.id, Actor("human", "alice"), NullProgress())
        env, _, _ = container.environments.get("xadv-quiet")
        assert applied.status == "applied" and env.ttl == "28d" and env.current_revision == 2
        assert [r.key for r in container.advisors.recommend("xadv-quiet")] == []  # its TTL ends it now
    finally:
        container.close()
