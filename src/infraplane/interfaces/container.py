"""The composition root: settings, the store and the services, built once per process."""

from __future__ import annotations

from functools import cached_property

from infraplane.adapters.store import SqlStore
from infraplane.core.audit import Actor
from infraplane.services.audit import AuditService
from infraplane.services.catalog import CatalogService
from infraplane.settings import Settings, load_settings

__all__ = ["Container"]


class Container:
    """Lazily wires adapters into services; interfaces ask it for what they need."""

    def __init__(self, settings: Settings | None = None, user: str | None = None) -> None:
        self._settings = settings
        self._user = user

    @cached_property
    def settings(self) -> Settings:
        return self._settings or load_settings()

    @cached_property
    def store(self) -> SqlStore:
        self.settings.home.mkdir(parents=True, exist_ok=True)
        store = SqlStore(self.settings.effective_database_url)
        store.migrate()
        return store

    @property
    def human(self) -> Actor:
        """The person at this terminal (`--as`, INFRAPLANE_USER, or the login name)."""
        return Actor("human", self._user or self.settings.user)

    @cached_property
    def catalog(self) -> CatalogService:
        return CatalogService(self.store)

    @cached_property
    def audit(self) -> AuditService:
        return AuditService(self.store)

    def close(self) -> None:
        if "store" in self.__dict__:
            self.store.dispose()
