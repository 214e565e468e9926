"""A replication group's member clusters: what they share with the group, their host names, detaching one."""

from __future__ import annotations

from typing import Any

__all__ = ["detach_member", "member_address", "member_settings"]


def member_settings(group: Any) -> dict[str, Any]:
    """Settings every member cluster of `group` shares with it."""
    return {
        "replication_group_id": group.replication_group_id,
        "cache_node_type": group.cache_node_type,
        "engine": group.engine,
        "engine_version": group.engine_version,
        "cache_parameter_group_name": group.cache_parameter_group_name,
        "cache_subnet_group_name": group.cache_subnet_group_name,
        "cache_security_group_names": group.cache_security_group_names,
        "security_group_ids": list(group.security_group_ids or []),
        "preferred_maintenance_window": group.preferred_maintenance_window,
        "port": group.port,
        "notification_topic_arn": group.notification_topic_arn,
        "auto_minor_version_upgrade": group.auto_minor_version_upgrade,
        "snapshot_retention_limit": group.snapshot_retention_limit,
        "snapshot_window": group.snapshot_window,
        "transit_encryption_enabled": group.transit_encryption_enabled,
        "transit_encryption_mode": group.transit_encryption_mode,
        "at_rest_encryption_enabled": group.at_rest_encryption_enabled,
        "network_type": group.network_type,
        "ip_discovery": group.ip_discovery,
        "auth_token": "set" if group.auth_token_enabled else None,
        "address_domain": getattr(group, "address_domain", None),
        "log_delivery_configurations": [],
    }


def member_address(group: Any, cluster_id: str) -> str:
    return f"{cluster_id}.{group.address_domain}.cache.amazonaws.com"


def detach_member(group: Any, cluster_id: str) -> None:
    if cluster_id in group.member_clusters:
        group.member_clusters.remove(cluster_id)
    for node_group in group.node_groups:
        node_group["node_group_members"] = [
            member for member in node_group["node_group_members"] if member.get("cache_cluster_id") != cluster_id
        ]
