"""A number the database moves whenever the applications' data changes, so a result computed from
that data (the statistics) can be kept until the number moves.

Triggers written by migration 0023 bump the one row of `data_version` on every INSERT, UPDATE and
DELETE of the tables in TRACKED, in the transaction that made the change: every writer is caught
(the ORM, Core statements, the CLI, a hand-typed psql session, another gunicorn process), and the
new number becomes visible exactly when the change does. PostgreSQL runs them as deferred
constraint triggers, once per transaction at its commit, so concurrent applications hold the row's
lock for the commit only; SQLite, which writes one transaction at a time anyway, runs them per row.

A reader reads the number before the data: whatever commits after that moves the number again, so
a result kept under a number can hold newer data than the number says, never older.

SQLite drops a table's triggers with the table, and Alembic's batch mode rebuilds a table by
copying it: a migration that does so to a table in TRACKED must create its triggers again (the
migration tests check they are all there).
"""

from sqlalchemy import BigInteger, Integer, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from ..core.models import Base

# The tables every statistic and the summary evaluation read (reports/), and nothing else.
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
ROW = 1


class DataVersion(Base):
    """The one row (id ROW) counting changes to the TRACKED tables; written by triggers only."""

    __tablename__ = "data_version"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    changes: Mapped[int] = mapped_column(BigInteger, default=0)


def data_version(session: Session) -> int:
    """The number now; 0 before the first change (the triggers insert the row when it is missing)."""
    return session.scalar(select(DataVersion.changes).where(DataVersion.id == ROW)) or 0
