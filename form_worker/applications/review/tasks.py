"""Review's periodic work: the universities' daily digest."""

from ...core import clock
from ...core.db import sessions
from ...core.queue import app_context, chongqing_crontab, huey
from ...outbox.tasks import queue_emails
from . import digest


# At the start of the working day.
@huey.periodic_task(chongqing_crontab(hour=8, minute=30))
def university_digests() -> int:
    """Daily: each university account hears of new applications waiting for its recommendation."""
    with app_context() as app, sessions(app)() as session:
        ids = digest.send_digests(session, clock.now(), app.config["WORKER_URL"], app.config["MAIL_FROM"])
    queue_emails(ids)
    return len(ids)
