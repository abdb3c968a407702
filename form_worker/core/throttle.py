"""Failures counted per account or per reference, in the database every process shares.

Per-IP limits (core.limits) stop one address; this stops many addresses guessing one staff
password or one application's contact. After `free` failures in a row the key is locked, for 1
minute, then 2, 4, … up to an hour; a success clears it, as does an admin's unlock. The key is what
was typed (a username, a reference), whether or not it exists, so a lock tells nothing about which
accounts or references are real.
"""

import datetime as dt

from sqlalchemy import DateTime, Integer, String, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from .db import rowcount
from .models import Base

FIRST_LOCK = dt.timedelta(minutes=1)
LONGEST_LOCK = dt.timedelta(hours=1)
# Rows of keys nobody has failed for this long are dropped: a failure a day ago is forgotten.
FORGET_AFTER = dt.timedelta(days=1)


class Throttle(Base):
    """Consecutive failures of one key, and until when it is locked."""

    __tablename__ = "throttle"

    key: Mapped[str] = mapped_column(String(120), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)


def key(kind: str, typed: str) -> str:
    """The throttle key of what a visitor typed: case and surrounding spaces do not make a new one."""
    return f"{kind}:{typed.strip().lower()}"[:120]


def locked_until(session: Session, name: str, now: dt.datetime) -> dt.datetime | None:
    """When the lock on `name` ends, or None if it is not locked now."""
    until = session.scalar(select(Throttle.locked_until).where(Throttle.key == name))
    return until if until is not None and until > now else None


def lock_length(failures: int, free: int) -> dt.timedelta | None:
    """How long the failure after `free` ones locks the key: doubling from FIRST_LOCK, capped."""
    if failures <= free:
        return None
    return min(FIRST_LOCK * 2 ** min(failures - free - 1, 12), LONGEST_LOCK)


def fail(session: Session, name: str, now: dt.datetime, free: int) -> dt.datetime | None:
    """Count one failure of `name` (atomically, across processes); return the lock's end if any."""
    session.execute(delete(Throttle).where(Throttle.last_failure < now - FORGET_AFTER))
    counted = (
        update(Throttle).where(Throttle.key == name).values(failures=Throttle.failures + 1, last_failure=now)
    )
    if not rowcount(session.execute(counted)):
        try:
            with session.begin_nested():
                session.add(Throttle(key=name, failures=1, last_failure=now))
        except IntegrityError:  # another process counted the first failure at the same moment
            session.execute(counted)
    failures = session.scalar(select(Throttle.failures).where(Throttle.key == name)) or 0
    length = lock_length(failures, free)
    if length is None:
        return None
    session.execute(update(Throttle).where(Throttle.key == name).values(locked_until=now + length))
    return now + length


def clear(session: Session, name: str) -> None:
    """Forget the failures of `name`: after a success, or when an admin lifts a lock."""
    session.execute(delete(Throttle).where(Throttle.key == name))


def locks(session: Session, names: list[str], now: dt.datetime) -> dict[str, Throttle]:
    """The current locks among `names`, for the accounts page."""
    query = select(Throttle).where(Throttle.key.in_(names), Throttle.locked_until > now)
    return {row.key: row for row in session.scalars(query)}


def minutes_left(until: dt.datetime, now: dt.datetime) -> int:
    """Whole minutes until `until`, at least 1: what the Chinese message names."""
    return max(1, -(-int((until - now).total_seconds()) // 60))
