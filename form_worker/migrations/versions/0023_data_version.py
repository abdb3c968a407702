"""the applications' data version: one counter row that triggers move on every change to the tables
the statistics read, so the statistics can be kept until it moves (issue 24)

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-10 10:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None

# applications.version.TRACKED as of this revision (a migration keeps its own copy).
TRACKED = (
    "application",
    "choice",
    "transition",
    "placement",
    "evaluation",
    "log_entry",
    "training_plan",
    "final_report",
    "intern_rating",
)
OPERATIONS = ("INSERT", "UPDATE", "DELETE")
# Inserts the row if a bulk DELETE emptied the table (as the test suite does between tests).
BUMP = (
    "INSERT INTO data_version (id, changes) VALUES (1, 1) "
    "ON CONFLICT (id) DO UPDATE SET changes = data_version.changes + 1"
)
# PostgreSQL: once per transaction, at its commit. The setting is local to the transaction, so the
# next one bumps again; deferred, the row's lock is held only while the transaction commits.
POSTGRES_FUNCTION = f"""
CREATE FUNCTION data_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('jianxi.data_version_bumped', true) IS DISTINCT FROM 'yes' THEN
        PERFORM set_config('jianxi.data_version_bumped', 'yes', true);
        {BUMP};
    END IF;
    RETURN NULL;
END $$
"""


def upgrade() -> None:
    op.create_table(
        "data_version",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("changes", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.execute("INSERT INTO data_version (id, changes) VALUES (1, 0)")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(POSTGRES_FUNCTION)
        for table in TRACKED:
            op.execute(
                f"CREATE CONSTRAINT TRIGGER {table}_data_version AFTER INSERT OR UPDATE OR DELETE ON {table} "
                "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION data_version_bump()"
            )
            op.execute(
                f"CREATE TRIGGER {table}_data_version_truncate AFTER TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION data_version_bump()"
            )
        return
    for table in TRACKED:
        for operation in OPERATIONS:
            op.execute(
                f"CREATE TRIGGER {table}_data_version_{operation.lower()} AFTER {operation} ON {table} "
                f"BEGIN {BUMP}; END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in TRACKED:
            op.execute(f"DROP TRIGGER {table}_data_version ON {table}")
            op.execute(f"DROP TRIGGER {table}_data_version_truncate ON {table}")
        op.execute("DROP FUNCTION data_version_bump()")
    else:
        for table in TRACKED:
            for operation in OPERATIONS:
                op.execute(f"DROP TRIGGER {table}_data_version_{operation.lower()}")
    op.drop_table("data_version")
