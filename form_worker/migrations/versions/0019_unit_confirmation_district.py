"""the district HR bureau's confirmation of a unit; district accounts

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-08 01:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "unit_confirmation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit", sa.String(length=200), nullable=False),
        sa.Column("district", sa.String(length=20), nullable=False),
        sa.Column("contact_name", sa.String(length=50), nullable=False),
        sa.Column("contact_email", sa.String(length=254), nullable=False),
        sa.Column("requested_by", sa.String(length=50), nullable=False),
        sa.Column("requested_at", sa.DateTime(), nullable=False),
        sa.Column("link_version", sa.Integer(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("document", sa.String(length=100), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("decided_by", sa.String(length=50), nullable=False),
        sa.Column("decided_via", sa.String(length=100), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("published_sha", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_unit_confirmation_unit", "unit_confirmation", ["unit"])
    op.create_index("ix_unit_confirmation_district", "unit_confirmation", ["district"])
    op.create_index("ix_unit_confirmation_outcome", "unit_confirmation", ["outcome"])
    op.create_index(
        "uq_unit_confirmation_open",
        "unit_confirmation",
        ["unit"],
        unique=True,
        sqlite_where=sa.text("outcome = ''"),
        postgresql_where=sa.text("outcome = ''"),
    )
    with op.batch_alter_table("staff_user") as batch:
        batch.add_column(sa.Column("district", sa.String(length=20), nullable=True))
        batch.create_index("ix_staff_user_district", ["district"])


def downgrade() -> None:
    with op.batch_alter_table("staff_user") as batch:
        batch.drop_index("ix_staff_user_district")
        batch.drop_column("district")
    op.drop_table("unit_confirmation")
