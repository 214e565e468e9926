"""The price models, resource by resource, and how unpriced, free and usage-based resources enter the totals."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from infraplane.core.cost import UNKNOWN, Free, Priced, PriceTable, Unpriced, UsageBased, estimate, price_resource
from tests.support.cost_plans import DB, POSTGRES_SMALL, by_address, change, packaged_table, plan


@pytest.fixture(scope="module")
def table() -> PriceTable:
    return packaged_table()


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
