"""Sending the outbox: one task per batch of queued emails, retries scheduled by the task.

Huey runs a task at most once (a worker killed mid-task loses it), so the outbox row is the truth and
the periodic sweep (form_worker.worker) re-queues rows left pending.
"""

from collections import Counter, defaultdict
from collections.abc import Iterable

from ..core import clock
from ..core.db import sessions
from ..core.queue import app_context, enqueue, huey
from . import services
from .transports import sender_from_url

# Emails per queued task. One task sends its emails one after another on its thread's SMTP
# connection; a large queueing (a filing batch, the sweep) becomes several tasks, which the
# consumer's threads share, and each of which is short enough for a graceful stop to wait for.
EMAILS_PER_TASK = 100


@huey.task()
def send_emails(outbox_ids: list[int]) -> dict[str, int]:
    """Send these stored emails in order; those that failed for now are retried by one scheduled
    task per delay. Returns how many were sent, retried, failed or skipped (not this task's to
    send: sent already, claimed elsewhere, not due)."""
    with app_context() as app, sessions(app)() as session:
        results = services.deliver(
            session,
            outbox_ids,
            sender_from_url(app.config["MAIL_URL"]),
            app.config["MAIL_FROM"],
            clock.now_source(),
            app.config["OUTBOX_CLAIM_TIMEOUT"],
        )
    retries: defaultdict[int, list[int]] = defaultdict(list)
    for outbox_id, result in results.items():
        if result.status == "retry":
            retries[result.retry_in].append(outbox_id)
    for delay, ids in retries.items():
        send_emails.schedule((ids,), delay=delay)
    counts = Counter(result.status for result in results.values())
    if len(outbox_ids) > len(results):
        counts["skipped"] = len(outbox_ids) - len(results)
    return dict(counts)


def queue_emails(outbox_ids: Iterable[int]) -> None:
    """Queue stored emails after their commit; if the queue is down the periodic sweep sends them.

    An id that is None is a row read before it had one (staged, not flushed): refused loudly, as
    its email would otherwise wait for the sweep.
    """
    ids = list(outbox_ids)
    if any(outbox_id is None for outbox_id in ids):
        raise ValueError(f"emails queued before their rows had ids: {ids}")

    def _queue() -> None:
        for start in range(0, len(ids), EMAILS_PER_TASK):
            send_emails(ids[start : start + EMAILS_PER_TASK])

    if ids:
        enqueue(f"emails {ids}", _queue)
