"""Huey tasks that publish: rebuild the catalogue after approvals, close expired positions daily.

Rebuilds coalesce through the one CatalogueBuild row. A request only moves `requested_at` forward
and queues `rebuild_catalogue`; the task, under a Huey lock, builds while some request is newer than
the start of the last build (a build started after a request includes that request's commit).
Builds start at most once per REBUILD_INTERVAL seconds (default 60): the first approval after a
quiet spell is built at once, and everything approved in the next minute waits for one more build,
so ten approvals within a minute cause at most two builds however fast a build is.
"""

import datetime as dt
import logging
from pathlib import Path

from flask import Flask
from huey import crontab
from huey.exceptions import TaskLockedException
from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from site_builder.feeds import CHINA

from . import outbox, publish
from .db import sessions
from .models import CatalogueBuild, StaffUser, utcnow
from .queue import huey
from .tasks import app_context, send_email

logger = logging.getLogger(__name__)

ROW_ID = 1
LOCK = "rebuild"
# A build that has not finished after this long belongs to a consumer that died holding the lock.
STALE_BUILD = dt.timedelta(hours=1)
ERROR_CHARS = 4000


def request_rebuild(session: Session, now: dt.datetime) -> None:
    """Record that the catalogue must be rebuilt to include everything committed before now; queue it.

    Call it after the git commit, with now taken after it; it commits the session.
    """
    moved = session.execute(
        update(CatalogueBuild)
        .where(
            CatalogueBuild.id == ROW_ID,
            or_(CatalogueBuild.requested_at.is_(None), CatalogueBuild.requested_at < now),
        )
        .values(requested_at=now)
    ).rowcount
    if not moved and session.get(CatalogueBuild, ROW_ID) is None:
        session.add(CatalogueBuild(id=ROW_ID, requested_at=now, builds=0, status="idle", error=""))
        try:
            session.commit()
        except IntegrityError:  # another request created the row at the same moment
            session.rollback()
            request_rebuild(session, now)
            return
    session.commit()
    try:
        rebuild_catalogue()
    except Exception:
        logger.exception("could not queue a catalogue rebuild; the periodic check will")


@huey.periodic_task(crontab(minute="*/10"))
def rebuild_if_requested() -> bool:
    """Queue a rebuild for a request whose task was lost (queue down, consumer killed mid-build)."""
    with app_context() as app:
        waiting = _pending(_row(app), utcnow())
    if waiting:
        rebuild_catalogue()
    return waiting


def _pending(row: CatalogueBuild | None, now: dt.datetime) -> bool:
    """Is a request newer than the last build's start, or did that build die unfinished?"""
    if row is None or row.requested_at is None:
        return False
    if row.started_at is None or row.requested_at > row.started_at:
        return True
    return row.status == "building" and row.started_at < now - STALE_BUILD


def _row(app: Flask) -> CatalogueBuild | None:
    with sessions(app)() as session:
        return session.get(CatalogueBuild, ROW_ID)


def _due_in(row: CatalogueBuild, now: dt.datetime, interval: int) -> float:
    """Seconds until the next build may start: at most one start per interval, the first at once."""
    if row.started_at is None or row.status == "building":
        return 0.0
    return max(0.0, (row.started_at + dt.timedelta(seconds=interval) - now).total_seconds())


@huey.task()
def rebuild_catalogue() -> int:
    """Build while requests are waiting; return how many builds this run made (0 if another builds)."""
    done = 0
    with app_context() as app:
        interval = app.config["REBUILD_INTERVAL"]
        while True:
            row, now = _row(app), utcnow()
            if not _pending(row, now):
                return done
            wait = _due_in(row, now, interval)
            if wait > 0:
                # Too soon after the last build: come back when the interval is up. Requests made
                # meanwhile all land in that one build.
                rebuild_catalogue.schedule(delay=wait)
                return done
            try:
                with huey.lock_task(LOCK):
                    done += _build_while_pending(app, interval)
            except TaskLockedException:
                # The running build sees the newer request when it checks again, unless it is stale.
                if not _clear_stale_lock(app):
                    return done
            # Checked again after releasing the lock: a request that arrived while the lock was
            # being released found it taken and left its build to us.


def _clear_stale_lock(app: Flask) -> bool:
    row = _row(app)
    if row is None or row.status != "building" or row.started_at >= utcnow() - STALE_BUILD:
        return False
    logger.warning("clearing the rebuild lock of a build started at %s that never finished", row.started_at)
    huey.lock_task(LOCK).clear()
    return True


def _build_while_pending(app: Flask, interval: int) -> int:
    """The lock is held: build, record the outcome, and repeat while newer requests may be built."""
    count = 0
    while True:
        with sessions(app)() as session:
            row = session.get(CatalogueBuild, ROW_ID)
            started = utcnow()
            if not _pending(row, started) or _due_in(row, started, interval) > 0:
                return count
            row.started_at, row.status = started, "building"
            session.commit()
        error = ""
        try:
            publish.build_and_swap(
                Path(app.config["POSITIONS_ROOT"]), Path(app.config["SITE_DIR"]), app.config["CLOCK"]()
            )
        except Exception as failure:
            logger.exception("catalogue build started at %s failed; the old site stays online", started)
            error = (str(failure) or type(failure).__name__)[:ERROR_CHARS]
        count += 1
        with sessions(app)() as session:
            session.execute(
                update(CatalogueBuild)
                .where(CatalogueBuild.id == ROW_ID)
                .values(
                    finished_at=utcnow(),
                    builds=CatalogueBuild.builds + 1,
                    status="failed" if error else "ok",
                    error=error,
                )
            )
            ids = _tell_staff(session, app, started, error) if error else []
            session.commit()
        for outbox_id in ids:
            send_email(outbox_id)


def _tell_staff(session: Session, app: Flask, started: dt.datetime, error: str) -> list[int]:
    """Stage one email per active staff member with an address; return the outbox ids."""
    staff = session.scalars(
        select(StaffUser).where(StaffUser.active.is_(True), StaffUser.email != "").order_by(StaffUser.id)
    ).all()
    shown = started.replace(tzinfo=dt.UTC).astimezone(CHINA).strftime("%Y-%m-%d %H:%M:%S")
    rows = [
        outbox.add(
            session,
            f"build-failed:{started.isoformat()}:{member.id}",
            member.email,
            "catalogue_build_failed",
            app.config["MAIL_FROM"],
            started=shown,
            error=error,
        )
        for member in staff
    ]
    session.flush()
    return [row.id for row in rows]


# 01:05 in Chongqing (UTC+8) is 17:05 UTC the day before; Huey reads crontabs in UTC by default.
@huey.periodic_task(crontab(hour="17", minute="5"))
def close_expired_positions() -> list[str]:
    """Close the positions whose deadline has passed (one commit), then rebuild the catalogue.

    The rebuild is requested even when nothing closed, because the site marks expiry at build time.
    """
    with app_context() as app:
        try:
            ids = publish.close_expired(
                Path(app.config["POSITIONS_ROOT"]),
                app.config["CLOCK"](),
                "daily expiry task",
                now=utcnow(),
                author=app.config["PUBLISH_AUTHOR"],
            )
        except Exception:
            logger.exception("could not close expired positions; rebuilding anyway")
            ids = []
        with sessions(app)() as session:
            request_rebuild(session, utcnow())
    return ids
