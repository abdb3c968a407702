"""The application's queued work: its check, which then sends its emails in order."""

from huey import crontab
from sqlalchemy.orm import Session

from ..catalogue.positions import current_positions
from ..core.db import sessions
from ..core.queue import app_context, enqueue, huey
from ..outbox.tasks import queue_emails, send_email
from . import agreements, digest, offers, services


@huey.task()
def check_application(application_id: int) -> str:
    """Check an application, then send its pending emails in order: received, units, checked.

    One task does both, so the form's request writes the queue once, and the applicant hears
    "received" before "checked". A failed send schedules its own retry as send_email.
    """
    with app_context() as app, sessions(app)() as session:
        result = services.check(
            session,
            application_id,
            current_positions(),
            app.config["CLOCK"](),
            app.config["PROGRAMME_YEAR"],
            app.config["MAIL_FROM"],
        )
        ids = services.pending_emails(session, application_id)
    for outbox_id in ids:
        send_email.call_local(outbox_id)
    return result


def queue_new_application(application_id: int) -> None:
    """Queue a new application's check, which also sends its emails: one queue write per form."""
    enqueue(f"the check of application {application_id}", lambda: check_application(application_id))


def queue_application_emails(session: Session, *application_ids: int) -> None:
    """Queue the applications' pending emails after someone moved them and committed."""
    queue_emails(services.pending_emails(session, *application_ids))


@huey.periodic_task(crontab(minute="7"))
def lapse_offers() -> list[int]:
    """Hourly: offers past their deadline lapse, freeing the place; student and unit are told."""
    with app_context() as app, sessions(app)() as session:
        released = offers.lapse_due(
            session, app.config["UTCNOW"](), offers.Mail.of(app.config), current_positions()
        )
        ids = services.pending_emails(session, *released)
    queue_emails(ids)
    return released


# 00:20 in Chongqing (UTC+8) is 16:20 UTC the day before; Huey reads crontabs in UTC.
@huey.periodic_task(crontab(hour="16", minute="20"))
def start_placements() -> list[int]:
    """Daily: placements whose agreed start date has come become active."""
    with app_context() as app, sessions(app)() as session:
        started = agreements.start_due(
            session, app.config["CLOCK"](), app.config["MAIL_FROM"], current_positions()
        )
        ids = services.pending_emails(session, *started)
    queue_emails(ids)
    return started


# 08:30 in Chongqing is 00:30 UTC: the digest arrives at the start of the working day.
@huey.periodic_task(crontab(hour="0", minute="30"))
def university_digests() -> int:
    """Daily: each university account hears of new applications waiting for its recommendation."""
    with app_context() as app, sessions(app)() as session:
        ids = digest.send_digests(
            session, app.config["UTCNOW"](), app.config["WORKER_URL"], app.config["MAIL_FROM"]
        )
    queue_emails(ids)
    return len(ids)
