"""Huey tasks that publish: rebuild the catalogue after approvals, close expired positions daily.

How rebuild requests coalesce is publishing.rebuilds; these tasks hold the lock and run the builds.
"""

import datetime as dt
import logging
from pathlib import Path
from typing import Any

from flask import Flask
from huey import crontab
from huey.exceptions import TaskLockedException
from sqlalchemy import update
from sqlalchemy.orm import Session

from site_builder.clock import local_time

from ..accounts.services import email_office
from ..core import clock
from ..core.db import sessions
from ..core.queue import app_context, chongqing_crontab, enqueue, huey
from ..outbox.tasks import queue_emails
from . import rebuilds, syncing
from .files import close_expired
from .forge import Forge, ForgeError
from .models import CatalogueBuild
from .site import apply_base, build_and_swap, publish_change

logger = logging.getLogger(__name__)

LOCK = "rebuild"
ERROR_CHARS = 4000


def request_rebuild(session: Session, now: dt.datetime) -> None:
    """Record a rebuild request (committing the session) and queue the build; the periodic check
    catches a request whose task could not be queued."""
    rebuilds.record_request(session, now)
    enqueue("a catalogue rebuild", rebuild_catalogue)


def publish_now(app: Flask, session: Session) -> None:
    """After a commit: publish it at once (publishing.site.publish_change), then ask for the full
    build that follows (coalesced as ever), which also publishes it when the fast path could not."""
    _publish_change(app)
    request_rebuild(session, clock.now())


def _publish_change(app: Flask) -> None:
    """The fast path; when it cannot (no warm copy here, a file the full build will name), the
    full build requested next publishes the change instead."""
    try:
        publish_change(**_site(app))
    except Exception:
        logger.exception("could not publish the change at once; the full build will")


@huey.periodic_task(crontab(minute="*/10"))
def rebuild_if_requested() -> bool:
    """Queue a rebuild for a request whose task was lost (queue down, consumer killed mid-build)."""
    with app_context() as app:
        waiting = rebuilds.pending(_row(app), clock.now())
    if waiting:
        rebuild_catalogue()
    return waiting


def _row(app: Flask) -> CatalogueBuild | None:
    with sessions(app)() as session:
        return session.get(CatalogueBuild, rebuilds.ROW_ID)


@huey.task()
def rebuild_catalogue() -> int:
    """Build while requests are waiting; return how many builds this run made (0 if another builds)."""
    done = 0
    with app_context() as app:
        interval = app.config["REBUILD_INTERVAL"]
        while True:
            row, now = _row(app), clock.now()
            if not rebuilds.pending(row, now):
                return done
            # pending() is False when there is no row; the assert narrows the type for mypy.
            assert row is not None  # nosec B101
            wait = rebuilds.due_in(row, now, interval)
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
    if row is None or row.status != "building":
        return False
    # Set in the same commit as status "building"; the assert narrows the type for mypy.
    assert row.started_at is not None  # nosec B101
    if row.started_at >= clock.now() - rebuilds.STALE_BUILD:
        return False
    logger.warning("clearing the rebuild lock of a build started at %s that never finished", row.started_at)
    huey.lock_task(LOCK).clear()
    return True


def _build_while_pending(app: Flask, interval: int) -> int:
    """The lock is held: build, record the outcome, and repeat while newer requests may be built."""
    count = 0
    while True:
        with sessions(app)() as session:
            row = session.get(CatalogueBuild, rebuilds.ROW_ID)
            started = clock.now()
            if not rebuilds.pending(row, started):
                return count
            # pending() is False when there is no row; the assert narrows the type for mypy.
            assert row is not None  # nosec B101
            if rebuilds.due_in(row, started, interval) > 0:
                return count
            row.started_at, row.status = started, "building"
            session.commit()
        error = ""
        try:
            build_and_swap(**_site(app))
        except Exception as failure:
            logger.exception("catalogue build started at %s failed; the old site stays online", started)
            error = (str(failure) or type(failure).__name__)[:ERROR_CHARS]
        count += 1
        with sessions(app)() as session:
            session.execute(
                update(CatalogueBuild)
                .where(CatalogueBuild.id == rebuilds.ROW_ID)
                .values(
                    finished_at=clock.now(),
                    builds=CatalogueBuild.builds + 1,
                    status="failed" if error else "ok",
                    error=error,
                )
            )
            ids = _tell_staff(session, app, started, error) if error else []
            session.commit()
        queue_emails(ids)


def _site(app: Flask) -> dict[str, Any]:
    """What a full build and a live update of the site both take from the configuration (and the
    places held, from the database)."""
    config = app.config
    return {
        "repo": Path(config["POSITIONS_ROOT"]),
        "site_link": Path(config["SITE_DIR"]),
        "today": clock.today(),
        "worker_url": apply_base(config["WORKER_URL"], config["CATALOGUE_URL"]),
        "places_held": _places_held(app),
        "site_url": config["CATALOGUE_URL"],
    }


def _places_held(app: Flask) -> dict[str, int] | None:
    """Places offered or signed per position, for 剩余名额, from the counter create_app registers
    (applications lie above publishing: it cannot import them); None without one."""
    count = app.extensions.get("jianxi.places_held")
    if count is None:
        return None
    with sessions(app)() as session:
        held: dict[str, int] = count(session)
        return held


def _tell_staff(session: Session, app: Flask, started: dt.datetime, error: str) -> list[int]:
    """Stage one email per active office account with an address; return the outbox ids."""
    rows = email_office(
        session,
        f"build-failed:{started.isoformat()}",
        "catalogue_build_failed",
        app.config["MAIL_FROM"],
        started=local_time(started, seconds=True),
        error=error,
    )
    return [row.id for row in rows]


@huey.periodic_task(chongqing_crontab(hour=1, minute=5))
def close_expired_positions() -> list[str]:
    """Close the positions whose deadline has passed (one commit), then rebuild the catalogue.

    The rebuild is requested even when nothing closed, because the site marks expiry at build time.
    """
    with app_context() as app:
        try:
            ids = close_expired(
                Path(app.config["POSITIONS_ROOT"]),
                clock.today(),
                "daily expiry task",
                now=clock.now(),
                author=app.config["PUBLISH_AUTHOR"],
                forge=Forge.configured(app.config),
            )
        except Exception:
            logger.exception("could not close expired positions; rebuilding anyway")
            ids = []
        with sessions(app)() as session:
            publish_now(app, session)
    return ids


@huey.task()
def sync_positions() -> str:
    """Follow the forge (publishing.syncing): "local" without one, "moved" when commits arrived and a
    rebuild was asked for, "unchanged", or "failed" (recorded, and the office told once)."""
    with app_context() as app:
        forge = Forge.configured(app.config)
        if forge is None:
            return "local"
        repo = Path(app.config["POSITIONS_ROOT"])
        synced, error = None, ""
        try:
            synced = syncing.sync(repo, forge)
            error = "\n".join(synced.problems)
        except ForgeError as failure:
            error = str(failure)
        except Exception as failure:
            logger.exception("could not sync %s with the forge", repo)
            error = str(failure) or type(failure).__name__
        with sessions(app)() as session:
            at = synced.after if synced else ""
            ids = syncing.record(session, clock.now(), at, error, forge.branch, app.config["MAIL_FROM"])
            if synced is not None and synced.moved and not error:
                publish_now(app, session)
    queue_emails(ids)
    if error:
        return "failed"
    return "moved" if synced is not None and synced.moved else "unchanged"


@huey.periodic_task(crontab(minute="*"))
def sync_if_due() -> bool:
    """Each minute: follow the forge when SYNC_INTERVAL has passed since the last look."""
    with app_context() as app:
        if Forge.configured(app.config) is None:
            return False
        with sessions(app)() as session:
            if not syncing.due(session, clock.now(), app.config["SYNC_INTERVAL"]):
                return False
    sync_positions.call_local()
    return True
