"""The policy adapter as one object the guardrails service is given: bundles read from disk, Rego engines."""

from __future__ import annotations

from pathlib import Path

from infraplane.adapters.policy.bundles import load_bundle, load_bundle_archive
from infraplane.adapters.policy.engine import RegoEngine
from infraplane.adapters.policy.vetting import vet
from infraplane.core.policy_bundles import LoadedBundle

__all__ = ["RegoPolicies"]


class RegoPolicies:
    """Implements `infraplane.core.ports.PolicyBundles` with regopy; engines keep compiled bundles in a cache."""

    def __init__(self, compiled_cache: Path | None = None, max_archive_bytes: int | None = None) -> None:
        self._compiled_cache = compiled_cache
        self._max_archive_bytes = max_archive_bytes

    def load(self, directory: Path) -> LoadedBundle:
        return load_bundle(directory, max_archive_bytes=self._max_archive_bytes)

    def load_archive(self, archive: bytes, target: Path) -> LoadedBundle:
        return load_bundle_archive(archive, target)

    def vet(self, bundle: LoadedBundle) -> None:
        vet(bundle, self._compiled_cache)

    def engine(self, bundles: list[LoadedBundle]) -> RegoEngine:
        return RegoEngine(bundles, self._compiled_cache)
