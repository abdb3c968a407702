"""the public showcase (成果展示): the intern's consent and the office's approval of a typical case,
and a year's figures as the office approved them

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-08 10:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

CASE_COLUMNS = ("case_approved_at", "case_text", "case_title", "case_consent_at", "case_consent")


def upgrade() -> None:
    # Plain ADD COLUMN: copying `placement` in batch mode would drop a table the work file's rows
    # refer to.
    op.add_column("placement", sa.Column("case_consent", sa.String(10), nullable=True))
    op.add_column("placement", sa.Column("case_consent_at", sa.DateTime(), nullable=True))
    op.add_column("placement", sa.Column("case_title", sa.String(40), nullable=False, server_default=""))
    op.add_column("placement", sa.Column("case_text", sa.Text(), nullable=False, server_default=""))
    op.add_column("placement", sa.Column("case_approved_at", sa.DateTime(), nullable=True))
    op.create_table(
        "showcase_figures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("figures", sa.Text(), nullable=False),
        sa.Column("approved_by", sa.String(length=50), nullable=False),
        sa.Column("approved_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("year"),
    )


def downgrade() -> None:
    op.drop_table("showcase_figures")
    for name in CASE_COLUMNS:
        op.drop_column("placement", name)
