"""Replication groups: created with real member clusters, modified in every parameter, deleted at once."""

from __future__ import annotations

from typing import Any

from moto.core.utils import utcnow
from moto.elasticache.exceptions import InvalidParameterValueException, ReplicationGroupNotFound

from infraplane.adapters.sandbox.elasticache.clusters import new_cache_cluster
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
from infraplane.adapters.sandbox.elasticache.members import member_address, member_settings
from infraplane.adapters.sandbox.elasticache.originals import ORIGINALS

__all__ = ["create_replication_group", "delete_replication_group", "modify_replication_group"]


def create_replication_group(self: Any, **kwargs: Any) -> Any:
    engine = (kwargs.get("engine") or "redis").lower()
    if engine not in ("redis", "valkey"):
        raise InvalidParameterValueException(f"Invalid engine {kwargs.get('engine')!r}: use redis or valkey.")
    engine_version = resolve_engine_version(engine, kwargs.get("engine_version"))
    cluster_mode = kwargs.get("cluster_mode")
    parameter_group = kwargs.get("cache_parameter_group_name")
    if not cluster_mode:
        cluster_on = (kwargs.get("num_node_groups") or 1) > 1 or ".cluster.on" in (parameter_group or "")
        cluster_mode = "enabled" if cluster_on else "disabled"
    kwargs["cluster_mode"] = cluster_mode
    kwargs["engine"] = engine
    kwargs["engine_version"] = engine_version
    if cluster_mode != "enabled" and kwargs.get("num_cache_clusters") and not kwargs.get("replicas_per_node_group"):
        # moto sizes a cluster-mode-disabled group from ReplicasPerNodeGroup only.
        kwargs["replicas_per_node_group"] = int(kwargs["num_cache_clusters"]) - 1

    group = ORIGINALS["ElastiCacheBackend.create_replication_group"](self, **kwargs)

    group.engine = engine
    group.engine_version = engine_version
    group.cache_parameter_group_name = parameter_group or default_parameter_group(
        engine, engine_version, cluster_mode == "enabled"
    )
    group.preferred_maintenance_window = (group.preferred_maintenance_window or DEFAULT_MAINTENANCE_WINDOW).lower()
    if not kwargs.get("snapshot_window"):
        group.snapshot_window = DEFAULT_SNAPSHOT_WINDOW
    group.auto_minor_version_upgrade = as_bool(group.auto_minor_version_upgrade, True)
    group.transit_encryption_enabled = bool(group.transit_encryption_enabled)
    group.at_rest_encryption_enabled = bool(group.at_rest_encryption_enabled)
    group.transit_encryption_mode = group.transit_encryption_mode or (
        "required" if group.transit_encryption_enabled else None
    )
    group.security_group_ids = list(group.security_group_ids or [])
    primary_address = ""
    for node_group in group.node_groups:
        primary_address = node_group.get("primary_endpoint_address", "")
        if primary_address and "reader_endpoint_address" in node_group:
            node_group["reader_endpoint"] = {"address": node_group["reader_endpoint_address"], "port": group.port}
    # "master.<id>.<label>.use1.cache.amazonaws.com": member host names share the "<id>.<label>.use1" part.
    domain_parts = primary_address.split(".")
    group.address_domain = (
        ".".join(domain_parts[1:4])
        if len(domain_parts) > 4
        else f"{group.replication_group_id}.{random_label()}.{region_short(self)}"
    )

    zones = subnet_group_zones(self, group.cache_subnet_group_name)
    explicit_zones = bool(kwargs.get("preferred_cache_cluster_azs"))
    settings = member_settings(group)
    settings["auth_token"] = kwargs.get("auth_token")
    position = 0
    for node_group in group.node_groups:
        for member in node_group["node_group_members"]:
            if zones and not explicit_zones:
                member["preferred_availability_zone"] = zones[position % len(zones)]
            position += 1
            cluster_id = member["cache_cluster_id"]
            one_member = dict(settings)
            one_member["preferred_availability_zone"] = member.get("preferred_availability_zone")
            one_member["node_address"] = (member.get("read_endpoint") or {}).get("address") or member_address(
                group, cluster_id
            )
            one_member["tags"] = []
            self.cache_clusters[cluster_id] = new_cache_cluster(self, cluster_id, one_member)
    return group


def modify_replication_group(self: Any, replication_group_id: str, **changes: Any) -> Any:
    group = self.replication_groups.get(replication_group_id)
    if group is None:
        raise ReplicationGroupNotFound(replication_group_id)
    changes = {key: value for key, value in changes.items() if value is not None}
    members = [self.cache_clusters[cid] for cid in group.member_clusters if cid in self.cache_clusters]

    def both(attribute: str, value: Any) -> None:
        setattr(group, attribute, value)
        for member in members:
            setattr(member, attribute, value)

    if "replication_group_description" in changes:
        group.description = changes["replication_group_description"]
    if "automatic_failover_enabled" in changes:
        group.automatic_failover = "enabled" if changes["automatic_failover_enabled"] else "disabled"
    if "multi_az_enabled" in changes:
        group.multi_az = "enabled" if changes["multi_az_enabled"] else "disabled"
    if "engine" in changes:
        both("engine", str(changes["engine"]).lower())
    if "engine_version" in changes:
        both("engine_version", resolve_engine_version(group.engine, changes["engine_version"]))
    if "cache_node_type" in changes:
        both("cache_node_type", changes["cache_node_type"])
    if "security_group_ids" in changes:
        both("security_group_ids", list(changes["security_group_ids"]))
    if "cache_security_group_names" in changes:
        both("cache_security_group_names", list(changes["cache_security_group_names"]))
    if "preferred_maintenance_window" in changes:
        both("preferred_maintenance_window", str(changes["preferred_maintenance_window"]).lower())
    if "cache_parameter_group_name" in changes:
        both("cache_parameter_group_name", changes["cache_parameter_group_name"])
    if "notification_topic_arn" in changes:
        both("notification_topic_arn", changes["notification_topic_arn"])
    if "auto_minor_version_upgrade" in changes:
        both("auto_minor_version_upgrade", as_bool(changes["auto_minor_version_upgrade"], True))
    if "snapshot_retention_limit" in changes:
        group.snapshot_retention_limit = int(changes["snapshot_retention_limit"])
        group.snapshotting_cluster_id = (
            changes.get("snapshotting_cluster_id") or (group.member_clusters[-1] if group.member_clusters else None)
            if group.snapshot_retention_limit > 0
            else None
        )
        for member in members:
            member.snapshot_retention_limit = group.snapshot_retention_limit
    if "snapshot_window" in changes:
        both("snapshot_window", changes["snapshot_window"])
    if "transit_encryption_enabled" in changes:
        both("transit_encryption_enabled", bool(changes["transit_encryption_enabled"]))
        if not group.transit_encryption_enabled:
            both("transit_encryption_mode", None)
        elif not group.transit_encryption_mode:
            both("transit_encryption_mode", "required")
    if "transit_encryption_mode" in changes:
        both("transit_encryption_mode", changes["transit_encryption_mode"])
    if "ip_discovery" in changes:
        both("ip_discovery", changes["ip_discovery"])
    if "cluster_mode" in changes:
        group.cluster_mode = changes["cluster_mode"]
    if "auth_token" in changes:
        strategy = str(changes.get("auth_token_update_strategy") or "ROTATE").upper()
        enabled = strategy != "DELETE"
        both("auth_token_enabled", enabled)
        both("auth_token_last_modified_date", utcnow())
    user_groups = list(group.user_group_ids or [])
    for added in changes.get("user_group_ids_to_add") or []:
        if added not in user_groups:
            user_groups.append(added)
    removed = set(changes.get("user_group_ids_to_remove") or [])
    if changes.get("remove_user_groups"):
        removed = set(user_groups)
    group.user_group_ids = [gid for gid in user_groups if gid not in removed]
    return group


def delete_replication_group(
    self: Any,
    replication_group_id: str,
    retain_primary_cluster: bool | None = None,
    final_snapshot_identifier: str | None = None,
) -> Any:
    group = self.replication_groups.get(replication_group_id)
    if group is None:
        raise ReplicationGroupNotFound(replication_group_id)
    if final_snapshot_identifier:
        self.create_snapshot(
            snapshot_name=final_snapshot_identifier,
            replication_group_id=replication_group_id,
            cache_cluster_id=None,
            kms_key_id=None,
            tags=None,
        )
    group.status = "deleting"
    primary_id = group.member_clusters[0] if group.member_clusters else None
    for cluster_id in list(group.member_clusters):
        cluster = self.cache_clusters.get(cluster_id)
        if cluster is None:
            continue
        if retain_primary_cluster and cluster_id == primary_id:
            cluster.replication_group_id = None
            continue
        del self.cache_clusters[cluster_id]
        self.tagging_service.delete_all_tags_for_resource(cluster.arn)
    # Gone from the next describe on: the provider waits for ReplicationGroupNotFoundFault.
    del self.replication_groups[replication_group_id]
    self.tagging_service.delete_all_tags_for_resource(group.arn)
    return group
