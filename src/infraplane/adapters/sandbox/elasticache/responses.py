"""Response handlers: the query API answers in the shapes botocore's model (and so the provider) expects."""

from __future__ import annotations

from typing import Any

from moto.core.responses import ActionResult, EmptyResult, PaginatedResult

from infraplane.adapters.sandbox.elasticache.clusters import cache_cluster_view
from infraplane.adapters.sandbox.elasticache.originals import ORIGINALS

__all__ = [
    "create_cache_cluster_response",
    "delete_cache_cluster_response",
    "delete_cache_subnet_group_response",
    "delete_replication_group_response",
    "describe_cache_clusters_response",
    "modify_cache_subnet_group_response",
    "modify_replication_group_response",
]


def describe_cache_clusters_response(self: Any) -> ActionResult:
    cluster_id = self._get_param("CacheClusterId")
    show_nodes = bool(self._get_bool_param("ShowCacheNodeInfo", False))
    outside_groups_only = bool(self._get_bool_param("ShowCacheClustersNotInReplicationGroups", False))
    clusters = self.elasticache_backend.describe_cache_clusters(cache_cluster_id=cluster_id)
    if outside_groups_only:
        clusters = [cluster for cluster in clusters if not getattr(cluster, "replication_group_id", None)]
    return PaginatedResult({"CacheClusters": [cache_cluster_view(cluster, show_nodes) for cluster in clusters]})


def create_cache_cluster_response(self: Any) -> ActionResult:
    # moto's handler parses every parameter; only its serialization of the result is patched.
    result = ORIGINALS["ElastiCacheResponse.create_cache_cluster"](self)
    cluster = result.result["CacheCluster"]
    return ActionResult({"CacheCluster": cache_cluster_view(cluster, show_nodes=False)})


def delete_cache_cluster_response(self: Any) -> ActionResult:
    cluster = self.elasticache_backend.delete_cache_cluster(
        cache_cluster_id=self._get_param("CacheClusterId"),
        final_snapshot_identifier=self._get_param("FinalSnapshotIdentifier"),
    )
    return ActionResult({"CacheCluster": cache_cluster_view(cluster, show_nodes=False)})


def modify_replication_group_response(self: Any) -> ActionResult:
    group = self.elasticache_backend.modify_replication_group(
        replication_group_id=self._get_param("ReplicationGroupId"),
        replication_group_description=self._get_param("ReplicationGroupDescription"),
        engine=self._get_param("Engine"),
        engine_version=self._get_param("EngineVersion"),
        cache_node_type=self._get_param("CacheNodeType"),
        automatic_failover_enabled=self._get_bool_param("AutomaticFailoverEnabled"),
        multi_az_enabled=self._get_bool_param("MultiAZEnabled"),
        snapshot_retention_limit=self._get_int_param("SnapshotRetentionLimit"),
        snapshotting_cluster_id=self._get_param("SnapshottingClusterId"),
        snapshot_window=self._get_param("SnapshotWindow"),
        security_group_ids=self._get_param("SecurityGroupIds"),
        cache_security_group_names=self._get_param("CacheSecurityGroupNames"),
        preferred_maintenance_window=self._get_param("PreferredMaintenanceWindow"),
        cache_parameter_group_name=self._get_param("CacheParameterGroupName"),
        notification_topic_arn=self._get_param("NotificationTopicArn"),
        auto_minor_version_upgrade=self._get_bool_param("AutoMinorVersionUpgrade"),
        transit_encryption_enabled=self._get_bool_param("TransitEncryptionEnabled"),
        transit_encryption_mode=self._get_param("TransitEncryptionMode"),
        ip_discovery=self._get_param("IpDiscovery"),
        cluster_mode=self._get_param("ClusterMode"),
        auth_token=self._get_param("AuthToken"),
        auth_token_update_strategy=self._get_param("AuthTokenUpdateStrategy"),
        user_group_ids_to_add=self._get_param("UserGroupIdsToAdd"),
        user_group_ids_to_remove=self._get_param("UserGroupIdsToRemove"),
        remove_user_groups=self._get_bool_param("RemoveUserGroups"),
    )
    return ActionResult({"ReplicationGroup": group})


def delete_replication_group_response(self: Any) -> ActionResult:
    group = self.elasticache_backend.delete_replication_group(
        replication_group_id=self._get_param("ReplicationGroupId"),
        retain_primary_cluster=self._get_bool_param("RetainPrimaryCluster"),
        final_snapshot_identifier=self._get_param("FinalSnapshotIdentifier"),
    )
    return ActionResult({"ReplicationGroup": group})


def delete_cache_subnet_group_response(self: Any) -> ActionResult:
    self.elasticache_backend.delete_cache_subnet_group(self._get_param("CacheSubnetGroupName"))
    return EmptyResult()


def modify_cache_subnet_group_response(self: Any) -> ActionResult:
    group = self.elasticache_backend.modify_cache_subnet_group(
        cache_subnet_group_name=self._get_param("CacheSubnetGroupName"),
        description=self._get_param("CacheSubnetGroupDescription"),
        subnet_ids=self._get_param("SubnetIds"),
    )
    return ActionResult({"CacheSubnetGroup": group})


# --------------------------------------------------------------------------- installation
