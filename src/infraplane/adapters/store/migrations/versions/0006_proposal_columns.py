"""Proposals get `team` and `expires_at` columns so lists filter and page in SQL, not in Python.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("proposals", sa.Column("team", sa.String(64), nullable=False, server_default=""))
    op.add_column("proposals", sa.Column("expires_at", sa.String(32), nullable=False, server_default=""))
    proposals = sa.table(
        "proposals",
        sa.column("id", sa.String),
        sa.column("document", sa.Text),
        sa.column("team", sa.String),
        sa.column("expires_at", sa.String),
    )
    connection = op.get_bind()
    for row in connection.execute(sa.select(proposals.c.id, proposals.c.document)).all():
        document = json.loads(row.document)
        connection.execute(
            proposals.update()
            .where(proposals.c.id == row.id)
            .values(team=document.get("team", ""), expires_at=document.get("expires_at", ""))
        )
    op.create_index("ix_proposals_created_at_id", "proposals", ["created_at", "id"])
    op.create_index("ix_proposals_team", "proposals", ["team"])


def downgrade() -> None:
    op.drop_index("ix_proposals_team", "proposals")
    op.drop_index("ix_proposals_created_at_id", "proposals")
    with op.batch_alter_table("proposals") as batch:
        batch.drop_column("expires_at")
        batch.drop_column("team")
