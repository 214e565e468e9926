"""The cloud inventory on the sandbox: every type of the table listed with boto3, the cloud's defaults left out."""

from __future__ import annotations

import json
import uuid

from infraplane.adapters.cloud.inventory import CloudInventory
from infraplane.adapters.cloud.resource_types import RESOURCE_TYPES
from infraplane.adapters.sandbox.control import SandboxInfo
from infraplane.adapters.sandbox.provider import sandbox_target
from tests.support.sandbox import aws

REQUIRED = {
    "aws_vpc",
    "aws_subnet",
    "aws_security_group",
    "aws_s3_bucket",
    "aws_db_instance",
    "aws_elasticache_cluster",
    "aws_elasticache_replication_group",
    "aws_sqs_queue",
    "aws_iam_role",
    "aws_secretsmanager_secret",
}
TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}],
    }
)


def test_the_table_covers_the_catalogs_types() -> None:
    assert {row.terraform_type for row in RESOURCE_TYPES} >= REQUIRED


def test_resources_of_every_type_are_listed_with_their_tags_and_defaults_are_not(sandbox: SandboxInfo) -> None:
    tag = uuid.uuid4().hex[:8]
    tags = [{"Key": "owner", "Value": tag}]
    ec2 = aws(sandbox, "ec2")
    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16", TagSpecifications=[{"ResourceType": "vpc", "Tags": tags}])["Vpc"][
        "VpcId"
    ]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.9.1.0/24")["Subnet"]["SubnetId"]
    group = ec2.create_security_group(GroupName=f"g-{tag}", Description="d", VpcId=vpc)["GroupId"]
    bucket = f"inv-{tag}"
    aws(sandbox, "s3").create_bucket(Bucket=bucket)
    aws(sandbox, "s3").put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": tags})
    queue = aws(sandbox, "sqs").create_queue(QueueName=f"inv-{tag}", tags={"ManagedBy": "pulumi"})["QueueUrl"]
    iam = aws(sandbox, "iam")
    iam.create_role(RoleName=f"inv-{tag}", AssumeRolePolicyDocument=TRUST, Tags=tags)
    iam.create_role(
        RoleName=f"linked-{tag}", Path="/aws-service-role/ec2.amazonaws.com/", AssumeRolePolicyDocument=TRUST
    )
    secret = aws(sandbox, "secretsmanager").create_secret(Name=f"inv-{tag}", SecretString="x", Tags=tags)["ARN"]
    rds = aws(sandbox, "rds")
    rds.create_db_instance(
        DBInstanceIdentifier=f"inv-{tag}", DBInstanceClass="db.t3.micro", Engine="postgres",
        MasterUsername="u", MasterUserPassword="password1", AllocatedStorage=20, Tags=tags,
    )  # fmt: skip
    cache = aws(sandbox, "elasticache")
    cache.create_cache_cluster(
        CacheClusterId=f"inv-{tag}", Engine="redis", CacheNodeType="cache.t3.micro", NumCacheNodes=1
    )

    found, problems = CloudInventory(sandbox_target(sandbox.endpoint), ["us-east-1"]).list()
    assert problems == [], problems
    by_id = {r.id: r for r in found}
    expected = {
        vpc: "aws_vpc",
        subnet: "aws_subnet",
        group: "aws_security_group",
        bucket: "aws_s3_bucket",
        queue: "aws_sqs_queue",
        f"inv-{tag}": None,  # several types share this name: checked below
        secret: "aws_secretsmanager_secret",
    }
    for resource_id, terraform_type in expected.items():
        assert resource_id in by_id, resource_id
        if terraform_type:
            assert by_id[resource_id].terraform_type == terraform_type
    named = {(r.terraform_type, r.id) for r in found if r.id == f"inv-{tag}"}
    assert {
        ("aws_iam_role", f"inv-{tag}"),
        ("aws_db_instance", f"inv-{tag}"),
        ("aws_elasticache_cluster", f"inv-{tag}"),
    } <= named
    assert by_id[bucket].tags == {"owner": tag} and by_id[queue].as_dict()["managed_by"] == "pulumi"
    assert by_id[vpc].tags == {"owner": tag} and by_id[queue].import_id == queue
    assert f"linked-{tag}" not in by_id  # a service-linked role is AWS's
    defaults = ec2.describe_vpcs(Filters=[{"Name": "isDefault", "Values": ["true"]}])["Vpcs"]
    default_groups = ec2.describe_security_groups(Filters=[{"Name": "group-name", "Values": ["default"]}])[
        "SecurityGroups"
    ]
    default_subnets = ec2.describe_subnets(Filters=[{"Name": "default-for-az", "Values": ["true"]}])["Subnets"]
    assert defaults and default_groups and default_subnets
    listed = set(by_id)
    assert not {v["VpcId"] for v in defaults} & listed
    assert not {g["GroupId"] for g in default_groups} & listed
    assert not {s["SubnetId"] for s in default_subnets} & listed
