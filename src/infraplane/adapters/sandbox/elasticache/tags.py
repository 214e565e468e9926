"""Tags of ElastiCache resources: tagging a resource that does not exist answers its not-found fault."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from moto.elasticache.exceptions import (
    CacheClusterNotFound,
    CacheSubnetGroupNotFound,
    ReplicationGroupNotFound,
    SnapshotNotFound,
    UserNotFound,
)

from infraplane.adapters.sandbox.elasticache.originals import ORIGINALS

__all__ = ["TAG_METHODS", "checked_tag_method"]

TAG_METHODS = ("list_tags_for_resource", "add_tags_to_resource", "remove_tags_from_resource")

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


def checked_tag_method(name: str) -> Callable[..., Any]:
    original = ORIGINALS[f"ElastiCacheBackend.{name}"]

    def method(self: Any, arn: str, *args: Any) -> Any:
        _require_tagged_resource(self, arn)
        return original(self, arn, *args)

    method.__name__ = name
    return method
