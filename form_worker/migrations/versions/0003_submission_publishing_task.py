"""submission publishing as a task: who approved, why publishing failed; approved is now published

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 11:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("submission", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("approved_by", sa.String(length=100), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("publish_error", sa.Text(), nullable=False, server_default=""))
    op.execute("UPDATE submission SET state = 'published' WHERE state = 'approved'")


def downgrade() -> None:
    op.execute(
        "UPDATE submission SET state = 'approved'"
        " WHERE state IN ('published', 'publishing', 'publish_failed')"
    )
    with op.batch_alter_table("submission", schema=None) as batch_op:
        batch_op.drop_column("publish_error")
        batch_op.drop_column("approved_by")
