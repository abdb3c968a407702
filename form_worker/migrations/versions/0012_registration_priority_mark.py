"""an application records registration in the national system and consent to a priority mark

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 22:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

COLUMNS = ("priority_mark_consent", "registered", "registry_account")


def upgrade() -> None:
    # Plain ADD/DROP COLUMN (no batch copy): SQLite alters `application` in place, and copying it
    # would drop a table the foreign keys of choice, claim and transition refer to.
    op.add_column(
        "application",
        sa.Column("priority_mark_consent", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.add_column(
        "application", sa.Column("registered", sa.Boolean(), nullable=False, server_default=sa.false())
    )
    op.add_column(
        "application", sa.Column("registry_account", sa.String(50), nullable=False, server_default="")
    )


def downgrade() -> None:
    for name in reversed(COLUMNS):
        op.drop_column("application", name)
