"""The cloud inventory's one declarative table: how each resource type is listed, named, tagged and imported.

One row per type, no hand-written enumerator: `inventory.py` reads these rows and nothing else. A row
says which boto3 call lists the type (paginated when boto3 can), where the items are in the answer,
which field is the id, which Terraform type and import id it has, which attribute of a state instance
holds that id, where its tags are (in the item, or from one more call per item), and which items are
the cloud's own defaults (a default VPC, a service-linked role), never reported.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

__all__ = ["RESOURCE_TYPES", "Exclusion", "ResourceType", "TagLookup"]


@dataclass(frozen=True)
class TagLookup:
    """Tags read with one more call per item: `operation(parameter=item[source])` -> answer[result_key]."""

    operation: str
    parameter: str
    source: str | None  # the item's field passed; None: the resource id
    result_key: str
    shape: Literal["list", "map"]  # [{"Key": .., "Value": ..}] or {key: value}
    missing: frozenset[str] = frozenset()  # error codes that mean "no tags"


@dataclass(frozen=True)
class Exclusion:
    """Items the cloud made itself: `field` equal to `equals`, or starting with `prefix`, or present at all."""

    field: str
    why: str
    equals: Any = None
    prefix: str | None = None
    present: bool = False

    def matches(self, item: Any) -> bool:
        if not isinstance(item, dict) or self.field not in item:
            return False
        value = item[self.field]
        if self.present:
            return value not in (None, "")
        if self.prefix is not None:
            return isinstance(value, str) and value.startswith(self.prefix)
        return bool(value == self.equals)


@dataclass(frozen=True)
class ResourceType:
    kind: str
    service: str
    operation: str
    result_key: str
    id_field: str | None  # None: the items are the ids themselves (SQS queue URLs)
    terraform_type: str
    state_attribute: str = "id"
    import_id: str = "{id}"
    name_field: str | None = None  # None: the `Name` tag, if any
    tags_field: str | None = None  # a [{"Key", "Value"}] list in the item
    tag_lookup: TagLookup | None = None
    exclude: tuple[Exclusion, ...] = ()
    region_field: str | None = None  # the item's own region (S3 lists every region's buckets)
    global_service: bool = False  # listed once, in the first region (IAM)


_ELASTICACHE_TAGS = TagLookup("list_tags_for_resource", "ResourceName", "ARN", "TagList", "list")

RESOURCE_TYPES: tuple[ResourceType, ...] = (
    ResourceType(
        "vpc",
        "ec2",
        "describe_vpcs",
        "Vpcs",
        "VpcId",
        "aws_vpc",
        tags_field="Tags",
        exclude=(Exclusion("IsDefault", "the region's default VPC", equals=True),),
    ),
    ResourceType(
        "subnet",
        "ec2",
        "describe_subnets",
        "Subnets",
        "SubnetId",
        "aws_subnet",
        tags_field="Tags",
        exclude=(Exclusion("DefaultForAz", "a default VPC's default subnet", equals=True),),
    ),
    ResourceType(
        "security-group",
        "ec2",
        "describe_security_groups",
        "SecurityGroups",
        "GroupId",
        "aws_security_group",
        name_field="GroupName",
        tags_field="Tags",
        exclude=(Exclusion("GroupName", "a VPC's default security group", equals="default"),),
    ),
    ResourceType(
        "s3-bucket",
        "s3",
        "list_buckets",
        "Buckets",
        "Name",
        "aws_s3_bucket",
        name_field="Name",
        tag_lookup=TagLookup("get_bucket_tagging", "Bucket", None, "TagSet", "list", frozenset({"NoSuchTagSet"})),
        region_field="BucketRegion",
    ),
    ResourceType(
        "rds-instance",
        "rds",
        "describe_db_instances",
        "DBInstances",
        "DBInstanceIdentifier",
        "aws_db_instance",
        state_attribute="identifier",
        name_field="DBInstanceIdentifier",
        tags_field="TagList",
    ),
    ResourceType(
        "elasticache-cluster",
        "elasticache",
        "describe_cache_clusters",
        "CacheClusters",
        "CacheClusterId",
        "aws_elasticache_cluster",
        name_field="CacheClusterId",
        tag_lookup=_ELASTICACHE_TAGS,
        # A replication group's member clusters are the group's (aws_elasticache_replication_group).
        exclude=(Exclusion("ReplicationGroupId", "a member of a replication group", present=True),),
    ),
    ResourceType(
        "elasticache-replication-group",
        "elasticache",
        "describe_replication_groups",
        "ReplicationGroups",
        "ReplicationGroupId",
        "aws_elasticache_replication_group",
        name_field="ReplicationGroupId",
        tag_lookup=_ELASTICACHE_TAGS,
    ),
    ResourceType(
        "sqs-queue",
        "sqs",
        "list_queues",
        "QueueUrls",
        None,
        "aws_sqs_queue",
        tag_lookup=TagLookup("list_queue_tags", "QueueUrl", None, "Tags", "map"),
    ),
    ResourceType(
        "iam-role",
        "iam",
        "list_roles",
        "Roles",
        "RoleName",
        "aws_iam_role",
        name_field="RoleName",
        tag_lookup=TagLookup("list_role_tags", "RoleName", None, "Tags", "list"),
        exclude=(
            Exclusion("Path", "a service-linked role AWS manages", prefix="/aws-service-role/"),
            Exclusion("Path", "a role AWS reserves (IAM Identity Center)", prefix="/aws-reserved/"),
        ),
        global_service=True,
    ),
    ResourceType(
        "secretsmanager-secret",
        "secretsmanager",
        "list_secrets",
        "SecretList",
        "ARN",
        "aws_secretsmanager_secret",
        name_field="Name",
        tags_field="Tags",
        exclude=(Exclusion("OwningService", "a secret an AWS service manages (RDS, ...)", present=True),),
    ),
)
