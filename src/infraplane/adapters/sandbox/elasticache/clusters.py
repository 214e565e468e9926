"""Cache clusters: created complete, described in botocore's full `CacheCluster` shape, deleted at once."""

from __future__ import annotations

from typing import Any

from moto.elasticache.exceptions import CacheClusterNotFound, ElastiCacheException, ReplicationGroupNotFound
from moto.elasticache.models import CacheCluster

from infraplane.adapters.sandbox.elasticache.defaults import (
    DEFAULT_MAINTENANCE_WINDOW,
    DEFAULT_SNAPSHOT_WINDOW,
    as_bool,
    default_parameter_group,
    random_label,
    region_short,
    resolve_engine_version,
    subnet_group_zones,
)
from infraplane.adapters.sandbox.elasticache.members import detach_member, member_address, member_settings
from infraplane.adapters.sandbox.elasticache.originals import ORIGINALS

__all__ = [
    "InvalidCacheClusterState",
    "cache_cluster_view",
    "create_cache_cluster",
    "delete_cache_cluster",
    "new_cache_cluster",
]

_CLIENT_DOWNLOAD_PAGE = "https://console.aws.amazon.com/elasticache/home#client-download:"


class InvalidCacheClusterState(ElastiCacheException):
    code = "InvalidCacheClusterState"


def new_cache_cluster(backend: Any, cluster_id: str, settings: dict[str, Any]) -> Any:
    """A moto CacheCluster carrying every attribute `cache_cluster_view` reads."""
    engine = (settings.get("engine") or "redis").lower()
    cluster = CacheCluster(
        account_id=backend.account_id,
        region_name=backend.region_name,
        cache_cluster_id=cluster_id,
        cache_node_type=str(settings.get("cache_node_type") or ""),
        replication_group_id=settings.get("replication_group_id"),
        az_mode=settings.get("az_mode"),
        preferred_availability_zone=settings.get("preferred_availability_zone"),
        num_cache_nodes=settings.get("num_cache_nodes"),
        engine=engine,
        engine_version=settings.get("engine_version"),
        cache_parameter_group_name=settings.get("cache_parameter_group_name"),
        cache_subnet_group_name=settings.get("cache_subnet_group_name"),
        transit_encryption_enabled=settings.get("transit_encryption_enabled"),
        network_type=settings.get("network_type"),
        ip_discovery=settings.get("ip_discovery"),
        snapshot_name=settings.get("snapshot_name"),
        preferred_maintenance_window=settings.get("preferred_maintenance_window"),
        port=settings.get("port"),
        notification_topic_arn=settings.get("notification_topic_arn"),
        auto_minor_version_upgrade=settings.get("auto_minor_version_upgrade"),
        snapshot_retention_limit=settings.get("snapshot_retention_limit"),
        snapshot_window=settings.get("snapshot_window"),
        auth_token=settings.get("auth_token"),
        outpost_mode=settings.get("outpost_mode"),
        preferred_outpost_arn=settings.get("preferred_outpost_arn"),
        preferred_availability_zones=settings.get("preferred_availability_zones"),
        cache_security_group_names=settings.get("cache_security_group_names"),
        security_group_ids=settings.get("security_group_ids"),
        tags=settings.get("tags"),
        snapshot_arns=settings.get("snapshot_arns"),
        preferred_outpost_arns=settings.get("preferred_outpost_arns"),
        log_delivery_configurations=settings.get("log_delivery_configurations") or [],
        cache_node_ids_to_remove=settings.get("cache_node_ids_to_remove"),
        cache_node_ids_to_reboot=settings.get("cache_node_ids_to_reboot"),
    )
    _complete_cache_cluster(backend, cluster, settings)
    return cluster


def _complete_cache_cluster(backend: Any, cluster: Any, settings: dict[str, Any]) -> None:
    """Fill in what AWS decides on its own when a cluster is created and moto leaves empty."""
    engine = (cluster.engine or "redis").lower()
    cluster.engine = engine
    cluster.engine_version = resolve_engine_version(engine, cluster.engine_version)
    # moto leaves this unset for valkey; redis and valkey clusters always have exactly one node.
    cluster.num_cache_nodes = (getattr(cluster, "num_cache_nodes", None) or 1) if engine == "memcached" else 1
    # moto defaults every engine to 6379 at construction, memcached listens on 11211.
    cluster.port = settings.get("port") or (11211 if engine == "memcached" else 6379)
    cluster.cache_parameter_group_name = cluster.cache_parameter_group_name or default_parameter_group(
        engine, cluster.engine_version
    )
    window = cluster.preferred_maintenance_window or DEFAULT_MAINTENANCE_WINDOW
    cluster.preferred_maintenance_window = window.lower()
    if engine != "memcached":
        cluster.snapshot_window = cluster.snapshot_window or DEFAULT_SNAPSHOT_WINDOW
    cluster.auto_minor_version_upgrade = as_bool(cluster.auto_minor_version_upgrade, True)
    cluster.transit_encryption_enabled = as_bool(cluster.transit_encryption_enabled, False)
    cluster.transit_encryption_mode = settings.get("transit_encryption_mode") or (
        "required" if cluster.transit_encryption_enabled else None
    )
    cluster.at_rest_encryption_enabled = as_bool(settings.get("at_rest_encryption_enabled"), False)
    cluster.network_type = cluster.network_type or "ipv4"
    cluster.ip_discovery = cluster.ip_discovery or "ipv4"
    if not cluster.preferred_availability_zone:
        zones = subnet_group_zones(backend, cluster.cache_subnet_group_name)
        cluster.preferred_availability_zone = zones[0] if zones else f"{backend.region_name}a"
    if engine == "memcached" and cluster.num_cache_nodes > 1 and not cluster.az_mode:
        cluster.az_mode = "single-az"
    cluster.cache_cluster_status = "available"
    cluster.address_domain = settings.get("address_domain") or f"{random_label()}.{region_short(backend)}"
    cluster.node_address = settings.get("node_address")


def cache_cluster_view(cluster: Any, show_nodes: bool) -> dict[str, Any]:
    """`CacheCluster` as botocore's model names it, for the query serializer."""
    engine = cluster.engine
    port = cluster.port
    domain = getattr(cluster, "address_domain", "sandbox.use1")
    view: dict[str, Any] = {
        "CacheClusterId": cluster.cache_cluster_id,
        "ClientDownloadLandingPage": _CLIENT_DOWNLOAD_PAGE,
        "CacheNodeType": cluster.cache_node_type,
        "Engine": engine,
        "EngineVersion": cluster.engine_version,
        "CacheClusterStatus": cluster.cache_cluster_status,
        "NumCacheNodes": getattr(cluster, "num_cache_nodes", 1),
        "PreferredAvailabilityZone": cluster.preferred_availability_zone,
        "CacheClusterCreateTime": cluster.cache_cluster_create_time,
        "PreferredMaintenanceWindow": cluster.preferred_maintenance_window,
        "PendingModifiedValues": {},
        "CacheSecurityGroups": [
            {"CacheSecurityGroupName": name, "Status": "active"} for name in cluster.cache_security_group_names or []
        ],
        "CacheParameterGroup": {
            "CacheParameterGroupName": getattr(cluster, "cache_parameter_group_name", None),
            "ParameterApplyStatus": "in-sync",
            "CacheNodeIdsToReboot": [],
        },
        "CacheSubnetGroupName": cluster.cache_subnet_group_name,
        "AutoMinorVersionUpgrade": getattr(cluster, "auto_minor_version_upgrade", True),
        "SecurityGroups": [
            {"SecurityGroupId": group_id, "Status": "active"} for group_id in cluster.security_group_ids or []
        ],
        "ReplicationGroupId": getattr(cluster, "replication_group_id", None),
        "SnapshotRetentionLimit": cluster.snapshot_retention_limit if engine != "memcached" else None,
        "SnapshotWindow": getattr(cluster, "snapshot_window", None) if engine != "memcached" else None,
        "AuthTokenEnabled": bool(cluster.auth_token_enabled),
        "AuthTokenLastModifiedDate": cluster.auth_token_last_modified_date if cluster.auth_token_enabled else None,
        "TransitEncryptionEnabled": bool(cluster.transit_encryption_enabled),
        "AtRestEncryptionEnabled": bool(getattr(cluster, "at_rest_encryption_enabled", False)),
        "ARN": cluster.arn,
        "ReplicationGroupLogDeliveryEnabled": False,
        "LogDeliveryConfigurations": cluster.log_delivery_configurations or [],
        "NetworkType": getattr(cluster, "network_type", None) or "ipv4",
        "IpDiscovery": getattr(cluster, "ip_discovery", None) or "ipv4",
        "TransitEncryptionMode": getattr(cluster, "transit_encryption_mode", None),
    }
    if cluster.notification_topic_arn:
        view["NotificationConfiguration"] = {"TopicArn": cluster.notification_topic_arn, "TopicStatus": "active"}
    if engine == "memcached":
        view["ConfigurationEndpoint"] = {
            "Address": f"{cluster.cache_cluster_id}.{domain}.cfg.cache.amazonaws.com",
            "Port": port,
        }
    if show_nodes:
        nodes = []
        for index in range(1, view["NumCacheNodes"] + 1):
            node_id = f"{index:04d}"
            address = getattr(cluster, "node_address", None) or (
                f"{cluster.cache_cluster_id}.{domain}.{node_id}.cache.amazonaws.com"
            )
            nodes.append(
                {
                    "CacheNodeId": node_id,
                    "CacheNodeStatus": "available",
                    "CacheNodeCreateTime": cluster.cache_cluster_create_time,
                    "Endpoint": {"Address": address, "Port": port},
                    "ParameterGroupStatus": "in-sync",
                    "CustomerAvailabilityZone": cluster.preferred_availability_zone,
                }
            )
        view["CacheNodes"] = nodes
    return view


def create_cache_cluster(self: Any, **kwargs: Any) -> Any:
    group_id = kwargs.get("replication_group_id")
    settings = dict(kwargs)
    if group_id:
        # A cluster added to an existing group is a read replica with the group's settings.
        group = self.replication_groups.get(group_id)
        if group is None:
            raise ReplicationGroupNotFound(group_id)
        settings.update(member_settings(group))
        for key, value in kwargs.items():
            if value not in (None, [], ""):
                settings[key] = value
    cluster = ORIGINALS["ElastiCacheBackend.create_cache_cluster"](
        self, **{key: settings.get(key, value) for key, value in kwargs.items()}
    )
    _complete_cache_cluster(self, cluster, settings)
    if group_id:
        group = self.replication_groups[group_id]
        group.member_clusters.append(cluster.cache_cluster_id)
        if group.node_groups:
            group.node_groups[0]["node_group_members"].append(
                {
                    "cache_cluster_id": cluster.cache_cluster_id,
                    "cache_node_id": "0001",
                    "read_endpoint": {"address": member_address(group, cluster.cache_cluster_id), "port": group.port},
                    "preferred_availability_zone": cluster.preferred_availability_zone,
                    "current_role": "replica",
                }
            )
        cluster.node_address = member_address(group, cluster.cache_cluster_id)
        cluster.auth_token_enabled = group.auth_token_enabled
    return cluster


def delete_cache_cluster(self: Any, cache_cluster_id: str, final_snapshot_identifier: str | None = None) -> Any:
    cluster = self.cache_clusters.get(cache_cluster_id)
    if cluster is None:
        raise CacheClusterNotFound(cache_cluster_id)
    group = self.replication_groups.get(getattr(cluster, "replication_group_id", None) or "")
    if group is not None and group.member_clusters and group.member_clusters[0] == cache_cluster_id:
        raise InvalidCacheClusterState(
            f"Cannot delete the primary cluster {cache_cluster_id} of replication group {group.replication_group_id}."
        )
    if final_snapshot_identifier:
        self.create_snapshot(
            snapshot_name=final_snapshot_identifier,
            replication_group_id=None,
            cache_cluster_id=cache_cluster_id,
            kms_key_id=None,
            tags=None,
        )
    if group is not None:
        detach_member(group, cache_cluster_id)
    cluster.cache_cluster_status = "deleting"
    cluster.status = "deleting"
    # Gone from the next describe on: the provider waits for CacheClusterNotFound.
    del self.cache_clusters[cache_cluster_id]
    self.tagging_service.delete_all_tags_for_resource(cluster.arn)
    return cluster
