"""The price table: the packaged one covers what blueprints use; a malformed one is a ConfigError naming the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from infraplane.adapters.prices import load_price_table
from infraplane.core.cost import PriceTable, Unpriced, price_resource
from infraplane.errors import ConfigError
from tests.support.cost_plans import PACKAGED, packaged_table


@pytest.fixture(scope="module")
def table() -> PriceTable:
    return packaged_table()


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
    twice = tmp_path / "twice.yaml"
    twice.write_text("ec2: {}\nec2: {}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="duplicate key 'ec2'") as raised:
        load_price_table(twice)
    assert raised.value.problems[0].file == str(twice)


def test_packaged_table_loads_by_path_too() -> None:
    assert load_price_table(PACKAGED) == load_price_table()
