"""The outbox: emails stored with the change that caused them, then delivered at least once.

A row is claimed before sending (only one worker can claim it), sent with its stored Message-ID,
then marked sent. Temporary failures go back to pending with a growing delay; a row left claimed by
a worker that died is released by the sweeper after OUTBOX_CLAIM_TIMEOUT seconds; a live worker
renews its claim while it sends, so a slow send is never taken over.
"""

import datetime as dt
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from ..core.clock import utcnow
from ..core.db import rowcount
from ..core.heartbeat import heartbeat
from .models import Outbox
from .rendering import build_message, new_message_id, render
from .transports import PermanentFailure, Sender, TemporaryFailure

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 8
BACKOFF_SECONDS = (5, 30, 120, 600, 1800, 3600, 3600)


def message(
    key: str, recipient: str, kind: str, mail_from: str, application_id: int | None = None, **context: object
) -> dict[str, object]:
    """The column values of one rendered email, for a caller that inserts rows in bulk."""
    subject, text, html = render(kind, **context)
    return {
        "key": key,
        "message_id": new_message_id(mail_from),
        "recipient": recipient,
        "subject": subject,
        "body_text": text,
        "body_html": html,
        "application_id": application_id,
    }


def add(
    session: Session,
    key: str,
    recipient: str,
    kind: str,
    mail_from: str,
    application_id: int | None = None,
    **context: object,
) -> Outbox:
    """Render a message and stage it in the caller's transaction; the key makes it unique.

    Flushed, so the row has its id at once: a caller queues that id after its commit, and an id
    read before a flush (None) left the email to the sweep, minutes later (issue 21).
    """
    row = Outbox(**message(key, recipient, kind, mail_from, application_id, **context))
    session.add(row)
    session.flush()
    return row


@dataclass(frozen=True)
class Delivery:
    status: str  # sent, retry, failed or skipped
    retry_in: int = 0


def deliver(
    session: Session,
    outbox_id: int,
    sender: Sender,
    mail_from: str,
    now: dt.datetime,
    claim_timeout: float = 300,
    clock: Callable[[], dt.datetime] = utcnow,
) -> Delivery:
    """Claim, send and record one row; safe to call twice or concurrently for the same row.

    While the send is in flight the claim is renewed (core.heartbeat), so the sweep, which takes
    over claims older than claim_timeout, never sends again what a live worker is still sending:
    only a send in flight when its worker is killed can arrive twice. `clock` stamps each renewal;
    the task passes the configured clock (the default, the wall clock, serves callers without an app).
    """
    claimed = rowcount(
        session.execute(
            update(Outbox)
            .where(Outbox.id == outbox_id, Outbox.status == "pending", Outbox.next_attempt_at <= now)
            .values(status="sending", claimed_at=now, attempts=Outbox.attempts + 1)
        )
    )
    session.commit()
    if not claimed:
        return Delivery("skipped")
    row = session.get(Outbox, outbox_id)
    # The UPDATE above just claimed this row; the assert narrows the type for mypy.
    assert row is not None  # nosec B101
    message = build_message(
        mail_from, row.recipient, row.subject, row.body_text, row.body_html, row.message_id, row.created_at
    )
    claim = update(Outbox).where(Outbox.id == outbox_id, Outbox.status == "sending")
    try:
        with heartbeat(session, claim_timeout, lambda: claim.values(claimed_at=clock())):
            sender.send(message)
    except TemporaryFailure as error:
        if row.attempts >= MAX_ATTEMPTS:
            return _finish(session, row, "failed", str(error))
        delay = BACKOFF_SECONDS[min(row.attempts, len(BACKOFF_SECONDS)) - 1]
        row.status, row.last_error = "pending", str(error)
        row.next_attempt_at = now + dt.timedelta(seconds=delay)
        session.commit()
        logger.warning("outbox %s: temporary failure, retry in %ss: %s", outbox_id, delay, error)
        return Delivery("retry", delay)
    except PermanentFailure as error:
        logger.error("outbox %s: permanent failure: %s", outbox_id, error)
        return _finish(session, row, "failed", str(error))
    row.sent_at = now
    return _finish(session, row, "sent", "")


def _finish(session: Session, row: Outbox, status: str, error: str) -> Delivery:
    row.status, row.last_error = status, error
    session.commit()
    return Delivery(status)


def due(
    session: Session, now: dt.datetime, claim_timeout: int, skip_applications: Sequence[int] = ()
) -> list[int]:
    """Rows that should be (re)queued: pending and overdue, or claimed by a worker that went away.

    Rows become overdue only claim_timeout seconds after they were due, so the sweeper leaves alone
    the ones whose task is still waiting in the queue. Rows of skip_applications are released but
    not listed: the caller queues those applications, whose task sends them.
    """
    stale = now - dt.timedelta(seconds=claim_timeout)
    session.execute(
        update(Outbox)
        .where(Outbox.status == "sending", Outbox.claimed_at < stale)
        .values(status="pending", next_attempt_at=stale)
    )
    session.commit()
    query = select(Outbox.id).where(Outbox.status == "pending", Outbox.next_attempt_at <= stale)
    if skip_applications:
        query = query.where(
            or_(Outbox.application_id.is_(None), Outbox.application_id.not_in(skip_applications))
        )
    return list(session.scalars(query.order_by(Outbox.id)))


def resend(session: Session, outbox_id: int, now: dt.datetime) -> bool:
    """Put a failed email back to pending, unless someone already did; the caller commits and queues."""
    reset = rowcount(
        session.execute(
            update(Outbox)
            .where(Outbox.id == outbox_id, Outbox.status == "failed")
            .values(status="pending", attempts=0, claimed_at=None, next_attempt_at=now)
            .execution_options(synchronize_session=False)
        )
    )
    return bool(reset)
