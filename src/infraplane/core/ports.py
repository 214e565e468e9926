"""The small interfaces adapters implement; services depend on these, never on an adapter."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager
from typing import Any, Protocol

from infraplane.core.audit import Actor, AuditEvent
from infraplane.core.catalog import PublishedVersion

__all__ = ["AuditRepository", "CatalogRepository", "Store", "Transaction"]


class CatalogRepository(Protocol):
    """Blueprint versions and their content-addressed archives."""

    def get(self, name: str, version: str) -> PublishedVersion | None: ...

    def versions(self, name: str) -> list[PublishedVersion]: ...

    def all(self) -> list[PublishedVersion]: ...

    def add(self, version: PublishedVersion) -> None: ...

    def deprecate(self, name: str, version: str, at: str, by: str, reason: str) -> None: ...

    def put_archive(self, digest: str, data: bytes) -> None: ...

    def get_archive(self, digest: str) -> bytes: ...


class AuditRepository(Protocol):
    """The append-only, hash-chained audit log."""

    def append(self, actor: Actor, action: str, subject: str, payload: Mapping[str, Any]) -> AuditEvent: ...

    def events(self, after: int = 0, limit: int | None = None) -> Iterator[AuditEvent]: ...


class Transaction(Protocol):
    """One atomic unit of work: state changes and their audit events commit together."""

    @property
    def catalog(self) -> CatalogRepository: ...

    @property
    def audit(self) -> AuditRepository: ...


class Store(Protocol):
    """The metadata store (SQLite or PostgreSQL)."""

    def transaction(self) -> AbstractContextManager[Transaction]: ...
