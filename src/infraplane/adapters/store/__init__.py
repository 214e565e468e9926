"""The metadata store on SQLAlchemy: SQLite (embedded default) or PostgreSQL.

`SqlStore` is imported on first use, so `published_policies` (read with sqlite3 alone) can be
imported without SQLAlchemy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from infraplane.adapters.store.database import SqlStore

__all__ = ["SqlStore"]


def __getattr__(name: str) -> Any:
    if name == "SqlStore":
        from infraplane.adapters.store.database import SqlStore

        return SqlStore
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
