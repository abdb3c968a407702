"""an unguessable id per submission, the trailer by which its publishing commit is recognised

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 18:00:00
"""

import secrets

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("submission") as batch:
        batch.add_column(sa.Column("publish_id", sa.String(length=32), nullable=True))
    submission = sa.table("submission", sa.column("id", sa.Integer), sa.column("publish_id", sa.String))
    connection = op.get_bind()
    for (row_id,) in connection.execute(sa.select(submission.c.id)).all():
        connection.execute(
            submission.update().where(submission.c.id == row_id).values(publish_id=secrets.token_hex(16))
        )
    with op.batch_alter_table("submission") as batch:
        batch.alter_column("publish_id", existing_type=sa.String(length=32), nullable=False)
        batch.create_unique_constraint("uq_submission_publish_id", ["publish_id"])


def downgrade() -> None:
    with op.batch_alter_table("submission") as batch:
        batch.drop_constraint("uq_submission_publish_id", type_="unique")
        batch.drop_column("publish_id")
