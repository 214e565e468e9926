"""The metadata store on SQLAlchemy: SQLite (embedded default) or PostgreSQL."""

from infraplane.adapters.store.database import SqlStore

__all__ = ["SqlStore"]
