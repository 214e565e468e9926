"""Environments reading each other's outputs: one row per read of an applied consumer.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "environment_dependencies",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("consumer", sa.String(64), nullable=False, index=True),
        sa.Column("producer", sa.String(64), nullable=False, index=True),
        sa.Column("output", sa.String(200), nullable=False),
        sa.Column("field", sa.String(400), nullable=False),
        sa.Column("digest", sa.String(80), nullable=False),
        sa.Column("value_type", sa.String(16), nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("recorded_at", sa.String(32), nullable=False),
        sa.UniqueConstraint("consumer", "field", name="uq_environment_dependencies_consumer_field"),
    )


def downgrade() -> None:
    op.drop_table("environment_dependencies")
