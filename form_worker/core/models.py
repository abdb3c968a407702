"""The declarative base every domain's tables share, and the clock the database stores (naive UTC)."""

import datetime as dt
from typing import TYPE_CHECKING, ClassVar

from sqlalchemy.orm import DeclarativeBase

if TYPE_CHECKING:
    from sqlalchemy import Table


def utcnow() -> dt.datetime:
    """Now in UTC without tzinfo: what every DateTime column holds."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    if TYPE_CHECKING:
        # DeclarativeBase types __table__ as any FromClause; every model here declares a
        # __tablename__, so each is mapped to a Table (what insert() and update() accept).
        __table__: ClassVar[Table]
