"""Catalog (blobs, blueprint versions, deprecations) and the audit chain.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "blobs",
        sa.Column("digest", sa.String(80), primary_key=True),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("data", sa.LargeBinary, nullable=False),
    )
    op.create_table(
        "blueprint_versions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(64), nullable=False, index=True),
        sa.Column("version", sa.String(64), nullable=False),
        sa.Column("digest", sa.String(80), sa.ForeignKey("blobs.digest"), nullable=False),
        sa.Column("manifest", sa.Text, nullable=False),
        sa.Column("published_at", sa.String(32), nullable=False),
        sa.Column("published_by", sa.String(200), nullable=False),
        sa.UniqueConstraint("name", "version", name="uq_blueprint_versions_name_version"),
    )
    op.create_table(
        "blueprint_deprecations",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("version", sa.String(64), nullable=False),
        sa.Column("deprecated_at", sa.String(32), nullable=False),
        sa.Column("deprecated_by", sa.String(200), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.UniqueConstraint("name", "version", name="uq_blueprint_deprecations_name_version"),
    )
    op.create_table(
        "audit_events",
        sa.Column("sequence", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("time", sa.String(32), nullable=False),
        sa.Column("actor_kind", sa.String(16), nullable=False),
        sa.Column("actor_id", sa.String(200), nullable=False),
        sa.Column("action", sa.String(100), nullable=False, index=True),
        sa.Column("subject", sa.String(400), nullable=False, index=True),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("previous_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("hash", sa.String(64), nullable=False, unique=True),
    )
    head = op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("sequence", sa.Integer, nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.bulk_insert(head, [{"id": 1, "sequence": 0, "hash": "0" * 64}])


def downgrade() -> None:
    for table in ("audit_head", "audit_events", "blueprint_deprecations", "blueprint_versions", "blobs"):
        op.drop_table(table)
