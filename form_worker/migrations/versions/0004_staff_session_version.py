"""staff session version: logout, password change and reset, deactivation end every session

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 14:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("staff_user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("session_version", sa.Integer(), nullable=False, server_default="1"))


def downgrade() -> None:
    with op.batch_alter_table("staff_user", schema=None) as batch_op:
        batch_op.drop_column("session_version")
