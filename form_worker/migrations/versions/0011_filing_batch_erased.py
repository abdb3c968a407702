"""a filing batch counts the rows whose person was erased from its file

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 21:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("filing_batch") as batch_op:
        batch_op.add_column(sa.Column("erased", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("filing_batch") as batch_op:
        batch_op.drop_column("erased")
