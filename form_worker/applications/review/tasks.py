"""Review's periodic work: the universities' daily digest."""

from huey import crontab

from ...core.db import sessions
from ...core.queue import app_context, huey
from ...outbox.tasks import queue_emails
from . import digest


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
