"""Huey tasks: thin shells that open an app context and call the outbox and application functions.

Huey runs a task at most once (a worker killed mid-task loses it), so the database holds the truth
and `sweep` re-queues whatever is left: pending emails and applications never checked.
"""

import datetime as dt
import logging
import threading
from contextlib import contextmanager

from flask import Flask, current_app, has_app_context
from huey import crontab
from sqlalchemy import select

from . import applications, outbox, submissions
from .db import sessions
from .mail import sender_from_url
from .models import Application
from .queue import huey

logger = logging.getLogger(__name__)
_worker_app: Flask | None = None
_worker_app_lock = threading.Lock()


@contextmanager
def app_context():
    """The current app inside a request or test; in the consumer, one app built from the environment."""
    global _worker_app
    if has_app_context():
        yield current_app._get_current_object()
        return
    with _worker_app_lock:
        if _worker_app is None:
            from . import create_app

            _worker_app = create_app()
    with _worker_app.app_context():
        yield _worker_app


def enqueue_new_application(application_id: int) -> None:
    """Queue a new application's check, which also sends its emails: one queue write per form.

    If the queue is down, the sweeper catches up."""
    try:
        check_application(application_id)
    except Exception:
        logger.exception("could not queue work for application %s; the sweeper will", application_id)


@huey.task()
def send_email(outbox_id: int) -> str:
    with app_context() as app, sessions(app)() as session:
        result = outbox.deliver(
            session,
            outbox_id,
            sender_from_url(app.config["MAIL_URL"]),
            app.config["MAIL_FROM"],
            app.config["UTCNOW"](),
        )
    if result.status == "retry":
        send_email.schedule((outbox_id,), delay=result.retry_in)
    return result.status


@huey.task()
def check_application(application_id: int) -> str:
    """Check an application, then send its pending emails in order: received, units, checked.

    One task does both, so the form's request writes the queue once, and the applicant hears
    "received" before "checked". A failed send schedules its own retry as send_email.
    """
    with app_context() as app, sessions(app)() as session:
        result = applications.check(
            session,
            application_id,
            app.extensions["jianxi.positions"].get(),
            app.config["CLOCK"](),
            app.config["PROGRAMME_YEAR"],
            app.config["MAIL_FROM"],
        )
        ids = applications.pending_emails(session, application_id)
    for outbox_id in ids:
        send_email.call_local(outbox_id)
    return result


@huey.on_startup()
def _sweep_on_start() -> None:
    sweep.call_local()


@huey.periodic_task(crontab(minute="*"))
def sweep() -> int:
    """Re-queue applications never checked, and emails left pending or orphaned."""
    with app_context() as app, sessions(app)() as session:
        now = app.config["UTCNOW"]()
        if submissions.release_stuck(session, now):
            logger.warning("released submissions left publishing by a vanished worker")
        stale = now - dt.timedelta(seconds=app.config["OUTBOX_CLAIM_TIMEOUT"])
        unchecked = list(
            session.scalars(
                select(Application.id).where(
                    Application.state == "submitted",
                    Application.flag.is_(None),
                    Application.created_at < stale,
                )
            )
        )
        # An unchecked application's check sends its emails itself.
        ids = outbox.due(session, now, app.config["OUTBOX_CLAIM_TIMEOUT"], unchecked)
    for application_id in unchecked:
        check_application(application_id)
    for outbox_id in ids:
        send_email(outbox_id)
    if ids or unchecked:
        logger.info("sweep re-queued %s emails and %s applications", len(ids), len(unchecked))
    return len(ids) + len(unchecked)


from . import publish_tasks  # noqa: E402,F401
