"""An application's queued check, which then sends its emails in order."""

from ...catalogue.positions import current_positions
from ...core import clock
from ...core.db import sessions
from ...core.queue import app_context, enqueue, huey
from ...outbox.tasks import send_emails
from ..services import pending_emails
from . import services


@huey.task()
def check_application(application_id: int) -> str:
    """Check an application, then send its pending emails in order: received, units, checked.

    One task does both, so the form's request writes the queue once, and the applicant hears
    "received" before "checked". A failed send is retried by a task send_emails schedules.
    """
    with app_context() as app, sessions(app)() as session:
        result = services.check(
            session,
            application_id,
            current_positions(),
            clock.today(),
            app.config["PROGRAMME_YEAR"],
            app.config["MAIL_FROM"],
        )
        ids = pending_emails(session, application_id)
    send_emails.call_local(ids)
    return result


def queue_new_application(application_id: int) -> None:
    """Queue a new application's check, which also sends its emails: one queue write per form."""
    enqueue(f"the check of application {application_id}", lambda: check_application(application_id))
