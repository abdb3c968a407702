"""a submission's late arrival: new positions sent after the collection window closed

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-08 00:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN: copying `submission` in batch mode would drop a table its events refer to.
    op.add_column("submission", sa.Column("late_at", sa.DateTime(), nullable=True))
    op.create_index(op.f("ix_submission_late_at"), "submission", ["late_at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_submission_late_at"), table_name="submission")
    op.drop_column("submission", "late_at")
