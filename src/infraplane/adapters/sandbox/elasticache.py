"""ElastiCache fidelity patches for the sandbox cloud (moto 5.2).

Terraform's AWS provider (5.x) cannot create, re-read or destroy an `aws_elasticache_replication_group`
(nor cleanly an `aws_elasticache_cluster` or `aws_elasticache_subnet_group`) against plain moto.
Measured with moto 5.2.5 and provider 5.100.0, and what is patched here:

1. Replication groups have no member clusters. moto lists `MemberClusters` but never creates those
   cache clusters, while the provider reads engine, engine version, security groups, subnet group,
   encryption and maintenance window from the first member through `DescribeCacheClusters`, and fails
   with `CacheClusterNotFound`. -> CreateReplicationGroup creates one cache cluster per member that
   inherits the group's settings; the cluster mode disabled case also honours `NumCacheClusters`
   (moto ignored it and always made a single node) and spreads members over the subnet group's zones.
2. Engine versions are not resolved. moto echoes whatever was sent and nothing when it was omitted,
   so the provider's semantic-version parse fails. -> "7.1" becomes "7.1.0", "6.x" becomes "6.2.6", an
   omitted version the engine's default, as AWS does; the default parameter group
   (`default.redis7`, ...) and a maintenance window are filled in the same way.
3. Cache clusters come back without the members the provider needs. moto's objects have no
   `SecurityGroups` membership list, `CacheParameterGroup`, `CacheNodes` (even with
   `ShowCacheNodeInfo`), `AtRestEncryptionEnabled` or `TransitEncryptionMode`, and valkey clusters have
   no `NumCacheNodes` -> DescribeCacheClusters/CreateCacheCluster/DeleteCacheCluster answer with the
   full `CacheCluster` shape of botocore's model, nodes only when `ShowCacheNodeInfo` is true.
4. Replication groups read back incompletely: no `ReaderEndpoint`, no `TransitEncryptionMode`, no
   `AutoMinorVersionUpgrade`, a malformed default `SnapshotWindow` ("05:00-6:00"). -> filled in.
5. Deletes never complete. moto flags a deleted replication group or cache cluster "deleting" and
   keeps it forever, so the provider's wait-until-gone loops until its 40-minute timeout. -> the
   delete answers "deleting" (as AWS does) and the resource is gone from the next describe on, with its
   member clusters (except a retained primary), its tags, and a final snapshot when one was asked for.
6. `DeleteCacheSubnetGroup` and `ModifyCacheSubnetGroup` are not implemented (moto answers that the
   action is not implemented, so destroy fails). -> implemented, with AWS's `CacheSubnetGroupInUse` refusal.
7. `ModifyReplicationGroup` only understands six parameters and silently drops the rest (security
   groups, maintenance window, engine version, parameter group, snapshot window, transit encryption,
   ...), so a changed argument shows up as a diff again on every plan. -> all are applied, to the group
   and to its member clusters.
8. Tags outlive their resource: moto keeps them keyed by ARN after a delete, so a re-created resource
   with the same name inherits them, and tagging a missing resource succeeds. -> deletes drop the tags,
   and ListTagsForResource / AddTagsToResource / RemoveTagsFromResource answer the not-found fault of
   the ARN's resource type.
9. Subnets in `DescribeCacheSubnetGroups` have an empty `SubnetAvailabilityZone`. -> `Name` filled in.

`apply_elasticache_patches()` installs all of this on moto's backend and response classes, in place,
so every region and account backend (and `POST /moto-api/reset`) sees the patched behaviour.
"""

from __future__ import annotations

import random
import re
import string
from collections.abc import Callable
from typing import Any

from moto.core.responses import ActionResult, EmptyResult, PaginatedResult
from moto.core.utils import utcnow
from moto.elasticache.exceptions import (
    CacheClusterNotFound,
    CacheSubnetGroupNotFound,
    ElastiCacheException,
    InvalidParameterValueException,
    ReplicationGroupNotFound,
    SnapshotNotFound,
    UserNotFound,
)
from moto.elasticache.models import CacheCluster, CacheSubnetGroup, ElastiCacheBackend
from moto.elasticache.responses import ElastiCacheResponse

__all__ = ["apply_elasticache_patches", "default_parameter_group", "resolve_engine_version"]

# What AWS answers for a requested version (engine, as sent) -> the patch release it runs.
_KNOWN_VERSIONS: dict[str, dict[str, str]] = {
    "redis": {
        "7.1": "7.1.0",
        "7.0": "7.0.7",
        "6.x": "6.2.6",
        "6.2": "6.2.6",
        "6.0": "6.0.5",
        "5.0": "5.0.6",
        "4.0": "4.0.10",
    },
    "valkey": {"8.1": "8.1.0", "8.0": "8.0.1", "7.2": "7.2.6"},
    "memcached": {"1.6": "1.6.22"},
}
_DEFAULT_VERSIONS = {"redis": "7.1.0", "valkey": "8.0.1", "memcached": "1.6.22"}
_DEFAULT_MAINTENANCE_WINDOW = "sun:05:00-sun:06:00"
_DEFAULT_SNAPSHOT_WINDOW = "05:00-06:00"
_CLIENT_DOWNLOAD_PAGE = "https://console.aws.amazon.com/elasticache/home#client-download:"


class CacheSubnetGroupInUse(ElastiCacheException):
    code = "CacheSubnetGroupInUse"


class InvalidCacheClusterState(ElastiCacheException):
    code = "InvalidCacheClusterState"


def resolve_engine_version(engine: str, requested: str | None) -> str:
    """The full version AWS reports for `requested` ("7.1" -> "7.1.0"); the engine's default when omitted."""
    engine = engine.lower()
    if not requested:
        return _DEFAULT_VERSIONS.get(engine, _DEFAULT_VERSIONS["redis"])
    known = _KNOWN_VERSIONS.get(engine, {})
    if requested.lower() in known:
        return known[requested.lower()]
    if match := re.fullmatch(r"(\d+)\.x", requested, flags=re.IGNORECASE):
        return f"{match.group(1)}.0.0"
    if re.fullmatch(r"\d+\.\d+", requested):
        return f"{requested}.0"
    return requested


def default_parameter_group(engine: str, version: str, cluster_enabled: bool = False) -> str:
    """Name of the default cache parameter group AWS assigns to `engine` at `version`."""
    parts = version.split(".")
    major = parts[0]
    minor = parts[1] if len(parts) > 1 else "0"
    engine = engine.lower()
    if engine == "memcached":
        family = f"memcached{major}.{minor}"
    elif engine == "valkey":
        family = f"valkey{major}"
    elif major.isdigit() and int(major) >= 7:
        family = f"redis{major}"
    elif major == "6":
        family = "redis6.x"
    else:
        family = f"redis{major}.{minor}"
    return f"default.{family}{'.cluster.on' if cluster_enabled else ''}"


def _random_label(length: int = 6) -> str:
    return "".join(random.choices(string.ascii_lowercase + string.digits, k=length))  # noqa: S311 - not a secret


def _bool(value: Any, default: bool) -> bool:
    if value is None:
        return default
    if isinstance(value, str):
        return value.lower() == "true"
    return bool(value)


def _subnet_group_zones(backend: Any, name: str | None) -> list[str]:
    group = backend.cache_subnet_groups.get(name) if name else None
    if group is None:
        return []
    zones: list[str] = []
    for subnet in group.subnets:
        zone = subnet.get("subnet_availability_zone") or subnet.get("Subnet_availability_zone")
        zone_name = zone.get("Name") if isinstance(zone, dict) else zone
        if zone_name and zone_name not in zones:
            zones.append(zone_name)
    return zones


# --------------------------------------------------------------------------- cache clusters


def _new_cache_cluster(backend: Any, cluster_id: str, settings: dict[str, Any]) -> Any:
    """A moto CacheCluster carrying every attribute `_cache_cluster_view` reads."""
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
    window = cluster.preferred_maintenance_window or _DEFAULT_MAINTENANCE_WINDOW
    cluster.preferred_maintenance_window = window.lower()
    if engine != "memcached":
        cluster.snapshot_window = cluster.snapshot_window or _DEFAULT_SNAPSHOT_WINDOW
    cluster.auto_minor_version_upgrade = _bool(cluster.auto_minor_version_upgrade, True)
    cluster.transit_encryption_enabled = _bool(cluster.transit_encryption_enabled, False)
    cluster.transit_encryption_mode = settings.get("transit_encryption_mode") or (
        "required" if cluster.transit_encryption_enabled else None
    )
    cluster.at_rest_encryption_enabled = _bool(settings.get("at_rest_encryption_enabled"), False)
    cluster.network_type = cluster.network_type or "ipv4"
    cluster.ip_discovery = cluster.ip_discovery or "ipv4"
    if not cluster.preferred_availability_zone:
        zones = _subnet_group_zones(backend, cluster.cache_subnet_group_name)
        cluster.preferred_availability_zone = zones[0] if zones else f"{backend.region_name}a"
    if engine == "memcached" and cluster.num_cache_nodes > 1 and not cluster.az_mode:
        cluster.az_mode = "single-az"
    cluster.cache_cluster_status = "available"
    cluster.address_domain = settings.get("address_domain") or f"{_random_label()}.{_region_short(backend)}"
    cluster.node_address = settings.get("node_address")


_COMPASS = {"north": "n", "south": "s", "east": "e", "west": "w", "central": "c"}


def _region_short(backend: Any) -> str:
    # Endpoint host names abbreviate the region: us-east-1 -> use1, ap-southeast-2 -> apse2.
    parts = str(backend.region_name).split("-")
    if len(parts) != 3:
        return "".join(parts)
    middle = parts[1]
    for word, letter in _COMPASS.items():
        middle = middle.replace(word, letter)
    return f"{parts[0]}{middle}{parts[2]}"


def _cache_cluster_view(cluster: Any, show_nodes: bool) -> dict[str, Any]:
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


def _create_cache_cluster(self: Any, **kwargs: Any) -> Any:
    group_id = kwargs.get("replication_group_id")
    settings = dict(kwargs)
    if group_id:
        # A cluster added to an existing group is a read replica with the group's settings.
        group = self.replication_groups.get(group_id)
        if group is None:
            raise ReplicationGroupNotFound(group_id)
        settings.update(_member_settings(group))
        for key, value in kwargs.items():
            if value not in (None, [], ""):
                settings[key] = value
    cluster = _ORIGINALS["ElastiCacheBackend.create_cache_cluster"](
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
                    "read_endpoint": {"address": _member_address(group, cluster.cache_cluster_id), "port": group.port},
                    "preferred_availability_zone": cluster.preferred_availability_zone,
                    "current_role": "replica",
                }
            )
        cluster.node_address = _member_address(group, cluster.cache_cluster_id)
        cluster.auth_token_enabled = group.auth_token_enabled
    return cluster


def _delete_cache_cluster(self: Any, cache_cluster_id: str, final_snapshot_identifier: str | None = None) -> Any:
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
        _detach_member(group, cache_cluster_id)
    cluster.cache_cluster_status = "deleting"
    cluster.status = "deleting"
    # Gone from the next describe on: the provider waits for CacheClusterNotFound.
    del self.cache_clusters[cache_cluster_id]
    self.tagging_service.delete_all_tags_for_resource(cluster.arn)
    return cluster


def _detach_member(group: Any, cluster_id: str) -> None:
    if cluster_id in group.member_clusters:
        group.member_clusters.remove(cluster_id)
    for node_group in group.node_groups:
        node_group["node_group_members"] = [
            member for member in node_group["node_group_members"] if member.get("cache_cluster_id") != cluster_id
        ]


# --------------------------------------------------------------------------- replication groups


def _member_settings(group: Any) -> dict[str, Any]:
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


def _member_address(group: Any, cluster_id: str) -> str:
    return f"{cluster_id}.{group.address_domain}.cache.amazonaws.com"


def _create_replication_group(self: Any, **kwargs: Any) -> Any:
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

    group = _ORIGINALS["ElastiCacheBackend.create_replication_group"](self, **kwargs)

    group.engine = engine
    group.engine_version = engine_version
    group.cache_parameter_group_name = parameter_group or default_parameter_group(
        engine, engine_version, cluster_mode == "enabled"
    )
    group.preferred_maintenance_window = (group.preferred_maintenance_window or _DEFAULT_MAINTENANCE_WINDOW).lower()
    if not kwargs.get("snapshot_window"):
        group.snapshot_window = _DEFAULT_SNAPSHOT_WINDOW
    group.auto_minor_version_upgrade = _bool(group.auto_minor_version_upgrade, True)
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
        else f"{group.replication_group_id}.{_random_label()}.{_region_short(self)}"
    )

    zones = _subnet_group_zones(self, group.cache_subnet_group_name)
    explicit_zones = bool(kwargs.get("preferred_cache_cluster_azs"))
    settings = _member_settings(group)
    settings["auth_token"] = kwargs.get("auth_token")
    position = 0
    for node_group in group.node_groups:
        for member in node_group["node_group_members"]:
            if zones and not explicit_zones:
                member["preferred_availability_zone"] = zones[position % len(zones)]
            position += 1
            cluster_id = member["cache_cluster_id"]
            member_settings = dict(settings)
            member_settings["preferred_availability_zone"] = member.get("preferred_availability_zone")
            member_settings["node_address"] = (member.get("read_endpoint") or {}).get("address") or _member_address(
                group, cluster_id
            )
            member_settings["tags"] = []
            self.cache_clusters[cluster_id] = _new_cache_cluster(self, cluster_id, member_settings)
    return group


def _modify_replication_group(self: Any, replication_group_id: str, **changes: Any) -> Any:
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
        both("auto_minor_version_upgrade", _bool(changes["auto_minor_version_upgrade"], True))
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


def _delete_replication_group(
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


# --------------------------------------------------------------------------- subnet groups and tags


def _fix_subnet_zones(group: Any) -> None:
    for subnet in group.subnets:
        zone = subnet.get("subnet_availability_zone", subnet.pop("Subnet_availability_zone", None))
        if isinstance(zone, str):
            subnet["subnet_availability_zone"] = {"Name": zone}
        elif isinstance(zone, dict):
            subnet["subnet_availability_zone"] = zone


def _create_cache_subnet_group(self: Any, **kwargs: Any) -> Any:
    group = _ORIGINALS["ElastiCacheBackend.create_cache_subnet_group"](self, **kwargs)
    _fix_subnet_zones(group)
    return group


def _subnet_group_users(backend: Any, name: str) -> list[str]:
    users = [cid for cid, cluster in backend.cache_clusters.items() if cluster.cache_subnet_group_name == name]
    users += [gid for gid, group in backend.replication_groups.items() if group.cache_subnet_group_name == name]
    return users


def _delete_cache_subnet_group(self: Any, cache_subnet_group_name: str) -> None:
    group = self.cache_subnet_groups.get(cache_subnet_group_name)
    if group is None:
        raise CacheSubnetGroupNotFound(cache_subnet_group_name)
    users = _subnet_group_users(self, cache_subnet_group_name)
    if users:
        raise CacheSubnetGroupInUse(f"Cache subnet group {cache_subnet_group_name} is in use by {', '.join(users)}.")
    del self.cache_subnet_groups[cache_subnet_group_name]
    self.tagging_service.delete_all_tags_for_resource(group.arn)


def _modify_cache_subnet_group(
    self: Any, cache_subnet_group_name: str, description: str | None, subnet_ids: list[str] | None
) -> Any:
    group = self.cache_subnet_groups.get(cache_subnet_group_name)
    if group is None:
        raise CacheSubnetGroupNotFound(cache_subnet_group_name)
    if subnet_ids:
        # Rebuilding through the constructor re-validates the subnets and recomputes zones and VPC.
        rebuilt = CacheSubnetGroup(
            account_id=self.account_id,
            region_name=self.region_name,
            cache_subnet_group_name=cache_subnet_group_name,
            cache_subnet_group_description=group.cache_subnet_group_description,
            subnet_ids=subnet_ids,
            tags=group.tags,
        )
        group.subnet_ids = rebuilt.subnet_ids
        group.subnets = rebuilt.subnets
        group.vpc_id = rebuilt.vpc_id
        group.supported_network_types = rebuilt.supported_network_types
        _fix_subnet_zones(group)
    if description is not None:
        group.cache_subnet_group_description = description
    return group


_ARN_KINDS: dict[str, tuple[str, type[Exception]]] = {
    "cluster": ("cache_clusters", CacheClusterNotFound),
    "replicationgroup": ("replication_groups", ReplicationGroupNotFound),
    "subnetgroup": ("cache_subnet_groups", CacheSubnetGroupNotFound),
    "snapshot": ("snapshots", SnapshotNotFound),
    "user": ("users", UserNotFound),
}


def _require_tagged_resource(backend: Any, arn: str) -> None:
    parts = arn.split(":", 6)
    if len(parts) < 7 or parts[2] != "elasticache":
        return
    kind, name = parts[5], parts[6]
    if kind in _ARN_KINDS:
        attribute, error = _ARN_KINDS[kind]
        if name not in getattr(backend, attribute):
            raise error(name)


def _checked_tag_method(name: str) -> Callable[..., Any]:
    original = _ORIGINALS[f"ElastiCacheBackend.{name}"]

    def method(self: Any, arn: str, *args: Any) -> Any:
        _require_tagged_resource(self, arn)
        return original(self, arn, *args)

    method.__name__ = name
    return method


# --------------------------------------------------------------------------- response handlers


def _describe_cache_clusters_response(self: Any) -> ActionResult:
    cluster_id = self._get_param("CacheClusterId")
    show_nodes = bool(self._get_bool_param("ShowCacheNodeInfo", False))
    outside_groups_only = bool(self._get_bool_param("ShowCacheClustersNotInReplicationGroups", False))
    clusters = self.elasticache_backend.describe_cache_clusters(cache_cluster_id=cluster_id)
    if outside_groups_only:
        clusters = [cluster for cluster in clusters if not getattr(cluster, "replication_group_id", None)]
    return PaginatedResult({"CacheClusters": [_cache_cluster_view(cluster, show_nodes) for cluster in clusters]})


def _create_cache_cluster_response(self: Any) -> ActionResult:
    # moto's handler parses every parameter; only its serialization of the result is patched.
    result = _ORIGINALS["ElastiCacheResponse.create_cache_cluster"](self)
    cluster = result.result["CacheCluster"]
    return ActionResult({"CacheCluster": _cache_cluster_view(cluster, show_nodes=False)})


def _delete_cache_cluster_response(self: Any) -> ActionResult:
    cluster = self.elasticache_backend.delete_cache_cluster(
        cache_cluster_id=self._get_param("CacheClusterId"),
        final_snapshot_identifier=self._get_param("FinalSnapshotIdentifier"),
    )
    return ActionResult({"CacheCluster": _cache_cluster_view(cluster, show_nodes=False)})


def _modify_replication_group_response(self: Any) -> ActionResult:
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


def _delete_replication_group_response(self: Any) -> ActionResult:
    group = self.elasticache_backend.delete_replication_group(
        replication_group_id=self._get_param("ReplicationGroupId"),
        retain_primary_cluster=self._get_bool_param("RetainPrimaryCluster"),
        final_snapshot_identifier=self._get_param("FinalSnapshotIdentifier"),
    )
    return ActionResult({"ReplicationGroup": group})


def _delete_cache_subnet_group_response(self: Any) -> ActionResult:
    self.elasticache_backend.delete_cache_subnet_group(self._get_param("CacheSubnetGroupName"))
    return EmptyResult()


def _modify_cache_subnet_group_response(self: Any) -> ActionResult:
    group = self.elasticache_backend.modify_cache_subnet_group(
        cache_subnet_group_name=self._get_param("CacheSubnetGroupName"),
        description=self._get_param("CacheSubnetGroupDescription"),
        subnet_ids=self._get_param("SubnetIds"),
    )
    return ActionResult({"CacheSubnetGroup": group})


# --------------------------------------------------------------------------- installation

_ORIGINALS: dict[str, Any] = {}

_BACKEND_PATCHES: dict[str, Callable[..., Any]] = {
    "create_cache_cluster": _create_cache_cluster,
    "delete_cache_cluster": _delete_cache_cluster,
    "create_replication_group": _create_replication_group,
    "modify_replication_group": _modify_replication_group,
    "delete_replication_group": _delete_replication_group,
    "create_cache_subnet_group": _create_cache_subnet_group,
    "delete_cache_subnet_group": _delete_cache_subnet_group,
    "modify_cache_subnet_group": _modify_cache_subnet_group,
}
_TAG_METHODS = ("list_tags_for_resource", "add_tags_to_resource", "remove_tags_from_resource")
_RESPONSE_PATCHES: dict[str, Callable[..., ActionResult]] = {
    "describe_cache_clusters": _describe_cache_clusters_response,
    "create_cache_cluster": _create_cache_cluster_response,
    "delete_cache_cluster": _delete_cache_cluster_response,
    "modify_replication_group": _modify_replication_group_response,
    "delete_replication_group": _delete_replication_group_response,
    "delete_cache_subnet_group": _delete_cache_subnet_group_response,
    "modify_cache_subnet_group": _modify_cache_subnet_group_response,
}


def apply_elasticache_patches() -> None:
    """Install the ElastiCache patches on moto's classes; calling it again does nothing."""
    if _ORIGINALS:
        return
    for name in [*_BACKEND_PATCHES, *_TAG_METHODS]:
        _ORIGINALS[f"ElastiCacheBackend.{name}"] = getattr(ElastiCacheBackend, name, None)
    for name in _RESPONSE_PATCHES:
        _ORIGINALS[f"ElastiCacheResponse.{name}"] = getattr(ElastiCacheResponse, name, None)
    for name, function in _BACKEND_PATCHES.items():
        setattr(ElastiCacheBackend, name, function)
    for name in _TAG_METHODS:
        setattr(ElastiCacheBackend, name, _checked_tag_method(name))
    for name, function in _RESPONSE_PATCHES.items():
        setattr(ElastiCacheResponse, name, function)
