"""Selection's periodic work: offers past their deadline lapse, agreed internships start."""

from huey import crontab

from ...catalogue.positions import current_positions
from ...core import clock
from ...core.db import sessions
from ...core.queue import app_context, chongqing_crontab, huey
from ...outbox.tasks import queue_emails
from .. import services
from . import agreements, answers, offers


@huey.periodic_task(crontab(minute="7"))
def lapse_offers() -> list[int]:
    """Hourly: offers past their deadline lapse, freeing the place; student and unit are told."""
    with app_context() as app, sessions(app)() as session:
        released = answers.lapse_due(session, clock.now(), offers.Mail.of(app.config), current_positions())
        ids = services.pending_emails(session, *released)
    queue_emails(ids)
    return released


@huey.periodic_task(chongqing_crontab(hour=0, minute=20))
def start_placements() -> list[int]:
    """Daily: placements whose agreed start date has come become active."""
    with app_context() as app, sessions(app)() as session:
        started = agreements.start_due(session, clock.today(), app.config["MAIL_FROM"], current_positions())
        ids = services.pending_emails(session, *started)
    queue_emails(ids)
    return started
