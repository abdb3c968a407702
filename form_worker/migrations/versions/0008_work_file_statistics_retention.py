"""the placement's work file, the applicant's programme year and discipline, retention marks

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 21:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def _stamps(by: str) -> list[sa.Column]:
    return [
        sa.Column(by, sa.String(length=50), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    ]


def upgrade() -> None:
    # Plain ADD COLUMN (no batch copy): SQLite adds these in place, and copying `application`
    # would trip the foreign keys of the rows that point at it.
    op.add_column("application", sa.Column("major_group", sa.String(length=20), nullable=True))
    op.add_column("application", sa.Column("programme_year", sa.Integer(), nullable=True))
    op.add_column("application", sa.Column("anonymised_at", sa.DateTime(), nullable=True))
    op.create_index(op.f("ix_application_programme_year"), "application", ["programme_year"], unique=False)
    # Every reference so far reads JX<year>-<number>.
    op.execute(
        "UPDATE application SET programme_year = CAST(SUBSTR(reference, 3, 4) AS INTEGER) "
        "WHERE reference LIKE 'JX____-%'"
    )
    op.add_column("placement", sa.Column("finished_on", sa.Date(), nullable=True))
    op.add_column("placement", sa.Column("early_end_reason", sa.Text(), nullable=True))
    op.add_column(
        "placement", sa.Column("typical_case", sa.Boolean(), server_default=sa.false(), nullable=False)
    )
    op.add_column("placement", sa.Column("case_story", sa.Text(), server_default="", nullable=False))
    op.create_table(
        "attendance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("placement_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("expected", sa.Integer(), nullable=False),
        sa.Column("present", sa.Integer(), nullable=False),
        sa.Column("personal_leave", sa.Integer(), nullable=False),
        sa.Column("sick_leave", sa.Integer(), nullable=False),
        sa.Column("absent", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        *_stamps("updated_by"),
        sa.ForeignKeyConstraint(["placement_id"], ["placement.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("placement_id", "month"),
    )
    op.create_index(op.f("ix_attendance_placement_id"), "attendance", ["placement_id"], unique=False)
    op.create_index(op.f("ix_attendance_month"), "attendance", ["month"], unique=False)
    op.create_table(
        "work_task",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("placement_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("delivered", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("percent", sa.Integer(), nullable=False),
        *_stamps("updated_by"),
        sa.ForeignKeyConstraint(["placement_id"], ["placement.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_work_task_placement_id"), "work_task", ["placement_id"], unique=False)
    op.create_table(
        "performance_note",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("placement_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("author", sa.String(length=50), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["placement_id"], ["placement.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_performance_note_placement_id"), "performance_note", ["placement_id"], unique=False
    )
    op.create_table(
        "allowance_payment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("placement_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=False),
        *_stamps("updated_by"),
        sa.ForeignKeyConstraint(["placement_id"], ["placement.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("placement_id", "month"),
    )
    op.create_index(
        op.f("ix_allowance_payment_placement_id"), "allowance_payment", ["placement_id"], unique=False
    )
    op.create_index(op.f("ix_allowance_payment_month"), "allowance_payment", ["month"], unique=False)
    op.create_table(
        "evaluation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("placement_id", sa.Integer(), nullable=False),
        sa.Column("scores", sa.JSON(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("grade", sa.String(length=10), nullable=False),
        sa.Column("author", sa.String(length=50), nullable=False),
        sa.Column("submitted_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["placement_id"], ["placement.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("placement_id"),
    )
    op.create_index(op.f("ix_evaluation_grade"), "evaluation", ["grade"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_evaluation_grade"), table_name="evaluation")
    op.drop_table("evaluation")
    op.drop_index(op.f("ix_allowance_payment_month"), table_name="allowance_payment")
    op.drop_index(op.f("ix_allowance_payment_placement_id"), table_name="allowance_payment")
    op.drop_table("allowance_payment")
    op.drop_index(op.f("ix_performance_note_placement_id"), table_name="performance_note")
    op.drop_table("performance_note")
    op.drop_index(op.f("ix_work_task_placement_id"), table_name="work_task")
    op.drop_table("work_task")
    op.drop_index(op.f("ix_attendance_month"), table_name="attendance")
    op.drop_index(op.f("ix_attendance_placement_id"), table_name="attendance")
    op.drop_table("attendance")
    with op.batch_alter_table("placement") as batch:
        batch.drop_column("case_story")
        batch.drop_column("typical_case")
        batch.drop_column("early_end_reason")
        batch.drop_column("finished_on")
    # Not in batch mode: SQLite would copy the table, which the foreign keys to it refuse.
    op.drop_index(op.f("ix_application_programme_year"), table_name="application")
    for name in ("anonymised_at", "programme_year", "major_group"):
        op.drop_column("application", name)
