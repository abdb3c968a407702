"""readers' reports of a problem with a published position (岗位问题反馈)

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-09 10:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "position_feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("position_id", sa.String(length=200), nullable=False),
        sa.Column("unit_slug", sa.String(length=100), nullable=False),
        sa.Column("position_title", sa.String(length=200), nullable=False),
        sa.Column("problem", sa.String(length=20), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("contact", sa.String(length=254), nullable=False),
        sa.Column("share_contact", sa.Boolean(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("forwarded_at", sa.DateTime(), nullable=True),
        sa.Column("forwarded_by", sa.String(length=50), nullable=False),
        sa.Column("forward_note", sa.Text(), nullable=False),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("closed_by", sa.String(length=50), nullable=False),
        sa.Column("close_note", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    for column in ("position_id", "unit_slug", "state", "created_at"):
        op.create_index(op.f(f"ix_position_feedback_{column}"), "position_feedback", [column], unique=False)


def downgrade() -> None:
    for column in ("created_at", "state", "unit_slug", "position_id"):
        op.drop_index(op.f(f"ix_position_feedback_{column}"), table_name="position_feedback")
    op.drop_table("position_feedback")
