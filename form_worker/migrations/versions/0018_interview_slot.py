"""interview slots per position, picked by candidates or set by the unit

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 23:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "interview_slot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("position_id", sa.String(length=200), nullable=False),
        sa.Column("starts_at", sa.DateTime(), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=False),
        sa.Column("created_by", sa.String(length=50), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=True),
        sa.Column("booked_at", sa.DateTime(), nullable=True),
        sa.Column("reminded_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["application_id"], ["application.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("position_id", "application_id"),
    )
    op.create_index(op.f("ix_interview_slot_position_id"), "interview_slot", ["position_id"], unique=False)
    op.create_index(op.f("ix_interview_slot_starts_at"), "interview_slot", ["starts_at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_interview_slot_starts_at"), table_name="interview_slot")
    op.drop_index(op.f("ix_interview_slot_position_id"), table_name="interview_slot")
    op.drop_table("interview_slot")
