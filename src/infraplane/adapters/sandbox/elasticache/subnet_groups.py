"""Cache subnet groups: zones named, delete (refused while in use) and modify implemented."""

from __future__ import annotations

from typing import Any

from moto.elasticache.exceptions import CacheSubnetGroupNotFound, ElastiCacheException
from moto.elasticache.models import CacheSubnetGroup

from infraplane.adapters.sandbox.elasticache.originals import ORIGINALS

__all__ = [
    "CacheSubnetGroupInUse",
    "create_cache_subnet_group",
    "delete_cache_subnet_group",
    "modify_cache_subnet_group",
]


class CacheSubnetGroupInUse(ElastiCacheException):
    code = "CacheSubnetGroupInUse"


def _fix_subnet_zones(group: Any) -> None:
    for subnet in group.subnets:
        zone = subnet.get("subnet_availability_zone", subnet.pop("Subnet_availability_zone", None))
        if isinstance(zone, str):
            subnet["subnet_availability_zone"] = {"Name": zone}
        elif isinstance(zone, dict):
            subnet["subnet_availability_zone"] = zone


def create_cache_subnet_group(self: Any, **kwargs: Any) -> Any:
    group = ORIGINALS["ElastiCacheBackend.create_cache_subnet_group"](self, **kwargs)
    _fix_subnet_zones(group)
    return group


def _subnet_group_users(backend: Any, name: str) -> list[str]:
    users = [cid for cid, cluster in backend.cache_clusters.items() if cluster.cache_subnet_group_name == name]
    users += [gid for gid, group in backend.replication_groups.items() if group.cache_subnet_group_name == name]
    return users


def delete_cache_subnet_group(self: Any, cache_subnet_group_name: str) -> None:
    group = self.cache_subnet_groups.get(cache_subnet_group_name)
    if group is None:
        raise CacheSubnetGroupNotFound(cache_subnet_group_name)
    users = _subnet_group_users(self, cache_subnet_group_name)
    if users:
        raise CacheSubnetGroupInUse(f"Cache subnet group {cache_subnet_group_name} is in use by {', '.join(users)}.")
    del self.cache_subnet_groups[cache_subnet_group_name]
    self.tagging_service.delete_all_tags_for_resource(group.arn)


def modify_cache_subnet_group(
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
