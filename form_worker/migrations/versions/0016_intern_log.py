"""the intern's weekly log and end-of-internship report, each reviewed by the mentor

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 23:05:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def _review() -> list[sa.Column]:
    """The columns a week of the log and the report share: the state and the mentor's review."""
    return [
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(), nullable=True),
        sa.Column("reviewed_by", sa.String(length=50), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(), nullable=True),
    ]


def upgrade() -> None:
    op.create_table(
        "log_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("placement_id", sa.Integer(), nullable=False),
        sa.Column("week", sa.Date(), nullable=False),
        sa.Column("did", sa.Text(), nullable=False),
        sa.Column("learned", sa.Text(), nullable=False),
        sa.Column("problems", sa.Text(), nullable=False),
        *_review(),
        sa.ForeignKeyConstraint(["placement_id"], ["placement.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("placement_id", "week"),
    )
    op.create_index(op.f("ix_log_entry_placement_id"), "log_entry", ["placement_id"], unique=False)
    op.create_table(
        "final_report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("placement_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        *_review(),
        sa.ForeignKeyConstraint(["placement_id"], ["placement.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("placement_id"),
    )


def downgrade() -> None:
    op.drop_table("final_report")
    op.drop_index(op.f("ix_log_entry_placement_id"), table_name="log_entry")
    op.drop_table("log_entry")
