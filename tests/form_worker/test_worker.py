import datetime as dt
import email
import email.policy
import os
import signal
import subprocess
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from form_worker import create_app
from form_worker.applications.intake.tasks import check_application
from form_worker.applications.models import Application, Transition
from form_worker.applications.states import STATE_LABELS
from form_worker.core import db, queue
from form_worker.core.models import utcnow
from form_worker.core.queue import consumer_command
from form_worker.outbox import services as outbox_services
from form_worker.outbox.models import Outbox
from form_worker.outbox.tasks import send_emails
from form_worker.worker import sweep
from tests.conftest import ROOT, TODAY
from tests.form_worker.conftest import (
    OPEN_POSITION,
    Applicant,
    drain,
    migrate,
    postgres_schema,
    recorded_application,
    redis_database,
    sqlite_urls,
)
from tests.helpers.claims import RenewalClock
from tests.helpers.queue import run_scheduled
from tests.helpers.waiting import wait_for

# The queue, its retries, the sweep and claims under concurrency: SqliteHuey and RedisHuey alike.
pytestmark = pytest.mark.backend


def rows(session) -> list[Outbox]:
    session.expire_all()
    return list(session.scalars(select(Outbox).order_by(Outbox.id)))


def kind(row: Outbox) -> str:
    return row.key.split(":", 1)[0]


def mail_folder(app) -> Path:
    return Path(app.config["MAIL_URL"].removeprefix("folder://"))


def test_application_mails_arrive_once_over_smtp(app, applicant, session, smtp_server) -> None:
    app.config["MAIL_URL"] = smtp_server.url
    reference = applicant.submit()
    # One task per application: the form's request writes the queue once.
    assert queue.huey.pending_count() == 1
    assert drain(app) == ["checked"]

    outbox = rows(session)
    assert sorted(map(kind, outbox)) == ["received", "state", "unit"]
    assert {r.status for r in outbox} == {"sent"}
    mailbox = smtp_server.mailbox
    # The applicant hears "received" before "checked".
    order = {r.message_id: kind(r) for r in outbox}
    assert [order[m["Message-ID"]] for m in mailbox.messages] == ["received", "unit", "state"]
    by_kind = {kind(r): mailbox.with_id(r.message_id) for r in outbox}
    assert all(len(arrived) == 1 for arrived in by_kind.values())
    [received], [unit], [state] = by_kind["received"], by_kind["unit"], by_kind["state"]
    assert received["To"] == state["To"] == "chen@example.com"
    assert reference in received["Subject"]
    assert STATE_LABELS["checked"] in state["Subject"]
    assert unit["To"] != "chen@example.com"
    # Before national filing the unit hears of the reference only, not of who applied.
    body = unit.get_body(("plain",)).get_content()
    assert reference in body and "陈示例" not in body and "chen@example.com" not in body


def test_busy_server_gets_each_mail_once_after_retry(app, applicant, session, smtp_server) -> None:
    app.config["MAIL_URL"] = smtp_server.url
    mailbox = smtp_server.mailbox
    mailbox.busy = 3
    applicant.submit()

    # However many tries, each email must arrive exactly once. The three refused sends, due again at
    # the same time, are retried by one scheduled task.
    assert drain(app)[0] == "checked"
    waiting = [r for r in rows(session) if r.status == "pending"]
    assert len(waiting) == 3
    assert all(r.next_attempt_at > r.created_at and "451" in r.last_error for r in waiting)
    assert queue.huey.scheduled_count() == 1

    assert run_scheduled(app, 1) == []
    assert run_scheduled(app, 3600) == [{"sent": 3}]
    assert queue.huey.scheduled_count() == 0
    outbox = rows(session)
    assert {r.status for r in outbox} == {"sent"}
    assert mailbox.refusals == 3
    assert sorted(m["Message-ID"] for m in mailbox.messages) == sorted(r.message_id for r in outbox)
    assert run_scheduled(app, 3600) == []


def test_check_flags_application_whose_position_closed(app, applicant, session) -> None:
    reference = applicant.submit()
    deadline = app.extensions["jianxi.positions"].get().by_id[OPEN_POSITION].position.deadline
    app.config["CLOCK"] = lambda: deadline + dt.timedelta(days=1)

    assert drain(app) == ["flagged"]
    application = session.scalar(select(Application).where(Application.reference == reference))
    assert application.state == "submitted"
    assert f"岗位 {OPEN_POSITION} 已不再招募" in application.flag
    assert [t.to_state for t in application.transitions] == ["submitted"]
    assert sorted(map(kind, rows(session))) == ["received", "unit"]
    assert len(list(mail_folder(app).iterdir())) == 2


def test_check_running_twice_at_once_moves_once(app, session) -> None:
    application = recorded_application(app, session)
    start = threading.Barrier(4)

    def run(_: int) -> str:
        with app.app_context():
            start.wait()
            return check_application.call_local(application.id)

    with ThreadPoolExecutor(4) as pool:
        assert Counter(pool.map(run, range(4))) == {"checked": 1, "skipped": 3}
    session.expire_all()
    assert [t.to_state for t in session.get(Application, application.id).transitions] == [
        "submitted",
        "checked",
    ]
    assert sorted(map(kind, rows(session))) == ["received", "state", "unit"]


def test_sweep_sends_what_the_queue_lost(app, session) -> None:
    application = recorded_application(app, session)
    timeout = app.config["OUTBOX_CLAIM_TIMEOUT"]
    with app.app_context():
        assert sweep.call_local() == 0
    assert queue.huey.pending_count() == 0

    # The same rows, as the sweeper sees them once the claim timeout has passed.
    past = utcnow() - dt.timedelta(seconds=timeout + 1)
    session.execute(update(Outbox).values(next_attempt_at=past))
    session.execute(update(Application).values(created_at=past))
    session.commit()
    with app.app_context():
        assert sweep.call_local() == 1
    # The application's check sends its emails, so the sweep does not queue them a second time.
    assert drain(app) == ["checked"]

    outbox = rows(session)
    assert sorted(map(kind, outbox)) == ["received", "state", "unit"]
    assert {r.status for r in outbox} == {"sent"}
    assert session.get(Application, application.id).state == "checked"
    assert sorted(f.stem for f in mail_folder(app).iterdir()) == sorted(
        r.message_id.strip("<>") for r in outbox
    )
    with app.app_context():
        assert sweep.call_local() == 0
        assert send_emails.call_local([r.id for r in outbox]) == {"skipped": 3}


# The crash test: a real consumer process is killed while two sends hang; a fresh one finishes the work.

APPLICANTS = 30
THREADS = 2
CONSUMER = consumer_command(THREADS)


@pytest.fixture
def crash_backend(backend_name: str, tmp_path: Path):
    """Database and queue of their own, shared with consumer processes for the whole test.

    The PostgreSQL half works in a schema of its own, since other tests empty the session's schema,
    and in a Redis database of its own (redis_database: no other test, of this run or of another
    run on the machine, uses it meanwhile), since the consumer uses the production queue name.
    """
    if backend_name == "sqlite":
        yield sqlite_urls(tmp_path)
        return
    with postgres_schema("crash") as database_url, redis_database() as redis_url:
        yield {"DATABASE_URL": database_url, "HUEY_URL": redis_url}


@pytest.fixture
def consumers(tmp_path: Path):
    """Start consumer processes on demand; any still running at the end is stopped with SIGINT."""
    started: list[subprocess.Popen] = []

    def start(env: dict[str, str]) -> subprocess.Popen:
        with open(tmp_path / f"consumer-{len(started)}.log", "wb") as log:
            # -m 0.5: poll an empty queue at least twice a second, so the test need not wait 10 s.
            process = subprocess.Popen(
                CONSUMER + ["-m", "0.5"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
            )
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def eml_name(message_id: str) -> str:
    """The file FolderSender writes for a message."""
    return message_id.strip("<>").replace("/", "_") + ".eml"


class Office:
    """The test's side of the crash test: the same database, queue and mail folder as the consumers."""

    def __init__(self, app, mail: Path, env: dict[str, str]) -> None:
        self.app, self.mail, self.env = app, mail, env
        self.applicant = Applicant(app.test_client())
        self.session = db.sessions(app)()

    def submit(self, numbers: range) -> list[str]:
        return [
            self.applicant.submit(phone=f"1380000{n:04d}", email=f"applicant{n}@example.com") for n in numbers
        ]

    def outbox(self) -> list[Outbox]:
        self.session.expire_all()
        result = list(self.session.scalars(select(Outbox).order_by(Outbox.id)))
        self.session.commit()
        return result

    def finished(self) -> bool:
        """Every email sent and every application checked or flagged."""
        unchecked = self.session.scalar(
            select(func.count()).where(Application.state == "submitted", Application.flag.is_(None))
        )
        self.session.commit()
        return unchecked == 0 and {r.status for r in self.outbox()} == {"sent"}

    def hang(self, rows: list[Outbox]) -> list[Path]:
        """Make these sends hang, as on a stalled mail server: their files are FIFOs nobody reads."""
        self.mail.mkdir(exist_ok=True)
        fifos = [self.mail / (eml_name(r.message_id) + ".part") for r in rows]
        for fifo in fifos:
            os.mkfifo(fifo)
        return fifos

    def close(self) -> None:
        self.session.close()
        db.sessions(self.app).kw["bind"].dispose()


@pytest.fixture
def office(crash_backend: dict[str, str], tmp_path: Path):
    environment = {
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "SECRET_KEY": "test",
        "MAIL_URL": f"folder://{tmp_path / 'mail'}",
        "POSITIONS_ROOT": str(ROOT),
        "OUTBOX_CLAIM_TIMEOUT": "1",
        **crash_backend,
    }
    app = create_app({**environment, "TESTING": True, "CLOCK": lambda: TODAY, "RATELIMIT_ENABLED": False})
    queue.use(environment["HUEY_URL"])  # the consumer's queue name, not a per-test one
    queue.huey.flush()
    migrate(environment["DATABASE_URL"])
    office = Office(app, tmp_path / "mail", {**os.environ, **environment})
    yield office
    office.close()


def test_killed_consumer_loses_and_doubles_no_email(office: Office, consumers) -> None:
    references = office.submit(range(20))
    keys = {r.key: r for r in office.outbox()}
    hanging = [keys["received:5"], next(r for k, r in keys.items() if k.startswith("unit:12:"))]
    fifos = office.hang(hanging)

    first = consumers(office.env)
    references += office.submit(range(20, APPLICANTS))
    wait_for(
        lambda: {r.status for r in office.outbox() if r.id in {h.id for h in hanging}} == {"sending"},
        "both consumer threads to hang",
    )
    sent_before = {p.name for p in office.mail.glob("*.eml")}
    first.send_signal(signal.SIGKILL)
    first.wait()
    assert 0 < len(sent_before) < len(office.outbox()), "the consumer should die with work half done"
    for fifo in fifos:
        fifo.unlink()

    # The next consumer's sweep releases the two claims once they are older than the timeout (1 s).
    # Nobody renews them now that their consumer is dead, so rather than wait for that second to
    # pass, date them back past it, as that second would have left them.
    office.session.execute(
        update(Outbox).where(Outbox.status == "sending").values(claimed_at=utcnow() - dt.timedelta(seconds=2))
    )
    office.session.commit()
    second = consumers(office.env)
    wait_for(office.finished, "the second consumer to send everything")
    second.send_signal(signal.SIGINT)
    assert second.wait(timeout=15) == 0

    assert len(set(references)) == APPLICANTS
    outbox = office.outbox()
    session = office.session
    checked = set(session.scalars(select(Application.id).where(Application.state == "checked")))
    assert Counter(map(kind, outbox)) == {"received": APPLICANTS, "unit": APPLICANTS, "state": len(checked)}
    assert set(Counter((r.application_id, kind(r)) for r in outbox).values()) == {1}
    moves = session.scalars(select(Transition.application_id).where(Transition.to_state == "checked"))
    assert Counter(moves) == Counter(checked)

    files = sorted(office.mail.iterdir())
    assert {f.name for f in files} == {eml_name(r.message_id) for r in outbox}, "one file per email, no .part"
    messages = [email.message_from_bytes(f.read_bytes(), policy=email.policy.default) for f in files]
    receipts = [m for m in messages if m["Subject"].startswith("报名已收到")]
    assert Counter(m["To"] for m in receipts) == {f"applicant{n}@example.com": 1 for n in range(APPLICANTS)}
    assert {m["Message-ID"] for m in receipts} == {r.message_id for r in outbox if kind(r) == "received"}


KILLS = 6
KILL_APPLICANTS = 60


def test_repeated_kills_double_only_a_send_in_flight_at_a_kill(
    office: Office, consumers, smtp_server
) -> None:
    """Consumers killed again and again mid-work, over real SMTP: every email arrives, and one arrives
    twice only if its send was in flight (accepted, not yet marked sent) when a consumer was killed:
    at a kill, each of the consumer's threads has at most one such message, whatever it had claimed
    besides (issue 24: rows are claimed a few at a time, and each result committed before the next)."""
    office.env["MAIL_URL"] = smtp_server.url
    office.submit(range(KILL_APPLICANTS))
    mailbox = smtp_server.mailbox
    in_flight: set[str] = set()
    unrecorded: list[int] = []
    for _ in range(KILLS):
        consumer = consumers(office.env)
        wanted = len(mailbox.messages) + 5
        wait_for(lambda: len(mailbox.messages) > wanted or office.finished(), "some sends")  # noqa: B023
        consumer.send_signal(signal.SIGKILL)
        consumer.wait()
        claimed = {r.message_id for r in office.outbox() if r.status == "sending"}
        in_flight |= claimed
        unrecorded.append(len(claimed & {m["Message-ID"] for m in mailbox.messages}))
    consumer = consumers(office.env)
    wait_for(office.finished, "the last consumer to send everything", seconds=120)
    consumer.send_signal(signal.SIGINT)
    assert consumer.wait(timeout=15) == 0

    arrived = Counter(m["Message-ID"] for m in mailbox.messages)
    assert set(arrived) == {r.message_id for r in office.outbox()}
    doubled = {message_id for message_id, count in arrived.items() if count > 1}
    assert doubled <= in_flight, f"doubled though not in flight at a kill: {doubled - in_flight}"
    assert max(arrived.values()) <= 2
    assert max(unrecorded) <= THREADS, f"accepted but not recorded at each kill: {unrecorded}"


def test_a_slow_send_keeps_its_claim_while_its_worker_lives(app, session, monkeypatch) -> None:
    """The sweep takes over claims older than OUTBOX_CLAIM_TIMEOUT; a send slower than that on a live
    worker renews its claim, and those of the rows claimed with it that wait their turn, so the
    sweep neither releases nor re-queues them (they would be sent twice)."""
    app.config["OUTBOX_CLAIM_TIMEOUT"] = 0.5  # seconds; production reads a whole number from the environment
    clock = app.config["UTCNOW"] = RenewalClock(app.config["UTCNOW"])
    recorded_application(app, session)
    row_ids = list(session.scalars(select(Outbox.id).order_by(Outbox.id)))
    assert len(row_ids) == 2  # received and unit: one claim
    release = threading.Event()

    class SlowSender:
        def send(self, message) -> None:
            release.wait(10)

    monkeypatch.setattr("form_worker.outbox.tasks.sender_from_url", lambda url: SlowSender())

    def send() -> dict[str, int]:
        with app.app_context():
            return send_emails.call_local(row_ids)

    with ThreadPoolExecutor(1) as pool:
        sending = pool.submit(send)
        # Until the live worker has renewed its claims for more than twice the timeout.
        assert clock.renewed.wait(10), "the claim was not renewed"
        with db.sessions(app)() as other:
            due = outbox_services.due(other, utcnow(), 0.5)
            statuses = [other.get(Outbox, row_id).status for row_id in row_ids]
        release.set()
        assert sending.result() == {"sent": 2}
    assert due == [] and statuses == ["sending", "sending"]
