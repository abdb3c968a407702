"""Benchmark sending the outbox over SMTP: our delivery against plain smtplib senders.

Run from the repository root:

    .venv/bin/python bench/mail.py [--emails N] [--rounds R]

An aiosmtpd server in this process (a real SMTP conversation over loopback, each message parsed
for its Message-ID) receives N (default 10,000) rendered emails four ways, in interleaved rounds:

- plain, one connection per message: smtplib connects, sends one message, quits (what our sender
  did before issue 24);
- plain, one connection reused: smtplib sends every message on one connection (the anchor the
  issue names: the pace of a mail server);
- ours, a connection per message: `services.deliver` (claim the outbox row, send, record) with
  SmtpSender held to one message per connection;
- ours, connections reused: the same with SmtpSender as it is (a NOOP check, at most
  MESSAGES_PER_CONNECTION messages a connection).

Our two runs deliver real outbox rows from a SQLite database in a temporary folder, one claim and
one commit per message, in one thread (the queue consumer's own overhead, a task per email, is not
in these figures). Each way prints messages per second and its ratio to the plain reused sender in
the same round, and checks that every Message-ID arrived exactly once. It exits 0 whatever the
figures: it is a measurement, not a test.
"""

import argparse
import datetime as dt
import smtplib
import statistics
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from email import policy
from email.message import EmailMessage
from email.parser import BytesHeaderParser
from pathlib import Path

from aiosmtpd.controller import Controller
from apply import free_port  # bench/, this script's folder, comes first on sys.path
from sqlalchemy import insert
from sqlalchemy.orm import sessionmaker

from form_worker.core.db import make_engine
from form_worker.metadata import metadata
from form_worker.outbox import services
from form_worker.outbox.models import Outbox
from form_worker.outbox.rendering import build_message, new_message_id
from form_worker.outbox.transports import SmtpSender

MAIL_FROM = "重庆市大学生科技见习计划 <noreply@jianxi.localhost>"
SUBJECT = "报名已收到（JX2026-{n:06d}）· 重庆市大学生科技见习计划"
TEXT = "陈示例同学，您好：\n\n我们已收到您的见习报名，报名编号：JX2026-{n:06d}。\n" + "见习计划说明。" * 40
HTML = (
    "<p>陈示例同学，您好：</p><p>报名编号：<strong>JX2026-{n:06d}</strong></p>" + "<p>见习计划说明。</p>" * 40
)
NOW = dt.datetime(2026, 11, 27, 8, 30)


class Counting:
    """aiosmtpd handler that counts each Message-ID it accepts."""

    def __init__(self) -> None:
        self.ids: Counter[str] = Counter()

    async def handle_DATA(self, server: object, session: object, envelope) -> str:  # noqa: N802
        headers = BytesHeaderParser(policy=policy.default).parsebytes(
            envelope.original_content or envelope.content
        )
        self.ids[str(headers["Message-ID"])] += 1
        return "250 Message accepted for delivery"


@contextmanager
def smtp_server() -> Iterator[tuple[Counting, int]]:
    handler, port = Counting(), free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


def messages(n: int) -> list[EmailMessage]:
    return [
        build_message(
            MAIL_FROM,
            f"bench{i:05d}@example.com",
            SUBJECT.format(n=i),
            TEXT.format(n=i),
            HTML.format(n=i),
            new_message_id(MAIL_FROM),
            NOW,
        )
        for i in range(n)
    ]


def plain_per_message(port: int, mails: list[EmailMessage]) -> None:
    for message in mails:
        with smtplib.SMTP("127.0.0.1", port, timeout=30) as client:
            client.send_message(message)


def plain_reused(port: int, mails: list[EmailMessage]) -> None:
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as client:
        for message in mails:
            client.send_message(message)


def outbox_rows(folder: Path, mails: list[EmailMessage]) -> tuple[Callable, list[int]]:
    """A SQLite database holding one pending outbox row per message; its sessionmaker and ids."""
    engine = make_engine(f"sqlite:///{folder / 'outbox.sqlite3'}")
    metadata.create_all(engine)
    rows = [
        {
            "key": f"bench:{i}",
            "recipient": str(m["To"]),
            "subject": str(m["Subject"]),
            "body_text": TEXT.format(n=i),
            "body_html": HTML.format(n=i),
            "message_id": str(m["Message-ID"]),
            "status": "pending",
            "attempts": 0,
            "next_attempt_at": NOW,
            "created_at": NOW,
        }
        for i, m in enumerate(mails)
    ]
    with engine.begin() as connection:
        connection.execute(insert(Outbox), rows)
    return sessionmaker(engine), list(range(1, len(rows) + 1))


def ours(per_connection: int | None) -> Callable[[int, Path, list[EmailMessage]], None]:
    def run(port: int, folder: Path, mails: list[EmailMessage]) -> None:
        sessions, ids = outbox_rows(folder, mails)
        sender = SmtpSender("127.0.0.1", port)
        if per_connection is not None:
            sender.MESSAGES_PER_CONNECTION = per_connection
        with sessions() as session:
            for outbox_id in ids:
                assert services.deliver(session, outbox_id, sender, MAIL_FROM, NOW).status == "sent"
        sender.close()

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--emails", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    ways: dict[str, Callable] = {
        "plain, one connection per message": lambda port, folder, mails: plain_per_message(port, mails),
        "plain, one connection reused (anchor)": lambda port, folder, mails: plain_reused(port, mails),
        "ours, a connection per message (before)": ours(1),
        "ours, connections reused (after)": ours(None),
    }
    rates: dict[str, list[float]] = {name: [] for name in ways}
    ratios: dict[str, list[float]] = {name: [] for name in ways}
    print(f"{args.emails:,} emails to a local aiosmtpd, {args.rounds} round(s), interleaved")
    for round_number in range(args.rounds):
        seconds: dict[str, float] = {}
        for name, way in ways.items():
            mails = messages(args.emails)
            with (
                smtp_server() as (handler, port),
                tempfile.TemporaryDirectory(prefix="jianxi-mail-") as folder,
            ):
                started = time.perf_counter()
                way(port, Path(folder), mails)
                seconds[name] = time.perf_counter() - started
                time.sleep(0.2)  # the server's last DATA handler
                wrong = [m["Message-ID"] for m in mails if handler.ids[str(m["Message-ID"])] != 1]
            rates[name].append(args.emails / seconds[name])
            missing = f"; {len(wrong)} not received exactly once" if wrong else ""
            print(
                f"  round {round_number + 1}: {name}: {seconds[name]:.1f} s, {rates[name][-1]:.0f}/s{missing}"
            )
        for name in ways:
            ratios[name].append(seconds[name] / seconds["plain, one connection reused (anchor)"])
    print("median messages/s, and time ÷ the reused plain sender's in the same round:")
    for name in ways:
        rate, ratio = statistics.median(rates[name]), statistics.median(ratios[name])
        print(f"  {name}: {rate:.0f} messages/s, {ratio:.2f}×")


if __name__ == "__main__":
    main()
