"""Engine set-up, migrations and the transaction object the services use."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from infraplane.adapters.secrets import SecretBox
from infraplane.adapters.store.audit_repository import SqlAuditRepository
from infraplane.adapters.store.catalog_repository import SqlCatalogRepository
from infraplane.adapters.store.environment_repository import SqlEnvironmentRepository
from infraplane.adapters.store.lock_repository import SqlLockRepository
from infraplane.adapters.store.policy_repository import SqlPolicyRepository
from infraplane.adapters.store.proposal_repository import SqlProposalRepository
from infraplane.adapters.store.revision import MIGRATIONS as _MIGRATIONS
from infraplane.adapters.store.revision import head_revision
from infraplane.adapters.store.token_repository import SqlTokenRepository
from infraplane.errors import ConfigError, FailureError

__all__ = ["SqlStore", "SqlTransaction", "head_revision"]


_READ_ONLY = "infraplane_read_only"
# pg_advisory_xact_lock key around Alembic: two processes starting at once migrate one after the other.
_MIGRATION_LOCK = 0x1F2A_0001


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # IMMEDIATE takes the write lock up front: two writers queue instead of failing
        # half-way, which keeps the audit chain single-file across processes. A read-only
        # transaction takes no lock: in WAL mode it reads a snapshot beside any writer.
        read_only = connection.get_execution_options().get(_READ_ONLY, False)
        connection.exec_driver_sql("BEGIN DEFERRED" if read_only else "BEGIN IMMEDIATE")


class SqlTransaction:
    """One session; the repositories share it, so a change and its audit event commit together."""

    def __init__(self, session: Session, box: SecretBox) -> None:
        self.session = session
        self.catalog = SqlCatalogRepository(session)
        self.audit = SqlAuditRepository(session)
        self.environments = SqlEnvironmentRepository(session, box)
        self.locks = SqlLockRepository(session)
        self.policies = SqlPolicyRepository(session)
        self.proposals = SqlProposalRepository(session, box)
        self.tokens = SqlTokenRepository(session)


class SqlStore:
    """The metadata store. `url` is any SQLAlchemy URL; sqlite files are created on demand.

    `box` encrypts secret material (state, outputs) before it reaches the database.
    """

    def __init__(self, url: str, box: SecretBox | None = None) -> None:
        self.url = url
        self._box = box or SecretBox(SecretBox.new_key())
        if url.startswith("sqlite:///"):
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        elif url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
        try:
            # The pool holds what the server's 40 request threads use at once, so connections are
            # kept, not opened and closed (with their PRAGMAs) at every request beyond the fifth.
            self.engine = create_engine(url, pool_pre_ping=True, pool_size=20, max_overflow=20)
        except (SQLAlchemyError, ValueError, ImportError) as exc:
            raise ConfigError(f"database_url: cannot use {self.url!r}: {exc}") from None
        if self.engine.dialect.name == "sqlite":
            _configure_sqlite(self.engine)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    def schema_is_current(self) -> bool:
        """Whether the database records exactly the newest migration (one query; False on any doubt)."""
        head = head_revision()
        if head is None:
            return False
        try:
            with self.engine.connect() as connection:
                versions = [row[0] for row in connection.exec_driver_sql("SELECT version_num FROM alembic_version")]
        except SQLAlchemyError:
            return False  # no such table yet, or the store cannot be opened: `migrate` says which
        return versions == [head]

    def migrate(self) -> None:
        """Bring the schema to the newest migration (idempotent).

        Every command opens the store, and alembic costs ~0.5 s to import and run even when there is
        nothing to do, so a store already at the newest revision is left alone without it.
        """
        if self.schema_is_current():
            return
        from alembic import command
        from alembic.config import Config

        config = Config()
        config.set_main_option("script_location", str(_MIGRATIONS))
        try:
            with self.engine.begin() as connection:
                if self.engine.dialect.name == "postgresql":
                    # Held until this transaction ends; the second process then finds nothing to do.
                    connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_MIGRATION_LOCK})")
                config.attributes["connection"] = connection
                command.upgrade(config, "head")
        except OperationalError as exc:
            raise FailureError(f"cannot open the store at {self.engine.url!r}: {exc.orig}") from None

    @contextmanager
    def transaction(self) -> Iterator[SqlTransaction]:
        """Commit on success, roll back on any error."""
        with self._sessions() as session, session.begin():
            yield SqlTransaction(session, self._box)

    @contextmanager
    def read(self) -> Iterator[SqlTransaction]:
        """A transaction that only reads (no write lock on SQLite; READ ONLY on PostgreSQL)."""
        with self._sessions() as session, session.begin():
            session.connection(execution_options={_READ_ONLY: True})
            if self.engine.dialect.name == "postgresql":
                session.execute(text("SET TRANSACTION READ ONLY"))
            yield SqlTransaction(session, self._box)

    def seal(self, plaintext: bytes) -> str:
        return self._box.seal(plaintext)

    def unseal(self, token: str) -> bytes:
        return self._box.unseal(token)

    def dispose(self) -> None:
        self.engine.dispose()
