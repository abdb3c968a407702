"""Rebuild requests coalesce through the one CatalogueBuild row.

A request only moves `requested_at` forward; the rebuild task, under a Huey lock, builds while some
request is newer than the start of the last build (a build started after a request includes that
request's commit). Builds start at most once per REBUILD_INTERVAL seconds (default 60): the first
approval after a quiet spell is built at once, and everything approved in the next minute waits for
one more build, so ten approvals within a minute cause at most two builds however fast a build is.
"""

import datetime as dt

from sqlalchemy import or_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..core.db import rowcount
from .models import CatalogueBuild

ROW_ID = 1
# A build that has not finished after this long belongs to a consumer that died holding the lock.
STALE_BUILD = dt.timedelta(hours=1)


def record_request(session: Session, now: dt.datetime) -> None:
    """Record that the catalogue must be rebuilt to include everything committed before now; queue it.

    Call it after the git commit, with now taken after it; it commits the session. The caller
    then queues rebuild_catalogue (publishing.tasks.request_rebuild does both).
    """
    moved = rowcount(
        session.execute(
            update(CatalogueBuild)
            .where(
                CatalogueBuild.id == ROW_ID,
                or_(CatalogueBuild.requested_at.is_(None), CatalogueBuild.requested_at < now),
            )
            .values(requested_at=now)
        )
    )
    if not moved and session.get(CatalogueBuild, ROW_ID) is None:
        session.add(CatalogueBuild(id=ROW_ID, requested_at=now, builds=0, status="idle", error=""))
        try:
            session.commit()
        except IntegrityError:  # another request created the row at the same moment
            session.rollback()
            record_request(session, now)
            return
    session.commit()


def pending(row: CatalogueBuild | None, now: dt.datetime) -> bool:
    """Is a request newer than the last build's start, or did that build die unfinished?"""
    if row is None or row.requested_at is None:
        return False
    if row.started_at is None or row.requested_at > row.started_at:
        return True
    return row.status == "building" and row.started_at < now - STALE_BUILD


def due_in(row: CatalogueBuild, now: dt.datetime, interval: int) -> float:
    """Seconds until the next build may start: at most one start per interval, the first at once."""
    if row.started_at is None or row.status == "building":
        return 0.0
    return max(0.0, (row.started_at + dt.timedelta(seconds=interval) - now).total_seconds())
