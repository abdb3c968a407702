"""drafts of the submission form, continued from a link emailed to the unit's contact

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 10:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "submission_draft",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("emailed_to", sa.String(length=254), nullable=False),
        sa.Column("emailed_at", sa.DateTime(), nullable=True),
        sa.Column("emails", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_index(op.f("ix_submission_draft_expires_at"), "submission_draft", ["expires_at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_submission_draft_expires_at"), table_name="submission_draft")
    op.drop_table("submission_draft")
