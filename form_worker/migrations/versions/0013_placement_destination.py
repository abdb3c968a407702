"""a placement records where the intern went next (去向), by the unit and as the intern confirmed it

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 23:15:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN: copying `placement` in batch mode would drop a table the work file's rows
    # refer to.
    op.add_column("placement", sa.Column("destination", sa.String(20), nullable=True))
    op.add_column(
        "placement", sa.Column("destination_detail", sa.String(100), nullable=False, server_default="")
    )
    op.add_column("placement", sa.Column("destination_by", sa.String(10), nullable=True))
    op.add_column("placement", sa.Column("destination_confirmed_at", sa.DateTime(), nullable=True))
    op.create_index(op.f("ix_placement_destination"), "placement", ["destination"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_placement_destination"), table_name="placement")
    for name in ("destination_confirmed_at", "destination_by", "destination_detail", "destination"):
        op.drop_column("placement", name)
