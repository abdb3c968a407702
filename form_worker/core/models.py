"""The declarative base every domain's tables share, and the clock the database stores (naive UTC)."""

import datetime as dt

from sqlalchemy.orm import DeclarativeBase


def utcnow() -> dt.datetime:
    """Now in UTC without tzinfo: what every DateTime column holds."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    pass
