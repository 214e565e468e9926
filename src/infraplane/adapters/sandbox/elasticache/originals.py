"""moto's own methods, kept by `apply_elasticache_patches` before it replaces them, for the patches to call."""

from __future__ import annotations

from typing import Any

__all__ = ["ORIGINALS"]

# "ElastiCacheBackend.create_cache_cluster" -> moto's function; filled once, when the patches are installed.
ORIGINALS: dict[str, Any] = {}
