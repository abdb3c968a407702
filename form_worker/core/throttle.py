"""Throttles: per-IP limits on form posts, and failures counted per account or per reference in the
database every process shares.

Per-IP limits (Flask-Limiter: memory by default, Redis when configured) stop one address; the
counted failures stop many addresses guessing one account's
password or one application's contact. Each attempt is counted *before* it is checked, in its own
committed UPDATE, so a burst of simultaneous guesses cannot all pass a check that none has failed
yet: of `free` allowed attempts in a row, the next is refused and locks the key for 1 minute, then
one more attempt is allowed, and a refusal after it locks for 2, 4, … up to 60 minutes. A success
clears the key, as does an admin's unlock. The key is what was typed (a username, a reference),
whether or not it exists, so a lock tells nothing about which accounts or references are real.
"""

import datetime as dt

from flask import current_app
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from limits import parse_many
from sqlalchemy import DateTime, Integer, String, delete, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from .models import Base

FIRST_LOCK = dt.timedelta(minutes=1)
LONGEST_LOCK = dt.timedelta(hours=1)
# Rows of keys nobody has tried for this long are dropped: a failure a day ago is forgotten.
FORGET_AFTER = dt.timedelta(days=1)

limiter = Limiter(key_func=get_remote_address, default_limits=[])


def post_limit() -> str:
    """The per-IP limit on form posts, from the configuration (RATELIMIT_POST)."""
    return current_app.config["RATELIMIT_POST"]


def apply_steps_limit() -> str:
    """The per-IP limit on every post to /apply, from the configuration (RATELIMIT_APPLY_STEPS)."""
    return current_app.config["RATELIMIT_APPLY_STEPS"]


def spend(allowance: str, *keys: str) -> bool:
    """Count one use of `keys` against `allowance` (a limit string, "20 per day") in the limiter's
    own storage (memory or Redis, as configured); False once it is used up. For a count that only
    what passes a view's checks should spend, such as a report about to be stored. Always True
    with rate limiting off."""
    if not (limiter.enabled and limiter.initialized):
        return True
    return all([limiter.limiter.hit(item, "spend", *keys) for item in parse_many(allowance)])


class Throttle(Base):
    """Attempts of one key since its last success, how many it may make, and its lock."""

    __tablename__ = "throttle"

    key: Mapped[str] = mapped_column(String(120), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    allowed: Mapped[int] = mapped_column(Integer, default=0)
    locks: Mapped[int] = mapped_column(Integer, default=0)
    last_failure: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)


def key(kind: str, typed: str) -> str:
    """The throttle key of what a visitor typed: case and surrounding spaces do not make a new one."""
    return f"{kind}:{typed.strip().lower()}"[:120]


def locked_until(session: Session, name: str, now: dt.datetime) -> dt.datetime | None:
    """When the lock on `name` ends, or None if it is not locked now."""
    until = session.scalar(select(Throttle.locked_until).where(Throttle.key == name))
    return until if until is not None and until > now else None


def lock_length(locks: int) -> dt.timedelta:
    """The length of a key's next lock after `locks` earlier ones: doubling from FIRST_LOCK, capped."""
    return min(FIRST_LOCK * 2 ** min(locks, 12), LONGEST_LOCK)


def attempt(session: Session, name: str, now: dt.datetime, free: int) -> dt.datetime | None:
    """Count one attempt of `name` and commit it; the end of the lock if it may not go on, else None.

    The caller checks the attempt only when this returns None, and calls clear() if it succeeds.
    """
    session.execute(delete(Throttle).where(Throttle.last_failure < now - FORGET_AFTER))
    if session.get(Throttle, name) is None:
        try:
            with session.begin_nested():
                session.add(Throttle(key=name, failures=0, allowed=free, locks=0, last_failure=now))
        except IntegrityError:  # another process made the row at the same moment
            pass
    unlocked = or_(Throttle.locked_until.is_(None), Throttle.locked_until <= now)
    counted = session.scalar(
        update(Throttle)
        .where(Throttle.key == name, unlocked)
        .values(failures=Throttle.failures + 1, last_failure=now)
        .returning(Throttle.failures)
        .execution_options(synchronize_session=False)
    )
    row = session.execute(select(Throttle.allowed, Throttle.locks).where(Throttle.key == name)).one()
    if counted is not None and counted <= row.allowed:
        session.commit()
        return None
    if counted is not None:  # the first attempt over the allowance locks, and allows one more after
        session.execute(
            update(Throttle)
            .where(Throttle.key == name, unlocked)
            .values(
                locked_until=now + lock_length(row.locks),
                allowed=Throttle.failures + 1,
                locks=Throttle.locks + 1,
            )
            .execution_options(synchronize_session=False)
        )
    session.commit()
    return locked_until(session, name, now) or now + lock_length(row.locks)


def clear(session: Session, name: str) -> None:
    """Forget the attempts of `name`: after a success, or when an admin lifts a lock."""
    session.execute(delete(Throttle).where(Throttle.key == name))


def locks(session: Session, names: list[str], now: dt.datetime) -> dict[str, Throttle]:
    """The current locks among `names`, for the accounts page."""
    query = select(Throttle).where(Throttle.key.in_(names), Throttle.locked_until > now)
    return {row.key: row for row in session.scalars(query)}


def minutes_left(until: dt.datetime, now: dt.datetime) -> int:
    """Whole minutes until `until`, at least 1: what the Chinese message names."""
    return max(1, -(-int((until - now).total_seconds()) // 60))
