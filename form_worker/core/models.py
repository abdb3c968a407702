"""The declarative base every domain's tables share, and the storage default of its time columns.

`utcnow` (core.clock's wall clock, naive UTC) is what the models name as `default=`/`onupdate=` of
created_at, updated_at and at, deliberately not the configured clock (UTCNOW): SQLAlchemy calls a
column default at flush, where no app need be current (the CLI, migrations, benchmarks), and a row's
stamp records when it was really written. Code that must decide with a pinned time sets the column
itself from the time it was passed (a draft's updated_at, a claim's updated_at).
"""

from typing import TYPE_CHECKING, ClassVar

from sqlalchemy.orm import DeclarativeBase

if TYPE_CHECKING:
    from sqlalchemy import Table

from .clock import utcnow

__all__ = ["Base", "utcnow"]


class Base(DeclarativeBase):
    if TYPE_CHECKING:
        # DeclarativeBase types __table__ as any FromClause; every model here declares a
        # __tablename__, so each is mapped to a Table (what insert() and update() accept).
        __table__: ClassVar[Table]
