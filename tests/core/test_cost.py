"""The offline cost estimator: real Terraform plans of the example blueprints, and unit cases.

The plan fixtures in tests/fixtures/plans were produced by Terraform 1.11.4 with the AWS
provider 5.100.0 on the sandbox cloud (examples/catalog/postgres and cache, size small
unless named otherwise; the no-op plans are copies of a payments-staging round trip).
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from infraplane.adapters.prices import load_price_table
from infraplane.core.cost import (
    UNKNOWN,
    CostReport,
    Free,
    Priced,
    PriceTable,
    Unpriced,
    UsageBased,
    attributes_after,
    check_budget,
    estimate,
    price_resource,
)
from infraplane.core.plan import Expression, NormalizedPlan, ResourceChange, normalize_plan
from infraplane.errors import ConfigError

PLANS = Path(__file__).resolve().parent.parent / "fixtures" / "plans"
PACKAGED = Path(__file__).resolve().parents[2] / "src" / "infraplane" / "resources" / "prices" / "aws-us-east-1.yaml"

# db.t3.micro PostgreSQL single-AZ $0.018/h x 730 h = 13.14, + 20 GB gp3 x $0.115 = 2.30
POSTGRES_SMALL = Decimal("15.44")
SECRET = Decimal("0.40")
# db.t3.medium $0.072/h x 730 = 52.56, + 2.30 storage = 54.86, x2 for Multi-AZ
POSTGRES_MEDIUM_MULTI_AZ = Decimal("109.72")
# cache.t3.micro $0.017/h x 730 = 12.41; cache.t3.medium $0.068/h x 730 = 49.64
CACHE_SMALL = Decimal("12.41")
CACHE_MEDIUM = Decimal("49.64")


@pytest.fixture(scope="module")
def table() -> PriceTable:
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


# --------------------------------------------------------------------------- the packaged table


def test_packaged_table_covers_the_listed_types(table: PriceTable) -> None:
    assert table.region == "us-east-1" and table.currency == "USD" and table.hours_per_month == 730
    assert table.as_of and all(s.startswith("https://") for s in table.sources)
    sizes = ("large", "xlarge", "2xlarge", "4xlarge")
    for family in ("t3", "t3a", "t4g"):
        for size in ("nano", "micro", "small", "medium", "large", "xlarge", "2xlarge"):
            assert f"{family}.{size}" in table.ec2_instance_hourly
    for family in ("m5", "m6i", "m7i", "c5", "c6i", "r5", "r6i"):
        assert all(f"{family}.{size}" in table.ec2_instance_hourly for size in sizes)
    for price_list in ("postgresql", "mysql"):
        classes = table.rds.instance_hourly[price_list]
        for family in ("t3", "t4g"):
            assert all(f"db.{family}.{size}" in classes for size in ("micro", "small", "medium", "large", "xlarge"))
        for family in ("m5", "m6i", "r5", "r6i"):
            assert all(f"db.{family}.{size}" in classes for size in sizes)
    for family in ("t3", "t4g"):
        assert all(f"cache.{family}.{size}" in table.elasticache_node_hourly for size in ("micro", "small", "medium"))
    for family in ("m5", "m6g", "r5", "r6g"):
        assert all(f"cache.{family}.{s}" in table.elasticache_node_hourly for s in ("large", "xlarge", "2xlarge"))
    assert set(table.rds.storage_gb_month) >= {"gp2", "gp3", "io1"}
    assert set(table.ebs.storage_gb_month) >= {"gp2", "gp3", "io1", "st1", "sc1"}
    assert set(table.load_balancer_hourly) >= {"application", "network"}


@pytest.mark.parametrize(
    ("resource_type", "status"),
    [
        ("aws_vpc", "free"),
        ("aws_route_table_association", "free"),
        ("aws_vpc_security_group_egress_rule", "free"),
        ("aws_s3_bucket_versioning", "free"),
        ("aws_iam_role_policy_attachment", "free"),
        ("aws_sqs_queue_policy", "free"),
        ("terraform_data", "free"),
        ("aws_s3_bucket", "usage-based"),
        ("aws_s3_bucket_replication_configuration", "usage-based"),
        ("aws_sqs_queue", "usage-based"),
        ("aws_sns_topic", "usage-based"),
        ("aws_lambda_function", "usage-based"),
        ("aws_cloudwatch_log_group", "usage-based"),
        ("aws_mq_broker", "unpriced"),
    ],
)
def test_types_are_free_usage_based_or_unpriced(table: PriceTable, resource_type: str, status: str) -> None:
    price = price_resource(resource_type, {}, table)
    assert price.status == status
    if status == "unpriced":
        assert isinstance(price, Unpriced) and price.reason == f"no price model for {resource_type}"


# --------------------------------------------------------------------------- real plans


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


# --------------------------------------------------------------------------- unit cases


def test_multi_az_doubles_instance_and_storage(table: PriceTable) -> None:
    single = price_resource("aws_db_instance", DB, table)
    double = price_resource("aws_db_instance", {**DB, "multi_az": True}, table)
    assert isinstance(single, Priced) and isinstance(double, Priced)
    assert single.monthly == POSTGRES_SMALL
    assert double.monthly == 2 * POSTGRES_SMALL
    assert double.detail == "db.t3.micro x2 (Multi-AZ), 20 GB gp3 x2"


def test_rds_engines_storage_types_and_iops(table: PriceTable) -> None:
    def monthly(**changes: Any) -> Decimal:
        price = price_resource("aws_db_instance", {**DB, **changes}, table)
        assert isinstance(price, Priced), price
        return price.monthly

    assert monthly(engine="mysql") == Decimal("14.71")  # 0.017 x 730 = 12.41 + 2.30
    assert monthly(engine="mariadb") == monthly(engine="mysql")
    assert monthly(storage_type=None) == POSTGRES_SMALL  # gp2 by default, same price as gp3 on RDS
    # io1: 100 GB x 0.125 + 1,000 IOPS x 0.10 = 112.50, + 13.14 instance
    assert monthly(storage_type="io1", allocated_storage=100, iops=1000) == Decimal("125.64")
    # gp3 above its baseline (12,000 IOPS and 500 MiB/s from 400 GB): 400 x 0.115 = 46 + 3,000 x 0.02 + 100 x 0.08
    assert monthly(allocated_storage=400, iops=15000, storage_throughput=600) == Decimal("13.14") + 46 + 60 + 8
    assert monthly(allocated_storage=400, iops=12000, storage_throughput=500) == Decimal("13.14") + 46


def test_unknown_class_is_unpriced_and_not_in_totals(table: PriceTable) -> None:
    assert price_resource("aws_db_instance", {**DB, "instance_class": "db.x9.huge"}, table) == Unpriced(
        "no price for db.x9.huge"
    )
    assert price_resource("aws_db_instance", {**DB, "engine": "oracle-ee"}, table) == Unpriced(
        "no price for the RDS engine oracle-ee"
    )
    report = estimate(
        plan(
            change("aws_db_instance", ("create",), None, {**DB, "instance_class": "db.x9.huge"}),
            change("aws_nat_gateway", ("create",), None, {"connectivity_type": "public"}),
        ),
        table,
    )
    nat = Decimal("32.85")  # 0.045 x 730
    assert report.total_after == report.delta == nat
    assert report.as_dict()["unpriced"] == [
        {"address": "aws_db_instance.this", "type": "aws_db_instance", "reason": "no price for db.x9.huge"}
    ]
    row = by_address(report)["aws_db_instance.this"]
    assert (row["after"], row["delta"], row["status"]) == (None, None, "unpriced")


def test_a_resource_unpriced_on_one_side_is_left_out_of_both_totals(table: PriceTable) -> None:
    report = estimate(plan(change("aws_db_instance", ("update",), DB, {**DB, "instance_class": "db.x9.huge"})), table)
    assert report.total_before == report.total_after == report.delta == 0
    row = by_address(report)["aws_db_instance.this"]
    assert (row["before"], row["after"], row["delta"]) == (float(POSTGRES_SMALL), None, None)
    assert report.unpriced[0].reason == "no price for db.x9.huge"


def test_values_known_only_after_apply_are_unpriced(table: PriceTable) -> None:
    after = {**DB, "instance_class": None}
    # Set in the configuration from something not yet known: unpriced.
    configured = change("aws_db_instance", ("create",), None, after, {"instance_class": True}, ("instance_class",))
    report = estimate(plan(configured), table)
    assert report.unpriced[0].reason == "instance_class is known only after apply"
    assert report.total_after == 0
    # Without the configuration, any unknown value is unknown.
    bare = change("aws_db_instance", ("create",), None, {**DB, "multi_az": None}, {"multi_az": True})
    assert estimate(plan(bare), table).unpriced[0].reason == "multi_az is known only after apply"
    # Not set in the configuration: AWS's default (single-AZ) applies.
    defaulted = change(
        "aws_db_instance", ("create",), None, {**DB, "multi_az": None}, {"multi_az": True}, ("instance_class",)
    )
    assert estimate(plan(defaulted), table).total_after == POSTGRES_SMALL
    assert price_resource("aws_instance", {"instance_type": UNKNOWN}, table) == Unpriced(
        "instance_type is known only after apply"
    )


def test_delete_has_a_negative_delta(table: PriceTable) -> None:
    report = estimate(plan(change("aws_eks_cluster", ("delete",), {"name": "x"}, None)), table)
    eks = Decimal("73.00")  # 0.10 x 730
    assert (report.total_before, report.total_after, report.delta) == (eks, Decimal(0), -eks)
    assert by_address(report)["aws_eks_cluster.this"]["delta"] == -73.0


def test_replace_prices_both_sides(table: PriceTable) -> None:
    before = {"instance_type": "t3.micro", "root_block_device": [{"volume_size": 8, "volume_type": "gp3"}]}
    after = {"instance_type": "m7i.large", "root_block_device": [{"volume_size": None, "volume_type": None}]}
    unknown = {"root_block_device": [{"volume_size": True, "volume_type": True}]}
    report = estimate(plan(change("aws_instance", ("delete", "create"), before, after, unknown)), table)
    row = by_address(report)["aws_instance.this"]
    # t3.micro 0.0104 x 730 = 7.592 + 8 GB x 0.08 = 0.64 -> 8.23; m7i.large 0.1008 x 730 = 73.584 -> 73.58
    assert (row["before"], row["after"]) == (8.23, 73.58)
    assert "root volume not included (volume_size is known only after apply)" in row["detail"]


def test_elasticache_node_counts(table: PriceTable) -> None:
    def price(resource_type: str, **attributes: Any) -> Any:
        return price_resource(resource_type, attributes, table)

    group = "aws_elasticache_replication_group"
    assert price(group, node_type="cache.r6g.large", num_cache_clusters=2) == Priced(
        Decimal("300.76"), "cache.r6g.large x2 (redis)"
    )  # 0.206 x 730 x 2
    sharded = price(
        group, node_type="cache.m5.large", num_cache_clusters=None, num_node_groups=3, replicas_per_node_group=1
    )
    assert sharded == Priced(Decimal("683.28"), "cache.m5.large x6 (redis)")  # 0.156 x 730 x 6
    assert price(group, node_type="cache.t4g.micro", num_cache_clusters=1, engine="valkey") == Priced(
        Decimal("9.34"), "cache.t4g.micro x1 (valkey)"
    )  # 0.016 x 0.8 x 730 = 9.344
    assert price(group, node_type="cache.t3.micro") == Unpriced("neither num_cache_clusters nor num_node_groups is set")
    cluster = price("aws_elasticache_cluster", node_type="cache.t3.small", num_cache_nodes=3, engine="memcached")
    assert cluster == Priced(Decimal("74.46"), "cache.t3.small x3 (memcached)")  # 0.034 x 730 x 3
    assert price(group, node_type="cache.x1.tiny", num_cache_clusters=1) == Unpriced("no price for cache.x1.tiny")


def test_ec2_and_ebs(table: PriceTable) -> None:
    instance = price_resource(
        "aws_instance",
        {
            "instance_type": "t3.medium",
            "root_block_device": [{"volume_size": 30, "volume_type": "gp3", "iops": 3000, "throughput": 125}],
            "ebs_block_device": [{"volume_size": 100, "volume_type": "st1"}],
            "associate_public_ip_address": True,
        },
        table,
    )
    # 0.0416 x 730 = 30.368 + 30 x 0.08 = 2.40 + 100 x 0.045 = 4.50 + IPv4 0.005 x 730 = 3.65
    assert instance == Priced(Decimal("40.92"), "t3.medium x1 (Linux), root 30 GB gp3, EBS 100 GB st1, public IPv4")
    assert price_resource("aws_instance", {"instance_type": "t3.micro", "tenancy": "dedicated"}, table) == Unpriced(
        "no price for dedicated tenancy"
    )
    volume = price_resource("aws_ebs_volume", {"size": 500, "type": "gp3", "iops": 6000, "throughput": 250}, table)
    # 500 x 0.08 = 40 + 3,000 extra IOPS x 0.005 = 15 + 125 extra MiB/s x 0.04 = 5
    assert volume == Priced(Decimal("60.00"), "500 GB gp3, 6,000 IOPS, 250 MiB/s")
    io1 = price_resource("aws_ebs_volume", {"size": 100, "type": "io1", "iops": 1000}, table)
    assert isinstance(io1, Priced) and io1.monthly == Decimal("77.50")  # 12.50 + 65.00
    io2 = price_resource("aws_ebs_volume", {"size": 10, "type": "io2", "iops": 40000}, table)
    assert isinstance(io2, Priced) and io2.monthly == Decimal(
        "2445.25"
    )  # 1.25 + 32,000 x 0.065 = 2,080 + 8,000 x 0.0455 = 364
    assert price_resource("aws_ebs_volume", {"size": 10}, table) == Priced(Decimal("1.00"), "10 GB gp2")
    assert price_resource("aws_ebs_volume", {"size": UNKNOWN, "type": "gp3"}, table) == Unpriced(
        "size is known only after apply"
    )


@pytest.mark.parametrize(
    ("resource_type", "attributes", "monthly"),
    [
        ("aws_nat_gateway", {}, "32.85"),  # 0.045 x 730
        ("aws_lb", {"load_balancer_type": "application"}, "16.43"),  # 0.0225 x 730 = 16.425
        ("aws_lb", {"load_balancer_type": "network"}, "16.43"),
        ("aws_eks_cluster", {}, "73.00"),
        ("aws_eip", {"domain": "vpc"}, "3.65"),
        ("aws_secretsmanager_secret", {"replica": []}, "0.40"),
        ("aws_secretsmanager_secret", {"replica": [{"region": "eu-west-1"}]}, "0.80"),
        ("aws_kms_key", {}, "1.00"),
        ("aws_vpc_endpoint", {"vpc_endpoint_type": "Interface", "subnet_ids": ["a", "b"]}, "14.60"),
        ("aws_ssm_parameter", {"tier": "Advanced"}, "0.05"),
        ("aws_dynamodb_table", {"billing_mode": "PROVISIONED", "read_capacity": 10, "write_capacity": 5}, "3.32"),
    ],
)
def test_fixed_prices(table: PriceTable, resource_type: str, attributes: dict[str, Any], monthly: str) -> None:
    price = price_resource(resource_type, attributes, table)
    assert isinstance(price, Priced), price
    assert price.monthly == Decimal(monthly)


def test_priced_types_that_can_be_free_or_usage_based(table: PriceTable) -> None:
    assert price_resource("aws_dynamodb_table", {"billing_mode": "PAY_PER_REQUEST"}, table).status == "usage-based"
    assert isinstance(price_resource("aws_ssm_parameter", {"tier": "Standard"}, table), Free)
    assert isinstance(price_resource("aws_vpc_endpoint", {"vpc_endpoint_type": "Gateway"}, table), Free)
    assert isinstance(price_resource("aws_eip", {"public_ipv4_pool": "ipv4pool-ec2-0123"}, table), Free)
    assert isinstance(price_resource("aws_s3_bucket", None, table), UsageBased)


def test_usage_based_resources_are_listed_and_add_nothing(table: PriceTable) -> None:
    report = estimate(
        plan(
            change("aws_s3_bucket", ("create",), None, {"bucket": "b"}),
            change("aws_kms_key", ("create",), None, {"description": "k"}),
        ),
        table,
    )
    assert report.total_after == Decimal("1.00")
    assert report.as_dict()["usage_based"] == [
        {
            "address": "aws_s3_bucket.this",
            "type": "aws_s3_bucket",
            "detail": "usage-based: storage, requests and data transfer",
        }
    ]


# --------------------------------------------------------------------------- budget


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


# --------------------------------------------------------------------------- loading


def test_malformed_table_names_file_and_field(tmp_path: Path) -> None:
    text = PACKAGED.read_text(encoding="utf-8").replace("db.t3.micro: 0.018", 'db.t3.micro: "cheap"', 1)
    broken = tmp_path / "prices.yaml"
    broken.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_price_table(broken)
    problem = raised.value.problems[0]
    assert (problem.file, problem.field) == (str(broken), "rds.instance_hourly.postgresql.db.t3.micro")
    assert str(broken) in raised.value.message and "must be a number" in raised.value.message


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("schema_version: 1\n", "hours_per_month"),
        ("- a list\n", ""),
        ("schema_version: 2\n", "schema_version"),
    ],
)
def test_incomplete_tables_are_config_errors(tmp_path: Path, text: str, field: str) -> None:
    path = tmp_path / "prices.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_price_table(path)
    assert raised.value.problems[0].field == field


def test_unreadable_or_invalid_yaml_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot be read"):
        load_price_table(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("ec2: [unclosed\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_price_table(bad)


def test_packaged_table_loads_by_path_too() -> None:
    assert load_price_table(PACKAGED) == load_price_table()


def test_instance_volumes_known_only_after_apply_are_named_not_counted(table: PriceTable) -> None:
    price = price_resource(
        "aws_instance",
        {"instance_type": "t4g.small", "root_block_device": None, "ebs_block_device": UNKNOWN},
        table,
    )
    assert isinstance(price, Priced) and price.monthly == Decimal("12.26")  # 0.0168 x 730 = 12.264
    assert "root volume not included" in price.detail
    assert "EBS volumes not included (ebs_block_device is known only after apply)" in price.detail


def test_sharded_replication_group_counts_shards_and_replicas(table: PriceTable) -> None:
    # num_cache_clusters still holds the old total in an update that adds a shard
    attributes = {
        "node_type": "cache.r5.large",
        "cluster_mode": "enabled",
        "num_cache_clusters": 4,
        "num_node_groups": 3,
        "replicas_per_node_group": 1,
    }
    price = price_resource("aws_elasticache_replication_group", attributes, table)
    assert price == Priced(Decimal("946.08"), "cache.r5.large x6 (redis)")  # 0.216 x 730 x 6
