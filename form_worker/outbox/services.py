"""The outbox: emails stored with the change that caused them, then delivered at least once.

A row is claimed before sending (only one worker can claim it; a few rows are claimed per
statement), sent with its stored Message-ID, then marked sent before the next message goes out.
Temporary failures go back to pending with a growing delay; a row left claimed by a worker that
died is released by the sweeper after OUTBOX_CLAIM_TIMEOUT seconds; a live worker renews its claims
while it sends, so a slow send is never taken over.
"""

import datetime as dt
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Executable, Row, or_, select, update
from sqlalchemy.orm import Session

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
    status: str  # sent, retry or failed
    retry_in: int = 0


# Rows claimed per statement. A claim is per row (its status, time and attempt), taken for a few
# rows at once to spare a commit per message; a worker killed mid-batch leaves the rest of its batch
# claimed, not sent, and the sweep releases them after OUTBOX_CLAIM_TIMEOUT.
CLAIM_BATCH = 10
# A claimed row: the columns of _CLAIMED, as RETURNING gives them.
Claimed = Row[*tuple[Any, ...]]
_CLAIMED = (
    Outbox.id,
    Outbox.recipient,
    Outbox.subject,
    Outbox.body_text,
    Outbox.body_html,
    Outbox.message_id,
    Outbox.created_at,
    Outbox.attempts,
)


def claim(session: Session, outbox_ids: Sequence[int], now: dt.datetime) -> Sequence[Claimed]:
    """Claim those of these rows that are pending and due, in one statement, and commit.

    Only one worker can claim a row: the subquery locks the rows it picks and skips rows another
    claim holds (FOR UPDATE SKIP LOCKED on PostgreSQL; SQLite runs one writer at a time), and the
    update re-checks each row is still pending. The rows come back in id order, as they were made.
    """
    due = (
        select(Outbox.id)
        .where(Outbox.id.in_(outbox_ids), Outbox.status == "pending", Outbox.next_attempt_at <= now)
        .order_by(Outbox.id)
        .with_for_update(skip_locked=True)
    )
    # On the session's connection: Core statements, no ORM objects to keep in step.
    claimed: Sequence[Claimed] = (
        session.connection()
        .execute(
            update(Outbox)
            .where(Outbox.id.in_(due.scalar_subquery()), Outbox.status == "pending")
            .values(status="sending", claimed_at=now, attempts=Outbox.attempts + 1)
            .returning(*_CLAIMED)
        )
        .all()
    )
    session.commit()
    return sorted(claimed, key=lambda row: row.id)


def deliver(
    session: Session,
    outbox_ids: Sequence[int],
    sender: Sender,
    mail_from: str,
    clock: Callable[[], dt.datetime],
    claim_timeout: float = 300,
) -> dict[int, Delivery]:
    """Claim, send and record these rows, CLAIM_BATCH at a time, in order; the rows it could not
    claim (sent already, claimed elsewhere, not yet due) are left out of the result. Safe to call
    twice or concurrently for the same rows.

    Each result is committed before the next message goes out, so a worker killed at any moment
    has at most one message accepted by the server and not recorded: only that one can arrive
    twice. While it runs, the claims it holds are renewed (core.heartbeat: one thread for the whole
    call), so the sweep, which takes over claims older than claim_timeout, never sends again what
    a live worker holds. `clock` (the configured clock, in a task) stamps claims, results, renewals.
    """
    results: dict[int, Delivery] = {}
    held: list[int] = []  # every row claimed so far; those still sending are renewed

    def renewal() -> Executable:
        return (
            update(Outbox)
            .where(Outbox.id.in_(list(held)), Outbox.status == "sending")
            .values(claimed_at=clock())
        )

    with heartbeat(session, claim_timeout, renewal):
        for start in range(0, len(outbox_ids), CLAIM_BATCH):
            rows = claim(session, outbox_ids[start : start + CLAIM_BATCH], clock())
            held.extend(row.id for row in rows)
            for row in rows:
                results[row.id] = _send(session, row, sender, mail_from, clock)
    return results


def _send(
    session: Session, row: Claimed, sender: Sender, mail_from: str, clock: Callable[[], dt.datetime]
) -> Delivery:
    message = build_message(
        mail_from, row.recipient, row.subject, row.body_text, row.body_html, row.message_id, row.created_at
    )
    try:
        sender.send(message)
    except TemporaryFailure as error:
        if row.attempts >= MAX_ATTEMPTS:
            return _record(session, row.id, Delivery("failed"), last_error=str(error))
        delay = BACKOFF_SECONDS[min(row.attempts, len(BACKOFF_SECONDS)) - 1]
        logger.warning("outbox %s: temporary failure, retry in %ss: %s", row.id, delay, error)
        retry_at = clock() + dt.timedelta(seconds=delay)
        return _record(
            session,
            row.id,
            Delivery("retry", delay),
            status="pending",
            last_error=str(error),
            next_attempt_at=retry_at,
        )
    except PermanentFailure as error:
        logger.error("outbox %s: permanent failure: %s", row.id, error)
        return _record(session, row.id, Delivery("failed"), last_error=str(error))
    return _record(session, row.id, Delivery("sent"), last_error="", sent_at=clock())


def _record(session: Session, outbox_id: int, result: Delivery, **values: object) -> Delivery:
    """Store a send's result and commit it, before the next message goes out."""
    values.setdefault("status", result.status)
    session.connection().execute(update(Outbox).where(Outbox.id == outbox_id).values(**values))
    session.commit()
    return result


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
