"""Published policy bundles read straight from a SQLite store, without SQLAlchemy.

`infraplane policy check` only reads which bundles are published and their archives; opening the
store through SQLAlchemy costs more to import than the whole check otherwise does. This reader asks
the same two tables with the standard library's sqlite3, read-only, and only when the database file
exists and records the newest migration; otherwise (`open_published_policies` returns None) the
caller uses the full store, which creates and migrates it.
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from infraplane.adapters.store.revision import head_revision
from infraplane.errors import NotFoundError

if TYPE_CHECKING:  # the records are many dataclasses; `policy check` reads none when nothing is published
    from infraplane.core.records import PublishedBundle

__all__ = ["SqlitePublishedPolicies", "open_published_policies"]

_PREFIX = "sqlite:///"


class SqlitePublishedPolicies:
    """Implements `infraplane.core.ports.PublishedPolicies` on a SQLite file, read-only."""

    def __init__(self, database: Path) -> None:
        self._uri = f"file:{quote(str(database))}?mode=ro"

    def _connect(self) -> sqlite3.Connection:
        connection = sqlite3.connect(self._uri, uri=True)
        connection.execute("PRAGMA busy_timeout=30000")
        return connection

    def all(self) -> list[PublishedBundle]:
        """Every published version, ordered like `SqlPolicyRepository.all` (name, then publication)."""
        from infraplane.core.records import PublishedBundle

        query = (
            "SELECT name, version, digest, manifest, published_at, published_by FROM policy_bundles ORDER BY name, id"
        )
        with closing(self._connect()) as connection:
            rows = connection.execute(query).fetchall()
        return [PublishedBundle(n, v, d, json.loads(m), at, by) for n, v, d, m, at, by in rows]

    def archive(self, digest: str) -> bytes:
        with closing(self._connect()) as connection:
            row = connection.execute("SELECT data FROM blobs WHERE digest = ?", (digest,)).fetchone()
        if row is None:
            raise NotFoundError(f"no archive stored for {digest}")
        return bytes(row[0])


def open_published_policies(database_url: str) -> SqlitePublishedPolicies | None:
    """A reader for this store, or None when it is not a SQLite file already at the newest migration."""
    if not database_url.startswith(_PREFIX):
        return None
    database = Path(database_url.removeprefix(_PREFIX))
    head = head_revision()
    if head is None or not database.is_file():
        return None
    try:
        with closing(sqlite3.connect(f"file:{quote(str(database))}?mode=ro", uri=True)) as connection:
            versions = [row[0] for row in connection.execute("SELECT version_num FROM alembic_version")]
    except sqlite3.Error:
        return None  # no schema yet, or not readable: the full store says why
    return SqlitePublishedPolicies(database) if versions == [head] else None
