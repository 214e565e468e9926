"""Proposals, their saved plans and approvals.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "proposals",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("environment", sa.String(64), nullable=False, index=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("updated_at", sa.String(32), nullable=False),
        sa.Column("document", sa.Text, nullable=False),
    )
    op.create_table(
        "proposal_plans",
        sa.Column("proposal_id", sa.String(40), sa.ForeignKey("proposals.id"), primary_key=True),
        sa.Column("component", sa.String(64), primary_key=True),
        sa.Column("ciphertext", sa.LargeBinary, nullable=False),
    )
    op.create_table(
        "proposal_approvals",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("proposal_id", sa.String(40), sa.ForeignKey("proposals.id"), nullable=False, index=True),
        sa.Column("approver", sa.String(200), nullable=False),
        sa.Column("at", sa.String(32), nullable=False),
        sa.Column("plan_digest", sa.String(80), nullable=False),
        sa.Column("comment", sa.Text, nullable=False),
        sa.UniqueConstraint("proposal_id", "approver", "plan_digest", name="uq_proposal_approvals_once"),
    )


def downgrade() -> None:
    op.drop_table("proposal_approvals")
    op.drop_table("proposal_plans")
    op.drop_table("proposals")
