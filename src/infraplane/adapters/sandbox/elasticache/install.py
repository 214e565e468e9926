"""Installing the patches on moto's backend and response classes, in place, once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from moto.core.responses import ActionResult
from moto.elasticache.models import ElastiCacheBackend
from moto.elasticache.responses import ElastiCacheResponse

from infraplane.adapters.sandbox.elasticache.clusters import create_cache_cluster, delete_cache_cluster
from infraplane.adapters.sandbox.elasticache.originals import ORIGINALS
from infraplane.adapters.sandbox.elasticache.replication_groups import (
    create_replication_group,
    delete_replication_group,
    modify_replication_group,
)
from infraplane.adapters.sandbox.elasticache.responses import (
    create_cache_cluster_response,
    delete_cache_cluster_response,
    delete_cache_subnet_group_response,
    delete_replication_group_response,
    describe_cache_clusters_response,
    modify_cache_subnet_group_response,
    modify_replication_group_response,
)
from infraplane.adapters.sandbox.elasticache.subnet_groups import (
    create_cache_subnet_group,
    delete_cache_subnet_group,
    modify_cache_subnet_group,
)
from infraplane.adapters.sandbox.elasticache.tags import TAG_METHODS, checked_tag_method

__all__ = ["apply_elasticache_patches"]

_BACKEND_PATCHES: dict[str, Callable[..., Any]] = {
    "create_cache_cluster": create_cache_cluster,
    "delete_cache_cluster": delete_cache_cluster,
    "create_replication_group": create_replication_group,
    "modify_replication_group": modify_replication_group,
    "delete_replication_group": delete_replication_group,
    "create_cache_subnet_group": create_cache_subnet_group,
    "delete_cache_subnet_group": delete_cache_subnet_group,
    "modify_cache_subnet_group": modify_cache_subnet_group,
}
_RESPONSE_PATCHES: dict[str, Callable[..., ActionResult]] = {
    "describe_cache_clusters": describe_cache_clusters_response,
    "create_cache_cluster": create_cache_cluster_response,
    "delete_cache_cluster": delete_cache_cluster_response,
    "modify_replication_group": modify_replication_group_response,
    "delete_replication_group": delete_replication_group_response,
    "delete_cache_subnet_group": delete_cache_subnet_group_response,
    "modify_cache_subnet_group": modify_cache_subnet_group_response,
}


def apply_elasticache_patches() -> None:
    """Install the ElastiCache patches on moto's classes; calling it again does nothing."""
    if ORIGINALS:
        return
    for name in [*_BACKEND_PATCHES, *TAG_METHODS]:
        ORIGINALS[f"ElastiCacheBackend.{name}"] = getattr(ElastiCacheBackend, name, None)
    for name in _RESPONSE_PATCHES:
        ORIGINALS[f"ElastiCacheResponse.{name}"] = getattr(ElastiCacheResponse, name, None)
    for name, function in _BACKEND_PATCHES.items():
        setattr(ElastiCacheBackend, name, function)
    for name in TAG_METHODS:
        setattr(ElastiCacheBackend, name, checked_tag_method(name))
    for name, function in _RESPONSE_PATCHES.items():
        setattr(ElastiCacheResponse, name, function)
