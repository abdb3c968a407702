"""Benchmark the queued mail path end to end: N outbox rows queued, a real consumer drains them.

Run from the repository root:

    .venv/bin/python bench/mail.py [--emails N] [--rounds R] [--workers W] [--before PATH]
        [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/test]
        [--redis-url redis://127.0.0.1:6379/15]

An aiosmtpd server in this process (a real SMTP conversation over loopback, each message parsed
for its Message-ID) receives N (default 10,000) emails, in R interleaved rounds (default 3), these
ways:

- plain smtplib, one connection reused (the anchor the issue names: the pace of a mail server): a
  child process builds the N messages with `build_message`, then sends them on one connection,
  and only the sending is timed;
- queued: N pending outbox rows are inserted and queued with the tree's own `queue_emails`, all at
  once (as a bulk move, the digest or the sweep queue them), then the tree's consumer starts
  (`consumer_command(W)`, default 2 threads, as `jianxi serve` runs it); timed from its start
  (imports and create_app included) until every row is recorded sent;
- queued one by one (this tree only): the same with one `queue_emails` call per email, as single
  requests queue them (before issue 24 both ways queued one task per email).

--before PATH runs the queued way with the code of another checkout too (say `git worktree add
/tmp/mail-before main`): its `queue_emails`, migrations and consumer, with this tree's
interpreter, in the same rounds. The database is a SQLite file in a temporary folder, or with
--database-url a new PostgreSQL schema, dropped afterwards; the queue a SqliteHuey file, or with
--redis-url that Redis database (its queue named jianxi is emptied: give one nothing else uses).

Each way prints its seconds, messages per second, the CPU the sending process used per message
and its time ÷ the anchor's in the same round, and checks that every Message-ID arrived exactly
once; then the medians. It exits 0 whatever the figures: it is a measurement, not a test.
"""

import argparse
import datetime as dt
import json
import os
import signal
import smtplib
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.parser import BytesHeaderParser
from pathlib import Path

from aiosmtpd.controller import Controller
from apply import free_port, server_cpu  # bench/, this script's folder, comes first on sys.path
from queues import database
from sqlalchemy import Engine, func, insert, select, update

from form_worker.core import queue
from form_worker.core.clock import utcnow
from form_worker.core.db import make_engine
from form_worker.core.queue import consumer_command
from form_worker.metadata import metadata
from form_worker.outbox.models import Outbox
from form_worker.outbox.rendering import build_message, new_message_id

ROOT = Path(__file__).resolve().parents[1]
MAIL_FROM = "重庆市大学生科技见习计划 <noreply@jianxi.localhost>"
SUBJECT = "报名已收到（JX2026-{n:06d}）· 重庆市大学生科技见习计划"
TEXT = "陈示例同学，您好：\n\n我们已收到您的见习报名，报名编号：JX2026-{n:06d}。\n" + "见习计划说明。" * 40
HTML = (
    "<p>陈示例同学，您好：</p><p>报名编号：<strong>JX2026-{n:06d}</strong></p>" + "<p>见习计划说明。</p>" * 40
)
NOW = dt.datetime(2026, 11, 27, 8, 30)
ANCHOR = "plain smtplib, one connection reused (anchor)"
GIVE_UP_S = 900
MIGRATE = "import os; from form_worker.core.db import upgrade; upgrade(os.environ['DATABASE_URL'])"
QUEUE = """
import os
import form_worker.worker  # the consumer's queue (HUEY_URL) and every task
from form_worker.outbox.tasks import queue_emails
ids = range(1, int(os.environ["BENCH_EMAILS"]) + 1)
if os.environ["BENCH_ONE_BY_ONE"] == "1":
    for outbox_id in ids:
        queue_emails([outbox_id])
else:
    queue_emails(ids)
"""


class Counting:
    """aiosmtpd handler that counts each Message-ID it accepts."""

    def __init__(self) -> None:
        self.ids: Counter[str] = Counter()
        self.first = self.last = float("nan")  # time.perf_counter() at the first and last message

    async def handle_DATA(self, server: object, session: object, envelope) -> str:  # noqa: N802
        # compat32 headers, parsed as read: the server's share of the CPU stays small, as a real
        # mail server's would (the modern policy's parser costs more than the sender's work).
        headers = BytesHeaderParser().parsebytes(envelope.original_content or envelope.content)
        self.ids[str(headers["Message-ID"])] += 1
        self.last = time.perf_counter()
        if self.ids.total() == 1:
            self.first = self.last
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


def outbox_rows(n: int) -> list[dict[str, object]]:
    due = utcnow() - dt.timedelta(seconds=1)
    return [
        {
            "key": f"bench:{i}",
            "recipient": f"bench{i:05d}@example.com",
            "subject": SUBJECT.format(n=i),
            "body_text": TEXT.format(n=i),
            "body_html": HTML.format(n=i),
            "message_id": new_message_id(MAIL_FROM),
            "status": "pending",
            "attempts": 0,
            "next_attempt_at": due,
            "created_at": NOW,
        }
        for i in range(n)
    ]


@dataclass(frozen=True)
class Result:
    seconds: float
    cpu: float  # CPU seconds of the sending process
    wrong: int  # messages not received exactly once
    first: float = 0.0  # seconds until the first message arrived (the consumer's start-up)


def plain_sender(port: int, n: int) -> None:
    """The anchor's child process: build the messages, then time sending them on one connection."""
    mails = [
        build_message(
            MAIL_FROM, r["recipient"], r["subject"], r["body_text"], r["body_html"], r["message_id"], NOW
        )
        for r in outbox_rows(n)
    ]
    started, cpu = time.perf_counter(), time.process_time()
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as client:
        for message in mails:
            client.send_message(message)
    ids = [str(m["Message-ID"]) for m in mails]
    print(
        json.dumps({"seconds": time.perf_counter() - started, "cpu": time.process_time() - cpu, "ids": ids})
    )


def anchor(handler: Counting, port: int, n: int) -> Result:
    done = subprocess.run(
        [sys.executable, __file__, "--plain-sender", str(port), str(n)],
        capture_output=True,
        text=True,
        check=True,
    )
    figures = json.loads(done.stdout)
    time.sleep(0.2)  # the server's last DATA handler
    return Result(figures["seconds"], figures["cpu"], sum(handler.ids[i] != 1 for i in figures["ids"]))


def in_tree(tree: Path, env: dict[str, str], code: str) -> None:
    """Run Python code with a checkout's form_worker (this interpreter and its packages)."""
    subprocess.run([sys.executable, "-c", code], cwd=tree, env=env, check=True)


def unsent(engine: Engine) -> int:
    with engine.connect() as connection:
        return connection.scalar(
            select(func.count()).select_from(Outbox).where(Outbox.status.in_(("pending", "sending")))
        )


def queued(tree: Path, one_by_one: bool, args: argparse.Namespace) -> Callable[[Counting, int, int], Result]:
    def run(handler: Counting, port: int, n: int) -> Result:
        with (
            tempfile.TemporaryDirectory(prefix="jianxi-mail-") as folder,
            database(args.database_url, Path(folder)) as url,
        ):
            huey_url = args.redis_url or f"sqlite:///{folder}/huey.sqlite3"
            env = os.environ | {
                "PYTHONPATH": str(tree),
                "INSTANCE_PATH": f"{folder}/instance",
                "DATABASE_URL": url,
                "HUEY_URL": huey_url,
                "MAIL_URL": f"smtp://127.0.0.1:{port}",
                "MAIL_FROM": MAIL_FROM,
                "SECRET_KEY": "bench-mail",
                "POSITIONS_ROOT": str(tree),
                "BENCH_EMAILS": str(n),
                "BENCH_ONE_BY_ONE": "1" if one_by_one else "0",
            }
            in_tree(tree, env, MIGRATE)
            engine = make_engine(url)
            rows = outbox_rows(n)
            with engine.begin() as connection:
                connection.execute(insert(Outbox), rows)
            if args.redis_url:
                queue.use(args.redis_url)
                queue.huey.flush()
            in_tree(tree, env, QUEUE)
            started = time.perf_counter()
            seconds, cpu = drain(tree, env, engine, Path(folder) / "consumer.log", args.workers)
            engine.dispose()
            time.sleep(0.2)  # the server's last DATA handler
            wrong = sum(handler.ids[str(r["message_id"])] != 1 for r in rows)
            return Result(seconds, cpu, wrong, handler.first - started)

    return run


def commit_floor(url: str | None) -> float:
    """Median ms of one committed single-row UPDATE on the backend: each result costs one."""
    with tempfile.TemporaryDirectory(prefix="jianxi-mail-") as folder, database(url, Path(folder)) as db_url:
        engine = make_engine(db_url)
        metadata.create_all(engine)
        with engine.begin() as connection:
            connection.execute(insert(Outbox), outbox_rows(1))
        times = []
        with engine.connect() as connection:
            for _ in range(200):
                started = time.perf_counter()
                connection.execute(update(Outbox).values(last_error=""))
                connection.commit()
                times.append(time.perf_counter() - started)
        engine.dispose()
    return statistics.median(times) * 1000


def drain(tree: Path, env: dict[str, str], engine: Engine, log: Path, workers: int) -> tuple[float, float]:
    """Start the consumer, wait until no row is pending or being sent, stop it: (seconds, CPU s)."""
    started = time.perf_counter()
    with log.open("wb") as output:
        consumer = subprocess.Popen(
            consumer_command(workers), cwd=tree, env=env, stdout=output, stderr=output
        )
    try:
        while unsent(engine):
            if consumer.poll() is not None or time.perf_counter() - started > GIVE_UP_S:
                print(log.read_text(errors="replace")[-3000:])
                return float("nan"), float("nan")
            time.sleep(0.02)
        seconds = time.perf_counter() - started
        return seconds, server_cpu(consumer.pid)
    finally:
        consumer.send_signal(signal.SIGINT)
        consumer.wait(timeout=60)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--emails", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2, help="consumer threads")
    parser.add_argument("--before", type=Path, help="a checkout of the code before, run beside this tree")
    parser.add_argument("--database-url", help="a PostgreSQL database to make a schema in (default SQLite)")
    parser.add_argument("--redis-url", help="a Redis database for the queue (default a SqliteHuey file)")
    parser.add_argument("--plain-sender", nargs=2, type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.plain_sender:
        plain_sender(*args.plain_sender)
        return
    ways: dict[str, Callable[[Counting, int, int], Result]] = {ANCHOR: anchor}
    if args.before:
        ways["queued, before"] = queued(args.before.resolve(), False, args)
    ways["queued, this tree"] = queued(ROOT, False, args)
    ways["queued one by one, this tree"] = queued(ROOT, True, args)
    backends = (
        f"{'PostgreSQL' if args.database_url else 'SQLite'}, {'Redis' if args.redis_url else 'SqliteHuey'}"
    )
    print(
        f"{args.emails:,} emails to a local aiosmtpd; {backends}; consumer -w {args.workers};"
        f" {os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.2f};"
        f" a one-row commit takes {commit_floor(args.database_url):.2f} ms (median of 200)"
    )
    results: dict[str, list[Result]] = {name: [] for name in ways}
    ratios: dict[str, list[float]] = {name: [] for name in ways}
    for round_number in range(args.rounds):
        for name, way in ways.items():
            with smtp_server() as (handler, port):
                result = way(handler, port, args.emails)
            results[name].append(result)
            wrong = f"; {result.wrong} not received exactly once" if result.wrong else ""
            first = f", first message after {result.first:.1f} s" if result.first else ""
            print(
                f"  round {round_number + 1}: {name}: {result.seconds:.1f} s{first},"
                f" {args.emails / result.seconds:.0f}/s, CPU {result.cpu / args.emails * 1000:.2f} ms/message"
                f"{wrong} (load {os.getloadavg()[0]:.2f})"
            )
        for name in ways:
            ratios[name].append(results[name][-1].seconds / results[ANCHOR][-1].seconds)
    print("medians: seconds, messages/s, sender CPU per message, time ÷ the anchor's in the same round")
    for name in ways:
        seconds = statistics.median(r.seconds for r in results[name])
        cpu = statistics.median(r.cpu for r in results[name]) / args.emails * 1000
        print(
            f"  {name}: {seconds:.1f} s, {args.emails / seconds:.0f}/s, {cpu:.2f} ms,"
            f" {statistics.median(ratios[name]):.2f}×"
        )
    print(f"load average {os.getloadavg()[0]:.2f} after the run")


if __name__ == "__main__":
    main()
