"""Sending the outbox: one task per email, retried by scheduling itself.

Huey runs a task at most once (a worker killed mid-task loses it), so the outbox row is the truth and
the periodic sweep (form_worker.worker) re-queues rows left pending.
"""

from collections.abc import Iterable

from ..core import clock
from ..core.db import sessions
from ..core.queue import app_context, enqueue, huey
from . import services
from .transports import sender_from_url


@huey.task()
def send_email(outbox_id: int) -> str:
    with app_context() as app, sessions(app)() as session:
        result = services.deliver(
            session,
            outbox_id,
            sender_from_url(app.config["MAIL_URL"]),
            app.config["MAIL_FROM"],
            clock.now(),
            app.config["OUTBOX_CLAIM_TIMEOUT"],
            clock.now_source(),
        )
    if result.status == "retry":
        send_email.schedule((outbox_id,), delay=result.retry_in)
    return result.status


def queue_emails(outbox_ids: Iterable[int]) -> None:
    """Queue stored emails after their commit; if the queue is down the periodic sweep sends them.

    An id that is None is a row read before it had one (staged, not flushed): refused loudly, as
    its email would otherwise wait for the sweep.
    """
    ids = list(outbox_ids)
    if any(outbox_id is None for outbox_id in ids):
        raise ValueError(f"emails queued before their rows had ids: {ids}")

    def _queue() -> None:
        for outbox_id in ids:
            send_email(outbox_id)

    if ids:
        enqueue(f"emails {ids}", _queue)
