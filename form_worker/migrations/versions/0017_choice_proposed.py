"""a choice records the unit's proposal (拟录用) for selection together

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 23:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN: copying `choice` in batch mode is not needed for a column with a default.
    op.add_column("choice", sa.Column("proposed", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    op.drop_column("choice", "proposed")
