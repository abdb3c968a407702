"""universities and units in the loop: account bindings, the unit's selection on choices, the
offer's deadline and answer, agreement and insurance on the placement, national filing batches,
the unit account that sent a submission

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 16:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None
# SQLite keeps 0002's unique constraint unnamed; batch mode finds it by this name (a downgrade
# from here names it).
UNIQUE_NAMES = {"uq": "uq_%(table_name)s_%(column_0_name)s"}


def upgrade() -> None:
    with op.batch_alter_table("staff_user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("university", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("unit", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("digest_at", sa.DateTime(), nullable=True))
        batch_op.create_index(batch_op.f("ix_staff_user_university"), ["university"], unique=False)
        batch_op.create_index(batch_op.f("ix_staff_user_unit"), ["unit"], unique=False)
    with op.batch_alter_table("application", schema=None) as batch_op:
        batch_op.add_column(sa.Column("filing_batch_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_application_filing_batch_id"), ["filing_batch_id"], unique=False)
    with op.batch_alter_table("choice", schema=None) as batch_op:
        batch_op.add_column(sa.Column("shortlisted", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column("outcome", sa.String(length=20), nullable=True))
    # An application may hold several placements in turn (an offer declined, then another one):
    # one per application is no longer unique, only the open one is counted.
    found = [
        c["name"]
        for c in sa.inspect(op.get_bind()).get_unique_constraints("placement")
        if c["column_names"] == ["application_id"]
    ]
    name = found[0] if found else None
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint(name or "placement_application_id_key", "placement", type_="unique")
    else:
        with op.batch_alter_table("placement", naming_convention=UNIQUE_NAMES) as batch_op:
            batch_op.drop_constraint(name or "uq_placement_application_id", type_="unique")
    with op.batch_alter_table("placement", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_placement_application_id"), ["application_id"], unique=False)
        batch_op.add_column(sa.Column("deadline", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("accepted_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("agreement_date", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("start_date", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("end_date", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("allowance", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("allowance_approved", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("insurer", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("policy_number", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("cover_start", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("cover_end", sa.Date(), nullable=True))
        batch_op.create_index(batch_op.f("ix_placement_deadline"), ["deadline"], unique=False)
        batch_op.create_index(batch_op.f("ix_placement_start_date"), ["start_date"], unique=False)
    with op.batch_alter_table("submission", schema=None) as batch_op:
        batch_op.add_column(sa.Column("submitted_by", sa.String(length=50), nullable=True))
    op.create_table(
        "filing_batch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("actor", sa.String(length=50), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    op.drop_table("filing_batch")
    with op.batch_alter_table("submission", schema=None) as batch_op:
        batch_op.drop_column("submitted_by")
    with op.batch_alter_table("placement", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_placement_start_date"))
        batch_op.drop_index(batch_op.f("ix_placement_deadline"))
        batch_op.drop_index(batch_op.f("ix_placement_application_id"))
        batch_op.create_unique_constraint("placement_application_id_key", ["application_id"])
        for name in (
            "cover_end",
            "cover_start",
            "policy_number",
            "insurer",
            "allowance_approved",
            "allowance",
            "end_date",
            "start_date",
            "agreement_date",
            "accepted_at",
            "deadline",
        ):
            batch_op.drop_column(name)
    with op.batch_alter_table("choice", schema=None) as batch_op:
        batch_op.drop_column("outcome")
        batch_op.drop_column("shortlisted")
    # Not in batch mode: SQLite would copy the table, which the foreign keys to it refuse.
    op.drop_index(op.f("ix_application_filing_batch_id"), table_name="application")
    op.drop_column("application", "filing_batch_id")
    with op.batch_alter_table("staff_user", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_staff_user_unit"))
        batch_op.drop_index(batch_op.f("ix_staff_user_university"))
        batch_op.drop_column("digest_at")
        batch_op.drop_column("unit")
        batch_op.drop_column("university")
