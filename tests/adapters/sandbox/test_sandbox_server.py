"""The sandbox server as a real subprocess, driven with boto3: the patched ElastiCache operations.

These are the calls Terraform's AWS provider makes for `aws_elasticache_subnet_group` and
`aws_elasticache_replication_group`; each test checks the fields the provider reads back.
"""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from infraplane.adapters.sandbox.elasticache import default_parameter_group, resolve_engine_version
from infraplane.adapters.sandbox.provider import sandbox_environment

READY_PREFIX = "sandbox listening on "


@dataclass
class Sandbox:
    endpoint: str
    process: subprocess.Popen[str]
    stderr: Path

    def client(self, service: str) -> Any:
        env = sandbox_environment(self.endpoint)
        return boto3.client(
            service,
            endpoint_url=env["AWS_ENDPOINT_URL"],
            region_name=env["AWS_DEFAULT_REGION"],
            aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
        )

    def reset(self) -> None:
        request = urllib.request.Request(f"{self.endpoint}/moto-api/reset", method="POST")
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status == 200


def _read_ready_line(process: subprocess.Popen[str], stderr: Path, timeout: float) -> str:
    assert process.stdout is not None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([process.stdout], [], [], 0.2)
        if ready:
            return process.stdout.readline().strip()
        if process.poll() is not None:
            break
    process.kill()
    pytest.fail(f"the sandbox did not report readiness within {timeout}s; stderr:\n{stderr.read_text()}")


@pytest.fixture(scope="module")
def sandbox_process(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    stderr = tmp_path_factory.mktemp("sandbox") / "stderr.log"
    # A file, not a pipe: nobody reads stderr while the tests run, and a full pipe would block the server.
    with stderr.open("w") as stderr_file:
        process = subprocess.Popen(
            [sys.executable, "-m", "infraplane.adapters.sandbox.server", "--host", "127.0.0.1", "--port", "0"],
            stdout=subprocess.PIPE,
            stderr=stderr_file,
            text=True,
            env=env,
        )
    try:
        line = _read_ready_line(process, stderr, timeout=30)
        assert line.startswith(READY_PREFIX), line
        yield Sandbox(endpoint=line.removeprefix(READY_PREFIX), process=process, stderr=stderr)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
        try:
            exit_code = process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            raise
    assert exit_code == 0, f"the sandbox did not exit cleanly on SIGTERM; stderr:\n{stderr.read_text()}"


@pytest.fixture
def sandbox(sandbox_process: Sandbox) -> Sandbox:
    sandbox_process.reset()
    return sandbox_process


@dataclass
class Network:
    vpc_id: str
    subnet_ids: list[str]
    security_group_id: str


@pytest.fixture
def network(sandbox: Sandbox) -> Network:
    ec2 = sandbox.client("ec2")
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet_ids = [
        ec2.create_subnet(VpcId=vpc_id, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=f"us-east-1{zone}")["Subnet"][
            "SubnetId"
        ]
        for i, zone in enumerate("ab", start=1)
    ]
    group_id = ec2.create_security_group(GroupName="cache", Description="cache", VpcId=vpc_id)["GroupId"]
    return Network(vpc_id, subnet_ids, group_id)


def _error_code(error: pytest.ExceptionInfo[ClientError]) -> str:
    return str(error.value.response["Error"]["Code"])


def _create_encrypted_group(elasticache: Any, network: Network, group_id: str = "sbx-cache", **extra: Any) -> Any:
    elasticache.create_cache_subnet_group(
        CacheSubnetGroupName=f"{group_id}-cache",
        CacheSubnetGroupDescription="Managed by Terraform",
        SubnetIds=network.subnet_ids,
    )
    arguments: dict[str, Any] = {
        "ReplicationGroupId": group_id,
        "ReplicationGroupDescription": f"Redis for {group_id}",
        "Engine": "redis",
        "EngineVersion": "7.1",
        "CacheNodeType": "cache.t3.micro",
        "Port": 6379,
        "NumCacheClusters": 1,
        "AutomaticFailoverEnabled": False,
        "CacheSubnetGroupName": f"{group_id}-cache",
        "SecurityGroupIds": [network.security_group_id],
        "AtRestEncryptionEnabled": True,
        "TransitEncryptionEnabled": True,
        "Tags": [{"Key": "team", "Value": "platform"}],
    }
    arguments.update(extra)
    return elasticache.create_replication_group(**arguments)["ReplicationGroup"]


def test_the_server_announces_itself_once_and_logs_no_requests(sandbox: Sandbox) -> None:
    sandbox.client("sts").get_caller_identity()
    assert sandbox.endpoint.startswith("http://127.0.0.1:")
    assert sandbox.process.poll() is None
    assert sandbox.process.stdout is not None
    # Nothing after the readiness line, and no request log on either stream.
    assert select.select([sandbox.process.stdout], [], [], 0.1)[0] == []
    assert "POST /" not in sandbox.stderr.read_text()


def test_the_real_server_answers_its_health_path(sandbox: Sandbox) -> None:
    from infraplane.adapters.sandbox.control import HEALTH_PATH

    with urllib.request.urlopen(f"{sandbox.endpoint}{HEALTH_PATH}", timeout=10) as response:
        assert (response.status, response.read()) == (200, b"ok")


def test_an_encrypted_replication_group_reads_back_like_aws(sandbox: Sandbox, network: Network) -> None:
    elasticache = sandbox.client("elasticache")
    created = _create_encrypted_group(elasticache, network)
    assert created["Status"] in {"creating", "available"}

    [group] = elasticache.describe_replication_groups(ReplicationGroupId="sbx-cache")["ReplicationGroups"]
    assert group["Status"] == "available"
    assert group["MemberClusters"] == ["sbx-cache-001"]
    assert group["AutomaticFailover"] == "disabled"
    assert group["MultiAZ"] == "disabled"
    assert group["ClusterEnabled"] is False
    assert group["AtRestEncryptionEnabled"] is True
    assert group["TransitEncryptionEnabled"] is True
    assert group["TransitEncryptionMode"] == "required"
    assert group["SnapshotWindow"] == "05:00-06:00"
    [node_group] = group["NodeGroups"]
    assert node_group["PrimaryEndpoint"]["Port"] == 6379
    assert node_group["PrimaryEndpoint"]["Address"].startswith("master.sbx-cache.")
    assert node_group["ReaderEndpoint"]["Address"].startswith("replica.sbx-cache.")
    assert [m["CacheClusterId"] for m in node_group["NodeGroupMembers"]] == ["sbx-cache-001"]

    # The provider reads engine version, networking and encryption from the first member cluster.
    [cluster] = elasticache.describe_cache_clusters(CacheClusterId="sbx-cache-001", ShowCacheNodeInfo=True)[
        "CacheClusters"
    ]
    assert cluster["ReplicationGroupId"] == "sbx-cache"
    assert cluster["Engine"] == "redis"
    assert cluster["EngineVersion"] == "7.1.0"
    assert cluster["CacheNodeType"] == "cache.t3.micro"
    assert cluster["CacheSubnetGroupName"] == "sbx-cache-cache"
    assert cluster["SecurityGroups"] == [{"SecurityGroupId": network.security_group_id, "Status": "active"}]
    assert cluster["CacheParameterGroup"]["CacheParameterGroupName"] == "default.redis7"
    assert cluster["AtRestEncryptionEnabled"] is True
    assert cluster["TransitEncryptionEnabled"] is True
    assert cluster["AuthTokenEnabled"] is False
    assert cluster["PreferredMaintenanceWindow"] == "sun:05:00-sun:06:00"
    [node] = cluster["CacheNodes"]
    assert node["Endpoint"]["Port"] == 6379
    assert node["CustomerAvailabilityZone"] == "us-east-1a"

    tags = elasticache.list_tags_for_resource(ResourceName=group["ARN"])["TagList"]
    assert tags == [{"Key": "team", "Value": "platform"}]


def test_deleting_a_replication_group_completes_and_frees_its_subnet_group(sandbox: Sandbox, network: Network) -> None:
    elasticache = sandbox.client("elasticache")
    group = _create_encrypted_group(elasticache, network)
    with pytest.raises(ClientError) as in_use:
        elasticache.delete_cache_subnet_group(CacheSubnetGroupName="sbx-cache-cache")
    assert _error_code(in_use) == "CacheSubnetGroupInUse"

    deleted = elasticache.delete_replication_group(ReplicationGroupId="sbx-cache")["ReplicationGroup"]
    assert deleted["Status"] == "deleting"

    with pytest.raises(ClientError) as gone:
        elasticache.describe_replication_groups(ReplicationGroupId="sbx-cache")
    assert _error_code(gone) == "ReplicationGroupNotFoundFault"
    with pytest.raises(ClientError) as member_gone:
        elasticache.describe_cache_clusters(CacheClusterId="sbx-cache-001")
    assert _error_code(member_gone) == "CacheClusterNotFound"
    with pytest.raises(ClientError) as tags_gone:
        elasticache.list_tags_for_resource(ResourceName=group["ARN"])
    assert _error_code(tags_gone) == "ReplicationGroupNotFoundFault"

    elasticache.delete_cache_subnet_group(CacheSubnetGroupName="sbx-cache-cache")
    assert elasticache.describe_cache_subnet_groups()["CacheSubnetGroups"] == []
    with pytest.raises(ClientError) as subnet_group_gone:
        elasticache.delete_cache_subnet_group(CacheSubnetGroupName="sbx-cache-cache")
    assert _error_code(subnet_group_gone) == "CacheSubnetGroupNotFoundFault"


def test_defaults_and_replicas_follow_aws(sandbox: Sandbox, network: Network) -> None:
    elasticache = sandbox.client("elasticache")
    _create_encrypted_group(elasticache, network, EngineVersion="", NumCacheClusters=2, TransitEncryptionEnabled=False)
    [group] = elasticache.describe_replication_groups(ReplicationGroupId="sbx-cache")["ReplicationGroups"]
    assert group["MemberClusters"] == ["sbx-cache-001", "sbx-cache-002"]
    assert "TransitEncryptionMode" not in group
    clusters = elasticache.describe_cache_clusters(ShowCacheNodeInfo=True)["CacheClusters"]
    assert {c["EngineVersion"] for c in clusters} == {"7.1.0"}
    # Members are spread over the subnet group's zones.
    assert sorted(c["PreferredAvailabilityZone"] for c in clusters) == ["us-east-1a", "us-east-1b"]


def test_modifying_a_replication_group_reaches_its_members(sandbox: Sandbox, network: Network) -> None:
    elasticache = sandbox.client("elasticache")
    ec2 = sandbox.client("ec2")
    _create_encrypted_group(elasticache, network)
    other = ec2.create_security_group(GroupName="other", Description="other", VpcId=network.vpc_id)["GroupId"]
    elasticache.modify_replication_group(
        ReplicationGroupId="sbx-cache",
        ApplyImmediately=True,
        SecurityGroupIds=[other],
        PreferredMaintenanceWindow="Mon:01:00-Mon:02:00",
        ReplicationGroupDescription="changed",
    )
    [group] = elasticache.describe_replication_groups(ReplicationGroupId="sbx-cache")["ReplicationGroups"]
    assert group["Description"] == "changed"
    [cluster] = elasticache.describe_cache_clusters(CacheClusterId="sbx-cache-001")["CacheClusters"]
    assert [g["SecurityGroupId"] for g in cluster["SecurityGroups"]] == [other]
    assert cluster["PreferredMaintenanceWindow"] == "mon:01:00-mon:02:00"


def test_a_replica_added_to_a_group_inherits_its_settings(sandbox: Sandbox, network: Network) -> None:
    elasticache = sandbox.client("elasticache")
    _create_encrypted_group(elasticache, network)
    elasticache.create_cache_cluster(CacheClusterId="sbx-cache-002", ReplicationGroupId="sbx-cache")
    [group] = elasticache.describe_replication_groups(ReplicationGroupId="sbx-cache")["ReplicationGroups"]
    assert group["MemberClusters"] == ["sbx-cache-001", "sbx-cache-002"]
    [replica] = elasticache.describe_cache_clusters(CacheClusterId="sbx-cache-002")["CacheClusters"]
    assert replica["CacheNodeType"] == "cache.t3.micro"
    assert replica["AtRestEncryptionEnabled"] is True
    assert replica["SecurityGroups"] == [{"SecurityGroupId": network.security_group_id, "Status": "active"}]

    elasticache.delete_cache_cluster(CacheClusterId="sbx-cache-002")
    [group] = elasticache.describe_replication_groups(ReplicationGroupId="sbx-cache")["ReplicationGroups"]
    assert group["MemberClusters"] == ["sbx-cache-001"]
    with pytest.raises(ClientError) as primary:
        elasticache.delete_cache_cluster(CacheClusterId="sbx-cache-001")
    assert _error_code(primary) == "InvalidCacheClusterState"


def test_a_standalone_cache_cluster_is_created_and_deleted(sandbox: Sandbox, network: Network) -> None:
    elasticache = sandbox.client("elasticache")
    elasticache.create_cache_cluster(
        CacheClusterId="memo", Engine="memcached", CacheNodeType="cache.t3.micro", NumCacheNodes=2
    )
    [cluster] = elasticache.describe_cache_clusters(CacheClusterId="memo", ShowCacheNodeInfo=True)["CacheClusters"]
    assert cluster["EngineVersion"] == "1.6.22"
    assert [n["CacheNodeId"] for n in cluster["CacheNodes"]] == ["0001", "0002"]
    assert cluster["ConfigurationEndpoint"]["Port"] == 11211

    assert elasticache.delete_cache_cluster(CacheClusterId="memo")["CacheCluster"]["CacheClusterStatus"] == "deleting"
    with pytest.raises(ClientError) as gone:
        elasticache.describe_cache_clusters(CacheClusterId="memo")
    assert _error_code(gone) == "CacheClusterNotFound"


def test_a_recreated_subnet_group_does_not_inherit_old_tags(sandbox: Sandbox, network: Network) -> None:
    elasticache = sandbox.client("elasticache")
    arguments = {
        "CacheSubnetGroupName": "reused",
        "CacheSubnetGroupDescription": "d",
        "SubnetIds": network.subnet_ids,
    }
    arn = elasticache.create_cache_subnet_group(**arguments, Tags=[{"Key": "old", "Value": "1"}])["CacheSubnetGroup"][
        "ARN"
    ]
    elasticache.delete_cache_subnet_group(CacheSubnetGroupName="reused")
    elasticache.create_cache_subnet_group(**arguments)
    assert elasticache.list_tags_for_resource(ResourceName=arn)["TagList"] == []
    [group] = elasticache.describe_cache_subnet_groups(CacheSubnetGroupName="reused")["CacheSubnetGroups"]
    assert sorted(s["SubnetAvailabilityZone"]["Name"] for s in group["Subnets"]) == ["us-east-1a", "us-east-1b"]


@pytest.mark.parametrize(
    ("engine", "requested", "actual"),
    [
        ("redis", "7.1", "7.1.0"),
        ("redis", "6.x", "6.2.6"),
        ("redis", None, "7.1.0"),
        ("redis", "5.0.6", "5.0.6"),
        ("valkey", "8.0", "8.0.1"),
        ("memcached", "", "1.6.22"),
    ],
)
def test_engine_versions_resolve_like_aws(engine: str, requested: str | None, actual: str) -> None:
    assert resolve_engine_version(engine, requested) == actual


def test_default_parameter_groups() -> None:
    assert default_parameter_group("redis", "7.1.0") == "default.redis7"
    assert default_parameter_group("redis", "6.2.6") == "default.redis6.x"
    assert default_parameter_group("redis", "7.1.0", cluster_enabled=True) == "default.redis7.cluster.on"
    assert default_parameter_group("memcached", "1.6.22") == "default.memcached1.6"


def test_a_redrive_policy_reads_back_as_compact_json_like_aws(sandbox: Sandbox) -> None:
    sqs = sandbox.client("sqs")
    dlq_url = sqs.create_queue(QueueName="jobs-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    policy = f'{{"deadLetterTargetArn":"{dlq_arn}","maxReceiveCount":5}}'
    allow = '{"redrivePermission":"allowAll"}'
    url = sqs.create_queue(QueueName="jobs", Attributes={"RedrivePolicy": policy})["QueueUrl"]
    sqs.set_queue_attributes(QueueUrl=dlq_url, Attributes={"RedriveAllowPolicy": allow})
    assert sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]["RedrivePolicy"] == policy
    assert (
        sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["All"])["Attributes"]["RedriveAllowPolicy"] == allow
    )
