"""SQLAlchemy table definitions. Schema changes go through Alembic migrations, never create_all."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

__all__ = ["AuditEventRow", "AuditHeadRow", "Base", "BlobRow", "BlueprintDeprecationRow", "BlueprintVersionRow"]


class Base(DeclarativeBase):
    pass


class BlobRow(Base):
    """Content-addressed archives; the key is the digest of the content."""

    __tablename__ = "blobs"
    digest: Mapped[str] = mapped_column(String(80), primary_key=True)
    size: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class BlueprintVersionRow(Base):
    """A published `name@version`; rows are inserted once and never updated."""

    __tablename__ = "blueprint_versions"
    __table_args__ = (UniqueConstraint("name", "version", name="uq_blueprint_versions_name_version"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(64), index=True)
    version: Mapped[str] = mapped_column(String(64))
    digest: Mapped[str] = mapped_column(String(80), ForeignKey("blobs.digest"))
    manifest: Mapped[str] = mapped_column(Text)
    published_at: Mapped[str] = mapped_column(String(32))
    published_by: Mapped[str] = mapped_column(String(200))


class BlueprintDeprecationRow(Base):
    """Deprecation is a fact recorded beside a version, so version rows stay untouched."""

    __tablename__ = "blueprint_deprecations"
    __table_args__ = (UniqueConstraint("name", "version", name="uq_blueprint_deprecations_name_version"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(64))
    version: Mapped[str] = mapped_column(String(64))
    deprecated_at: Mapped[str] = mapped_column(String(32))
    deprecated_by: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text, default="")


class AuditEventRow(Base):
    """Append-only audit log; `sequence` and `previous_hash` are unique, so the chain cannot fork."""

    __tablename__ = "audit_events"
    sequence: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    time: Mapped[str] = mapped_column(String(32))
    actor_kind: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(100), index=True)
    subject: Mapped[str] = mapped_column(String(400), index=True)
    payload: Mapped[str] = mapped_column(Text)
    previous_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class AuditHeadRow(Base):
    """The single row naming the chain's last event; appenders lock it to serialize."""

    __tablename__ = "audit_head"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sequence: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))
