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
from sqlalchemy import select, update

from . import applications, outbox, submissions
from .db import sessions
from .eligibility import choice_problem, status_problem
from .mail import sender_from_url
from .models import Application, Outbox
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
    """Queue the work a new application causes; if the queue is down the sweeper catches up."""
    try:
        check_application(application_id)
        with app_context() as app, sessions(app)() as session:
            for outbox_id in applications.pending_emails(session, application_id):
                send_email(outbox_id)
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
    """Move a submitted application to checked, or flag it for staff with the reason."""
    with app_context() as app, sessions(app)() as session:
        application = session.get(Application, application_id)
        if application is None or application.state != "submitted":
            return "skipped"
        day = app.config["CLOCK"]()
        offer = app.extensions["jianxi.positions"].get()
        problems = []
        for choice in application.choices:
            if not offer.is_open(choice.position_id, day):
                problems.append(f"岗位 {choice.position_id} 已不再招募")
                continue
            problem = choice_problem(
                offer.by_id[choice.position_id].position, application.current_status, application.degree
            )
            if problem:
                problems.append(f"岗位 {choice.position_id}：{problem}")
        problem = status_problem(
            application.current_status, application.graduation, app.config["PROGRAMME_YEAR"], day
        )
        if problem:
            problems.append(problem)
        if problems:
            application.flag = "；".join(problems)
            session.commit()
            return "flagged"
        # Claimed like an outbox row: of two runs at once only one moves it and queues the email.
        claimed = session.execute(
            update(Application)
            .where(Application.id == application_id, Application.state == "submitted")
            .values(state="checked")
            .execution_options(synchronize_session=False)
        ).rowcount
        if not claimed:
            session.rollback()
            return "skipped"
        transition = applications.move(session, application, "checked", "系统", "", app.config["MAIL_FROM"])
        session.commit()
        # Only the email this check caused: the earlier ones were queued with the application.
        ids = list(
            session.scalars(select(Outbox.id).where(Outbox.key == f"state:{application_id}:{transition.id}"))
        )
    for outbox_id in ids:
        send_email(outbox_id)
    return "checked"


@huey.on_startup()
def _sweep_on_start() -> None:
    sweep.call_local()


@huey.periodic_task(crontab(minute="*"))
def sweep() -> int:
    """Re-queue emails left pending or orphaned and applications never checked."""
    with app_context() as app, sessions(app)() as session:
        now = app.config["UTCNOW"]()
        ids = outbox.due(session, now, app.config["OUTBOX_CLAIM_TIMEOUT"])
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
    for application_id in unchecked:
        check_application(application_id)
    for outbox_id in ids:
        send_email(outbox_id)
    if ids or unchecked:
        logger.info("sweep re-queued %s emails and %s applications", len(ids), len(unchecked))
    return len(ids)


from . import publish_tasks  # noqa: E402,F401
