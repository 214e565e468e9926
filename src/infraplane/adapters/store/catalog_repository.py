"""Blueprint versions, deprecations and archives in SQL."""

from __future__ import annotations

import json

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from infraplane.adapters.store.tables import BlobRow, BlueprintDeprecationRow, BlueprintVersionRow
from infraplane.core.blueprint import Blueprint
from infraplane.core.catalog import PublishedVersion
from infraplane.errors import NotFoundError

__all__ = ["SqlCatalogRepository"]


class SqlCatalogRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def _published(
        self, rows: list[tuple[BlueprintVersionRow, BlueprintDeprecationRow | None]]
    ) -> list[PublishedVersion]:
        return [
            PublishedVersion(
                blueprint=Blueprint.model_validate(json.loads(row.manifest)),
                digest=row.digest,
                published_at=row.published_at,
                published_by=row.published_by,
                deprecated_at=dep.deprecated_at if dep else None,
                deprecated_by=dep.deprecated_by if dep else None,
            )
            for row, dep in rows
        ]

    def _query(self) -> Select[BlueprintVersionRow, BlueprintDeprecationRow]:
        return select(BlueprintVersionRow, BlueprintDeprecationRow).outerjoin(
            BlueprintDeprecationRow,
            (BlueprintDeprecationRow.name == BlueprintVersionRow.name)
            & (BlueprintDeprecationRow.version == BlueprintVersionRow.version),
        )

    def get(self, name: str, version: str) -> PublishedVersion | None:
        query = self._query().where(BlueprintVersionRow.name == name, BlueprintVersionRow.version == version)
        found = self._published([(r, d) for r, d in self._session.execute(query)])
        return found[0] if found else None

    def versions(self, name: str) -> list[PublishedVersion]:
        query = self._query().where(BlueprintVersionRow.name == name).order_by(BlueprintVersionRow.id)
        return self._published([(r, d) for r, d in self._session.execute(query)])

    def all(self) -> list[PublishedVersion]:
        query = self._query().order_by(BlueprintVersionRow.name, BlueprintVersionRow.id)
        return self._published([(r, d) for r, d in self._session.execute(query)])

    def generation(self) -> tuple[int, int]:
        newest = self._session.execute(select(func.max(BlueprintVersionRow.id))).scalar_one()
        deprecations = self._session.execute(select(func.count()).select_from(BlueprintDeprecationRow)).scalar_one()
        return int(newest or 0), int(deprecations)

    def add(self, version: PublishedVersion) -> None:
        self._session.add(
            BlueprintVersionRow(
                name=version.name,
                version=version.version,
                digest=version.digest,
                manifest=version.blueprint.model_dump_json(by_alias=True),
                published_at=version.published_at,
                published_by=version.published_by,
            )
        )
        self._session.flush()

    def deprecate(self, name: str, version: str, at: str, by: str, reason: str) -> None:
        self._session.add(
            BlueprintDeprecationRow(name=name, version=version, deprecated_at=at, deprecated_by=by, reason=reason)
        )
        self._session.flush()

    def put_archive(self, digest: str, data: bytes) -> None:
        if self._session.get(BlobRow, digest) is None:
            self._session.add(BlobRow(digest=digest, size=len(data), data=data))
            self._session.flush()

    def get_archive(self, digest: str) -> bytes:
        row = self._session.get(BlobRow, digest)
        if row is None:
            raise NotFoundError(f"no archive stored for {digest}")
        return row.data
