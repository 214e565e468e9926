"""One row per (proposal, component, approved plan digest) whose apply started: it never starts twice.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "component_applies",
        sa.Column("proposal_id", sa.String(64), primary_key=True),
        sa.Column("component", sa.String(200), primary_key=True),
        sa.Column("plan_digest", sa.String(80), primary_key=True),
        sa.Column("run_id", sa.String(64), nullable=False),
        sa.Column("started_at", sa.String(32), nullable=False),
        sa.Column("finished_at", sa.String(32), nullable=True),
        sa.Column("outcome", sa.String(32), nullable=False, server_default=""),
    )


def downgrade() -> None:
    op.drop_table("component_applies")
