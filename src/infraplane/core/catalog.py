"""Published blueprint versions: the catalog's domain records."""

from __future__ import annotations

from dataclasses import dataclass

from infraplane.core.blueprint import Blueprint

__all__ = ["PublishedVersion"]


@dataclass(frozen=True)
class PublishedVersion:
    """One immutable `name@version`, bound forever to the digest of its archive."""

    blueprint: Blueprint
    digest: str
    published_at: str
    published_by: str
    deprecated_at: str | None = None
    deprecated_by: str | None = None

    @property
    def name(self) -> str:
        return self.blueprint.name

    @property
    def version(self) -> str:
        return self.blueprint.version

    @property
    def ref(self) -> str:
        return self.blueprint.ref

    @property
    def deprecated(self) -> bool:
        return self.deprecated_at is not None
