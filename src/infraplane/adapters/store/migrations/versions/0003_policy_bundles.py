"""Published policy bundles.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "policy_bundles",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(64), nullable=False, index=True),
        sa.Column("version", sa.String(64), nullable=False),
        sa.Column("digest", sa.String(80), sa.ForeignKey("blobs.digest"), nullable=False),
        sa.Column("manifest", sa.Text, nullable=False),
        sa.Column("published_at", sa.String(32), nullable=False),
        sa.Column("published_by", sa.String(200), nullable=False),
        sa.UniqueConstraint("name", "version", name="uq_policy_bundles_name_version"),
    )


def downgrade() -> None:
    op.drop_table("policy_bundles")
