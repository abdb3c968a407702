"""Selection's periodic work: offers past their deadline lapse, agreed internships start."""

from huey import crontab

from ...catalogue.positions import current_positions
from ...core.db import sessions
from ...core.queue import app_context, huey
from ...outbox.tasks import queue_emails
from .. import services
from . import agreements, answers, offers


@huey.periodic_task(crontab(minute="7"))
def lapse_offers() -> list[int]:
    """Hourly: offers past their deadline lapse, freeing the place; student and unit are told."""
    with app_context() as app, sessions(app)() as session:
        released = answers.lapse_due(
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
