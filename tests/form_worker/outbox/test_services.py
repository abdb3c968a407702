import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from form_worker.core import db
from form_worker.outbox import services as outbox
from form_worker.outbox.models import Outbox
from form_worker.outbox.services import BACKOFF_SECONDS, CLAIM_BATCH, MAX_ATTEMPTS, Delivery, due
from form_worker.outbox.transports import Sender, SmtpSender, TemporaryFailure

# Claiming a row to send it once, concurrently too, and releasing stale claims: on every database.
pytestmark = pytest.mark.backend

MAIL_FROM = "见习计划 <noreply@jianxi.test>"
T0 = dt.datetime(2026, 11, 27, 8, 0)
TIMEOUT = 300


class Recorder(Sender):
    """Keeps what it is given; raises the queued failures first."""

    def __init__(self, *failures: Exception) -> None:
        self.sent = []
        self.failures = list(failures)

    def send(self, message) -> None:
        if self.failures:
            raise self.failures.pop(0)
        self.sent.append(message)


def stage(session: Session, key: str = "state:1:1", **columns: object) -> Outbox:
    """One committed outbox row for an offer email, due at T0; columns override its stored state."""
    row = outbox.add(
        session,
        key,
        "chen@example.com",
        "application_state",
        MAIL_FROM,
        application=SimpleNamespace(name="陈示例", reference="JX2026-000001"),
        label="已获录用",
        reason="",
    )
    row.next_attempt_at = T0
    for name, value in columns.items():
        setattr(row, name, value)
    session.commit()
    return row


SKIPPED = Delivery("skipped")  # not claimed: sent already, claimed elsewhere or not due


def deliver(session: Session, row_id: int, sender: Sender, mail_from: str, now: dt.datetime) -> Delivery:
    """One row's delivery at `now`, SKIPPED when it could not be claimed."""
    return outbox.deliver(session, [row_id], sender, mail_from, lambda: now).get(row_id, SKIPPED)


def fresh(session: Session, row: Outbox) -> Outbox:
    """The row as the database now has it."""
    session.refresh(row)
    return row


def test_deliver_claims_once(app, session) -> None:
    row = stage(session)
    sender = Recorder()
    assert deliver(session, row.id, sender, MAIL_FROM, T0) == Delivery("sent")
    assert deliver(session, row.id, sender, MAIL_FROM, T0) == SKIPPED
    [message] = sender.sent
    assert message["Message-ID"] == row.message_id
    row = fresh(session, row)
    assert (row.status, row.attempts, row.sent_at, row.last_error) == ("sent", 1, T0, "")


def test_concurrent_deliveries_send_once(app, session) -> None:
    row_id = stage(session).id
    sender = Recorder()
    start = threading.Barrier(4)

    def worker(_: int) -> Delivery:
        with db.sessions(app)() as own:
            start.wait()
            return deliver(own, row_id, sender, MAIL_FROM, T0)

    with ThreadPoolExecutor(4) as pool:
        results = sorted(r.status for r in pool.map(worker, range(4)))
    assert results == ["sent", "skipped", "skipped", "skipped"]
    assert len(sender.sent) == 1


def test_row_claimed_elsewhere_is_left_alone(app, session) -> None:
    row = stage(session, status="sending", claimed_at=T0, attempts=1)
    sender = Recorder()
    assert deliver(session, row.id, sender, MAIL_FROM, T0) == SKIPPED
    assert sender.sent == []
    assert (fresh(session, row).status, row.attempts) == ("sending", 1)


@pytest.mark.parametrize("stage_refused", ["RCPT", "DATA"])
def test_busy_server_is_retried_with_backoff_and_gets_it_once(
    app, session, smtp_server, stage_refused: str
) -> None:
    smtp_server.mailbox.stage, smtp_server.mailbox.busy = stage_refused, 1
    sender = SmtpSender("127.0.0.1", smtp_server.port)
    row = stage(session, next_attempt_at=T0)

    assert deliver(session, row.id, sender, MAIL_FROM, T0) == Delivery("retry", 5)
    row = fresh(session, row)
    assert (row.status, row.attempts, row.next_attempt_at) == ("pending", 1, T0 + dt.timedelta(seconds=5))
    assert "451" in row.last_error
    assert smtp_server.mailbox.messages == []
    # The sweeper leaves it to the task scheduled for the retry.
    assert due(session, T0 + dt.timedelta(seconds=5), TIMEOUT) == []

    later = T0 + dt.timedelta(seconds=5)
    assert deliver(session, row.id, sender, MAIL_FROM, later) == Delivery("sent")
    assert deliver(session, row.id, sender, MAIL_FROM, later) == SKIPPED
    row = fresh(session, row)
    assert (row.status, row.attempts, row.sent_at, row.last_error) == ("sent", 2, later, "")
    assert smtp_server.mailbox.refusals == 1
    assert len(smtp_server.mailbox.with_id(row.message_id)) == 1
    assert len(smtp_server.mailbox.messages) == 1


@pytest.mark.parametrize("stage_refused", ["RCPT", "DATA"])
def test_refused_address_fails_for_good(app, session, smtp_server, stage_refused: str) -> None:
    smtp_server.mailbox.stage, smtp_server.mailbox.reject = stage_refused, True
    sender = SmtpSender("127.0.0.1", smtp_server.port)
    row = stage(session, next_attempt_at=T0)

    assert deliver(session, row.id, sender, MAIL_FROM, T0) == Delivery("failed")
    row = fresh(session, row)
    assert (row.status, row.attempts, row.sent_at) == ("failed", 1, None)
    assert "550" in row.last_error
    assert deliver(session, row.id, sender, MAIL_FROM, T0) == SKIPPED
    assert due(session, T0 + dt.timedelta(days=1), TIMEOUT) == []
    assert smtp_server.mailbox.refusals == 1


def test_max_attempts_then_failed(app, session) -> None:
    sender = Recorder(*(TemporaryFailure(f"451 busy {n}") for n in range(MAX_ATTEMPTS)))
    row = stage(session)
    now, results = T0, []
    for _ in range(MAX_ATTEMPTS):
        results.append(deliver(session, row.id, sender, MAIL_FROM, now))
        now += dt.timedelta(seconds=results[-1].retry_in)

    assert results == [Delivery("retry", s) for s in BACKOFF_SECONDS[: MAX_ATTEMPTS - 1]] + [
        Delivery("failed")
    ]
    row = fresh(session, row)
    assert (row.status, row.attempts, row.last_error) == (
        "failed",
        MAX_ATTEMPTS,
        f"451 busy {MAX_ATTEMPTS - 1}",
    )
    assert deliver(session, row.id, Recorder(), MAIL_FROM, now) == SKIPPED
    assert sender.sent == []


def test_due_finds_overdue_rows_and_releases_stale_claims(app, session) -> None:
    now = T0 + dt.timedelta(hours=1)
    ago = lambda seconds: now - dt.timedelta(seconds=seconds)  # noqa: E731
    overdue = stage(session, "a", next_attempt_at=ago(TIMEOUT + 1))
    queued = stage(session, "b", next_attempt_at=ago(10))
    retry_later = stage(session, "c", next_attempt_at=now + dt.timedelta(seconds=30), attempts=1)
    orphaned = stage(
        session, "d", status="sending", claimed_at=ago(TIMEOUT + 1), attempts=1, next_attempt_at=T0
    )
    sending = stage(session, "e", status="sending", claimed_at=ago(10), attempts=1, next_attempt_at=T0)
    stage(session, "f", status="sent", sent_at=T0, attempts=1, next_attempt_at=T0)
    stage(session, "g", status="failed", attempts=MAX_ATTEMPTS, next_attempt_at=T0)

    assert due(session, now, TIMEOUT) == [overdue.id, orphaned.id]
    assert fresh(session, orphaned).status == "pending"
    assert fresh(session, sending).status == "sending"
    assert (fresh(session, queued).status, fresh(session, retry_later).status) == ("pending", "pending")

    # The released row goes out once; the worker that vanished cannot send it again.
    sender = Recorder()
    assert deliver(session, orphaned.id, sender, MAIL_FROM, now) == Delivery("sent")
    assert fresh(session, orphaned).attempts == 2
    assert due(session, now, TIMEOUT) == [overdue.id]
    assert due(session, now + dt.timedelta(seconds=TIMEOUT), TIMEOUT) == [overdue.id, queued.id, sending.id]


def staged(session: Session, count: int) -> list[Outbox]:
    return [stage(session, f"state:1:{n}") for n in range(count)]


def statuses(session: Session, rows: list[Outbox]) -> list[tuple[str, int]]:
    return [(fresh(session, r).status, r.attempts) for r in rows]


def test_deliver_claims_a_batch_at_a_time_sends_it_in_order_and_skips_the_rest(app, session) -> None:
    rows = staged(session, CLAIM_BATCH + 3)
    sent, elsewhere, later = rows[1], rows[4], rows[-2]
    sent.status, sent.sent_at = "sent", T0
    elsewhere.status, elsewhere.claimed_at = "sending", T0  # another worker's claim
    later.next_attempt_at = T0 + dt.timedelta(minutes=1)  # a retry, not yet due
    session.commit()
    skipped = {sent.id, elsewhere.id, later.id}
    ids = [r.id for r in reversed(rows)]
    sender = Recorder()

    results = outbox.deliver(session, ids, sender, MAIL_FROM, lambda: T0)
    # Each claim takes the due rows among CLAIM_BATCH ids and sends them oldest first.
    order = [i for batch in (ids[:CLAIM_BATCH], ids[CLAIM_BATCH:]) for i in sorted(batch) if i not in skipped]
    assert results == dict.fromkeys(order, Delivery("sent"))
    message_ids = {r.id: r.message_id for r in rows}
    assert [m["Message-ID"] for m in sender.sent] == [message_ids[i] for i in order]
    expected = {sent.id: ("sent", 0), elsewhere.id: ("sending", 0), later.id: ("pending", 0)}
    assert statuses(session, rows) == [expected.get(r.id, ("sent", 1)) for r in rows]


def test_each_result_is_committed_before_the_next_message_goes_out(app, session) -> None:
    """So a worker killed between two sends leaves no accepted message unrecorded, and at a kill
    during a send only that message can go out twice."""
    rows = staged(session, CLAIM_BATCH + 2)
    unrecorded: list[int] = []

    class Watching(Recorder):
        def send(self, message) -> None:
            with db.sessions(app)() as other:
                recorded = set(other.scalars(select(Outbox.message_id).where(Outbox.status == "sent")))
            unrecorded.append(sum(m["Message-ID"] not in recorded for m in self.sent))
            super().send(message)

    sender = Watching()
    outbox.deliver(session, [r.id for r in rows], sender, MAIL_FROM, lambda: T0)
    assert len(sender.sent) == len(rows) and unrecorded == [0] * len(rows)


class Killed(BaseException):
    """The worker's process dying, as far as the code in it can tell."""


def test_the_rest_of_a_batch_whose_worker_died_is_released_by_the_sweep_and_sent_once(app, session) -> None:
    rows = staged(session, 4)
    ids = [r.id for r in rows]

    class Dying(Recorder):
        def send(self, message) -> None:
            if len(self.sent) == 2:
                raise Killed
            super().send(message)

    first = Dying()
    with pytest.raises(Killed):
        outbox.deliver(session, ids, first, MAIL_FROM, lambda: T0)
    session.rollback()
    assert statuses(session, rows) == [("sent", 1), ("sent", 1), ("sending", 1), ("sending", 1)]

    # Until the claims are older than the timeout the sweep leaves them, then releases them.
    assert due(session, T0 + dt.timedelta(seconds=TIMEOUT), TIMEOUT) == []
    later = T0 + dt.timedelta(seconds=TIMEOUT + 1)
    assert due(session, later, TIMEOUT) == ids[2:]
    second = Recorder()
    assert outbox.deliver(session, ids, second, MAIL_FROM, lambda: later) == dict.fromkeys(
        ids[2:], Delivery("sent")
    )
    arrived = [m["Message-ID"] for m in first.sent + second.sent]
    assert sorted(arrived) == sorted(r.message_id for r in rows)
    assert statuses(session, rows) == [("sent", 1), ("sent", 1), ("sent", 2), ("sent", 2)]


def test_workers_delivering_overlapping_batches_send_each_row_once(app, session) -> None:
    """Four workers given the same rows in different orders: each claim skips the rows another holds."""
    ids = [r.id for r in staged(session, 3 * CLAIM_BATCH)]
    sender = Recorder()
    start = threading.Barrier(4)

    def worker(n: int) -> dict[int, Delivery]:
        with db.sessions(app)() as own:
            start.wait()
            return outbox.deliver(own, ids[n * 7 :] + ids[: n * 7], sender, MAIL_FROM, lambda: T0)

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(worker, range(4)))
    assert sorted(i for result in results for i in result) == ids
    assert len(sender.sent) == len({m["Message-ID"] for m in sender.sent}) == len(ids)
