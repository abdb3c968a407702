"""Benchmark the application form under gunicorn against a bare Flask insert, then deliver its mail.

Run from the repository root:

    .venv/bin/python bench/apply.py [--applications N] [--concurrency C] [--mixed] [--keep]
                                    [--load-only] [--worker-app MODULE:CALL] [--positions P]
                                    [--database-url postgresql+psycopg://...] [--floor [--rounds R]]

In a temporary instance (SQLite database and SqliteHuey file, positions from this repository, mail
over SMTP to a counting aiosmtpd server inside this process) the script:

1. serves the worker with `gunicorn -w 2` and no queue consumer, and from a separate client process
   sends N (default 2,000) valid applications at concurrency C (default 32). Every simulated
   applicant has a cookie jar and does what a browser does: GET /apply (cookie and CSRF token),
   POST step=review (the check page), POST step=confirm (303), GET /apply/done (the reference).
   By default the steps run as phases, each step of all N applicants at concurrency C, so the
   confirm POSTs are timed on their own, on the same footing as the bare inserts; --mixed runs each
   applicant's four requests back to back instead, the mix real traffic has;
2. serves bench/bare_insert.py with the same gunicorn settings and sends N POSTs at concurrency C,
   each inserting the same fields into SQLite with the worker's journal settings;
3. starts the real Huey consumer (`-k thread -w 4`), waits until no email is pending or being sent
   and no application is left unchecked, and counts what the SMTP server received.

It prints throughput, latency and the CPU time the gunicorn processes spent per request (read from
/proc; other load on the machine disturbs it less than wall time, and the load average is printed
too), then a table of targets with PASS/MISS: confirm POSTs per second over bare inserts per second
>= 0.5, confirm p99 <= 100 ms, all mail delivered within 60 s, no applicant email lost or sent
twice. Latency is measured in the client, so it includes waiting for one of the two workers. The
script exits 0 whatever the figures: it is a measurement, not a test; it exits 1 only when the
set-up itself fails.

--positions P writes P synthetic positions (bench/build.py's generator) for the worker to offer
instead of the repository's samples; --database-url puts the worker's tables in a new schema of that
PostgreSQL database, dropped afterwards. --floor replaces steps 1 to 3: the worker and
bench/form_floor.py (the least any /apply on these libraries does) are served side by side on the
same instance, and R rounds (default 6) of N/R applicants each go through the flow against one, then
the other (the order alternating), so that both meet the same load; it prints each round's confirm
POSTs/s and server CPU per confirm, and the median of the rounds' ratios against the target >= 0.8.

--worker-app serves another app spec in step 1 (bench/ is on its path): `form_floor:create()`, the
least a form on the chosen libraries does, or a module that patches the worker, to measure a change
before making it in form_worker. --load-only stops after step 2, as a variant that queues no mail
should.
"""

import argparse
import datetime as dt
import functools
import http.client
import json
import math
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from email import policy
from email.parser import BytesHeaderParser
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import bare_insert  # bench/, this script's folder, comes first on sys.path
from aiosmtpd.controller import Controller
from queues import database, write_positions
from sqlalchemy import Engine, create_engine, make_url, text

from form_worker.core.queue import consumer_command
from site_builder.clock import today_in_chongqing
from site_builder.model.catalogue import load_catalogue
from site_builder.model.vocab import EDUCATION_LEVELS

ROOT = Path(__file__).resolve().parents[1]
BENCH = Path(__file__).resolve().parent
RATIO_TARGET = 0.5
FLOOR_RATIO_TARGET = 0.8
P99_TARGET_MS = 100.0
DELIVERY_TARGET_S = 60.0
DELIVERY_GIVE_UP_S = 600.0
RECEIVED_SUBJECT = "报名已收到"
STEPS = ("open", "review", "confirm", "done")
TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
REFERENCE = re.compile(r'id="reference">([^<]+)<')
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红娥玲芬燕彬鹏辉宇浩然思雨欣怡子涵"


# --- The client: simulated applicants, run in their own process ---------------------------------


@dataclass
class Reply:
    status: int
    location: str
    text: str
    seconds: float


class Visitor:
    """One person's browser: a cookie jar, and a new connection per request as gunicorn sync closes it."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict[str, str] | None = None) -> Reply:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {}
        body = urlencode(form) if form is not None else None
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        start = time.perf_counter()
        connection = http.client.HTTPConnection(self.host, self.port, timeout=120)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            data = response.read()
        finally:
            connection.close()
        seconds = time.perf_counter() - start
        for header in response.headers.get_all("Set-Cookie") or []:
            jar = SimpleCookie()
            jar.load(header)
            self.cookies.update({name: morsel.value for name, morsel in jar.items()})
        text = data.decode("utf-8", errors="replace")
        return Reply(response.status, response.headers.get("Location", ""), text, seconds)


class StepFailed(Exception):
    pass


@dataclass
class Applicant:
    """One simulated applicant going through the form as a browser would."""

    visitor: Visitor
    answers: dict[str, str]
    token: str = ""
    reference: str = ""
    seconds: dict[str, float] = field(default_factory=dict)
    failure: str = ""

    def _expect(self, step: str, reply: Reply, status: int, pattern: re.Pattern[str] | None) -> str:
        self.seconds[step] = reply.seconds
        found = pattern.search(reply.text) if pattern else None
        if reply.status != status or (pattern and not found):
            snippet = re.sub(r"\s+", " ", reply.text)[:200]
            raise StepFailed(f"{step}: HTTP {reply.status} {reply.location} {snippet}")
        return found.group(1) if found else ""

    def open(self) -> None:
        self.token = self._expect("open", self.visitor.request("GET", "/apply"), 200, TOKEN)

    def review(self) -> None:
        form = self.answers | {"step": "review", "csrf_token": self.token}
        # The check page carries the answers and a token of its own; a browser posts those.
        self.token = self._expect("review", self.visitor.request("POST", "/apply", form), 200, TOKEN)

    def confirm(self) -> None:
        form = self.answers | {"step": "confirm", "csrf_token": self.token}
        reply = self.visitor.request("POST", "/apply", form)
        self._expect("confirm", reply, 303, None)
        if not reply.location.endswith("/apply/done"):
            raise StepFailed(f"confirm: redirected to {reply.location!r}")

    def done(self) -> None:
        self.reference = self._expect("done", self.visitor.request("GET", "/apply/done"), 200, REFERENCE)

    def step(self, name: str) -> None:
        """Run one step unless an earlier one failed; a failure stops this applicant, not the run."""
        if self.failure:
            return
        try:
            getattr(self, name)()
        except (StepFailed, OSError, http.client.HTTPException) as error:
            self.failure = str(error)

    def run(self) -> None:
        for name in STEPS:
            self.step(name)


def answers(number: int, position_id: str, year: int) -> dict[str, str]:
    """A valid, unique set of answers: the phone and email carry the applicant's number."""
    name = SURNAMES[number % len(SURNAMES)] + GIVEN[number * 7 % len(GIVEN)] + GIVEN[number * 13 % len(GIVEN)]
    return {
        "choice1": position_id,
        "name": name,
        "phone": f"139{number:08d}",
        "email": f"bench{number:05d}@example.com",
        "university": "重庆大学",
        "major": "计算机科学与技术",
        "major_group": "工学",
        "degree": "本科",
        "graduation": f"{year}-06",
        "current_status": "应届毕业生",
        "registered": "yes" if number % 4 else "no",
        "statement": "我希望在见习中了解科技服务工作，提高沟通与组织能力。",
        "privacy": "y",
    }


def server_cpu(master: int) -> float:
    """CPU seconds used so far by a gunicorn master and its workers (Linux /proc; NaN elsewhere)."""
    try:
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        ticks = 0
        for pid in [master, *children]:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])  # utime and stime, fields 14 and 15
    except (OSError, ValueError, IndexError):
        return math.nan
    return ticks / os.sysconf("SC_CLK_TCK")


def timed_map(pool: ThreadPoolExecutor, work: Callable, items: list, master: int) -> dict[str, float]:
    """Run work over items; the wall time, and the CPU time the server spent meanwhile."""
    cpu, start = server_cpu(master), time.perf_counter()
    list(pool.map(work, items))
    return {"wall": time.perf_counter() - start, "cpu": server_cpu(master) - cpu}


def load_worker(job: dict) -> dict:
    positions, year = job["positions"], job["year"]
    applicants = [
        Applicant(Visitor(job["host"], job["port"]), answers(i, positions[i % len(positions)], year))
        for i in range(job.get("first", 0), job.get("first", 0) + job["count"])
    ]
    phases: dict[str, dict[str, float]] = {}
    with ThreadPoolExecutor(job["concurrency"]) as pool:
        if job["kind"] == "mixed":
            phases["all"] = timed_map(pool, Applicant.run, applicants, job["server"])
        else:
            for name in STEPS:
                phases[name] = timed_map(pool, lambda a, name=name: a.step(name), applicants, job["server"])
    return {
        "phases": phases,
        "seconds": {name: [a.seconds[name] for a in applicants if name in a.seconds] for name in STEPS},
        "flows": [sum(a.seconds.values()) for a in applicants if not a.failure],
        "failures": [a.failure for a in applicants if a.failure],
    }


def load_bare(job: dict) -> dict:
    positions, year = job["positions"], job["year"]
    forms = [answers(i, positions[i % len(positions)], year) for i in range(job["count"])]
    seconds: list[float] = []
    failures: list[str] = []

    def post(form: dict[str, str]) -> None:
        try:
            reply = Visitor(job["host"], job["port"]).request("POST", "/insert", form)
        except (OSError, http.client.HTTPException) as error:
            failures.append(repr(error))
            return
        seconds.append(reply.seconds)
        if reply.status != 201:
            failures.append(f"insert: HTTP {reply.status}")

    with ThreadPoolExecutor(job["concurrency"]) as pool:
        phase = timed_map(pool, post, forms, job["server"])
    return {"phases": {"insert": phase}, "seconds": {"insert": seconds}, "failures": failures}


def client_main(argv: list[str]) -> None:
    """`bench/apply.py client JSON`: run one load and print its results as JSON on stdout."""
    job = json.loads(argv[0])
    result = load_bare(job) if job["kind"] == "bare" else load_worker(job)
    json.dump(result, sys.stdout)


# --- The servers: SMTP, gunicorn, the consumer ----------------------------------------------------


@dataclass(frozen=True)
class Mail:
    message_id: str
    subject: str
    recipients: tuple[str, ...]


class Inbox:
    """aiosmtpd handler that keeps the headers that identify each message; reads them only."""

    def __init__(self) -> None:
        self.mails: list[Mail] = []
        self.last_at = 0.0

    async def handle_DATA(self, server: object, session: object, envelope) -> str:  # noqa: N802
        content = envelope.original_content or envelope.content
        headers = BytesHeaderParser(policy=policy.default).parsebytes(content)
        self.mails.append(Mail(str(headers["Message-ID"]), str(headers["Subject"]), tuple(envelope.rcpt_tos)))
        self.last_at = time.perf_counter()
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


@contextmanager
def child(command: list[str], env: dict[str, str], log: Path, stop: int) -> Iterator[subprocess.Popen]:
    """A server process, logging to a file, stopped with the given signal (then killed after 30 s)."""
    with log.open("ab") as output:
        process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT)
    try:
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(stop)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                print(f"  {command[2]} did not stop within 30 s; killed")
                process.kill()
                process.wait()


def gunicorn(app: str, port: int, env: dict[str, str], log: Path, *extra: str):
    # No control socket: its default path is shared by every gunicorn of this user on the machine.
    command = [sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}", "--no-control-socket"]
    command += [*extra, app]
    return child(command, env, log, signal.SIGTERM)


def wait_until_serving(port: int, path: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server exited with {process.returncode}; see {log}")
        try:
            reply = Visitor("127.0.0.1", port).request("GET", path)
        except OSError:
            time.sleep(0.2)
            continue
        if reply.status < 500:
            return
        time.sleep(0.2)
    raise SystemExit(f"nothing answered on port {port} within 60 s; see {log}")


def warm_up(port: int, positions: list[str], year: int) -> None:
    """Let both workers load the catalogue and compile their templates before anything is timed."""

    def visit(number: int) -> None:
        applicant = Applicant(Visitor("127.0.0.1", port), answers(900_000 + number, positions[0], year))
        applicant.step("open")
        applicant.step("review")
        if applicant.failure:
            raise SystemExit(f"warm-up failed: {applicant.failure}")

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(visit, range(16)))


def run_client(job: dict) -> dict:
    command = [sys.executable, str(Path(__file__).resolve()), "client", json.dumps(job)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"the client process failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout)


# --- Figures --------------------------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile; NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:7.1f} ms"


def describe(label: str, values: list[float]) -> str:
    return (
        f"  {label:<28} p50 {ms(percentile(values, 50))}   p99 {ms(percentile(values, 99))}"
        f"   max {ms(max(values, default=math.nan))}"
    )


def count(url: str, query: str) -> int:
    """One number from the instance's database (SQLite or PostgreSQL), read apart from the servers."""
    with _engine(url).connect() as connection:
        return connection.execute(text(query)).scalar_one()


def references(url: str) -> set[str]:
    with _engine(url).connect() as connection:
        return set(connection.execute(text("SELECT reference FROM application")).scalars())


@functools.cache
def _engine(url: str) -> Engine:
    return create_engine(url)


def wait_for_delivery(database: str, consumer: subprocess.Popen) -> float | None:
    """Seconds until no email is pending or sending and no application is unchecked; None on give-up."""
    start = time.perf_counter()
    while time.perf_counter() - start < DELIVERY_GIVE_UP_S:
        if consumer.poll() is not None:
            print(f"  the consumer exited with {consumer.returncode}")
            return None
        waiting = count(database, "SELECT count(*) FROM outbox WHERE status IN ('pending', 'sending')")
        unchecked = count(
            database, "SELECT count(*) FROM application WHERE state = 'submitted' AND flag IS NULL"
        )
        if waiting == 0 and unchecked == 0:
            return time.perf_counter() - start
        time.sleep(0.1)
    return None


def eligible_positions(today: dt.date, root: Path = ROOT) -> list[str]:
    """Open 科技见习 positions of the catalogue at root a 本科 graduate of this year may choose today."""
    levels = list(EDUCATION_LEVELS)
    catalogue = load_catalogue(root)
    return [
        entry.id
        for entry in catalogue.positions
        if entry.position.state(today) == "open"
        and entry.position.track == "科技见习"
        and levels.index(entry.position.education) <= levels.index("本科")
    ]


def instance_env(target: Path, smtp_port: int, year: int, url: str, root: Path) -> dict[str, str]:
    """The worker's settings for the temporary instance, over this process's environment."""
    return os.environ | {
        "INSTANCE_PATH": str(target / "instance"),
        "DATABASE_URL": url,
        "HUEY_URL": f"sqlite:///{target / 'huey.sqlite3'}",
        "MAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
        "SECRET_KEY": "bench-apply",
        "POSITIONS_ROOT": str(root),
        "PROGRAMME_YEAR": str(year),
        "RATELIMIT_STORAGE_URI": "memory://",
        "RATELIMIT_POST": "1000000 per minute",
        "RATELIMIT_APPLY_STEPS": "1000000 per minute",
    }


def measure_worker(app: str, env: dict[str, str], job: dict, log: Path) -> dict:
    port = free_port()
    with gunicorn(app, port, env, log, "--pythonpath", str(BENCH)) as server:
        wait_until_serving(port, "/apply", server, log)
        warm_up(port, job["positions"], job["year"])
        return run_client(job | {"port": port, "server": server.pid})


def measure_bare(env: dict[str, str], job: dict, target: Path) -> dict:
    port, log = free_port(), target / "gunicorn-bare.log"
    env = env | {"BARE_DB": str(target / "bare.sqlite3")}
    bare_insert.create(env["BARE_DB"])
    with gunicorn("bare_insert:app", port, env, log, "--pythonpath", str(BENCH)) as server:
        wait_until_serving(port, "/insert", server, log)
        return run_client(job | {"port": port, "server": server.pid, "kind": "bare"})


@dataclass(frozen=True)
class Delivery:
    seconds: float | None  # until nothing was left to send; None: gave up
    last_mail: float  # seconds from the consumer's start to the last message the SMTP server got
    cpu: float  # CPU seconds the consumer used
    tasks: dict[str, int]  # tasks the consumer ran, by name, from its log


def deliver(env: dict[str, str], database: str, inbox: Inbox, log: Path) -> Delivery:
    """Run the real consumer until the outbox is empty, then stop it with SIGINT."""
    started = time.perf_counter()
    with child(consumer_command(4), env, log, signal.SIGINT) as consumer:
        seconds = wait_for_delivery(database, consumer)
        cpu = server_cpu(consumer.pid)
    ran = re.findall(
        r"Executing form_worker\.tasks\.(\w+)", log.read_text(encoding="utf-8", errors="replace")
    )
    tasks = {name: ran.count(name) for name in sorted(set(ran))}
    return Delivery(seconds, inbox.last_at - started if inbox.mails else math.nan, cpu, tasks)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applications", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--mixed", action="store_true", help="each applicant's requests back to back")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder and logs")
    parser.add_argument("--load-only", action="store_true", help="steps 1 and 2 only: no mail delivery")
    parser.add_argument(
        "--worker-app", default="form_worker:create_app()", help="gunicorn app spec, to try a variant"
    )
    parser.add_argument(
        "--positions", type=int, default=0, help="N synthetic positions, not the repository's"
    )
    parser.add_argument("--database-url", help="a PostgreSQL database to make a schema in (default SQLite)")
    parser.add_argument("--floor", action="store_true", help="against form_floor in rounds; no mail")
    parser.add_argument("--rounds", type=int, default=6, help="rounds of each with --floor")
    args = parser.parse_args()
    n = args.applications

    today = today_in_chongqing()
    target = Path(tempfile.mkdtemp(prefix="jianxi-bench-apply-"))
    root = ROOT
    if args.positions:
        root = target / "catalogue"
        print(f"{len(write_positions(root, args.positions))} synthetic positions")
    positions = eligible_positions(today, root)
    if not positions:
        raise SystemExit(f"no open 科技见习 position for 本科 graduates on {today} in {root / 'positions'}")
    print(f"{n} applications at concurrency {args.concurrency}, {len(positions)} open to them, {today}")
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} before the run; instance {target}\n")
    job = {
        "host": "127.0.0.1",
        "count": n,
        "concurrency": args.concurrency,
        "positions": positions,
        "year": today.year,
        "kind": "mixed" if args.mixed else "phased",
    }
    try:
        with database(args.database_url, target) as url, smtp_server() as (inbox, smtp_port):
            print(f"catalogue {root}, database {make_url(url).get_backend_name()}")
            env = instance_env(target, smtp_port, today.year, url, root)
            jianxi = Path(sys.executable).parent / "jianxi"
            subprocess.run([jianxi, "db", "upgrade"], env=env, cwd=ROOT, check=True, capture_output=True)
            if args.floor:
                against_floor(args.worker_app, env, job, target, args.rounds)
                print(f"application rows {count(url, 'SELECT count(*) FROM application')}")
                return
            worker = measure_worker(args.worker_app, env, job, target / "gunicorn-worker.log")
            bare = measure_bare(env, job, target)
            rows = count(url, "SELECT count(*) FROM application")
            print_load(worker, bare, n)
            if args.load_only:
                print_targets(worker, bare, n, [])
                return
            print("\nDelivering mail: huey_consumer -k thread -w 4")
            delivery = deliver(env, url, inbox, target / "consumer.log")
            mails = list(inbox.mails)
            summarise(worker, bare, rows, n, references(url), mails, delivery, url)
        print(f"load average {os.getloadavg()[0]:.2f} after the run")
    finally:
        _engine.cache_clear()
        if args.keep:
            print(f"\nkept {target}")
        else:
            shutil.rmtree(target, ignore_errors=True)


def against_floor(app: str, env: dict[str, str], job: dict, target: Path, rounds: int) -> None:
    """The worker and form_floor served side by side on one instance and measured in alternating
    rounds (worker first in even rounds), so that both meet the same load on the machine."""
    names = {"worker": app, "floor": "form_floor:create()"}
    ports = {name: free_port() for name in names}
    each = job["count"] // rounds
    results: dict[str, list[dict]] = {name: [] for name in names}
    with ExitStack() as stack:
        servers = {}
        for name, spec in names.items():
            log = target / f"gunicorn-{name}.log"
            server = gunicorn(spec, ports[name], env, log, "--pythonpath", str(BENCH))
            servers[name] = stack.enter_context(server)
            wait_until_serving(ports[name], "/apply", servers[name], log)
            warm_up(ports[name], job["positions"], job["year"])
        for number in range(rounds):
            for name in ("worker", "floor") if number % 2 == 0 else ("floor", "worker"):
                first = (2 * number + (name == "floor")) * each
                run = job | {"port": ports[name], "server": servers[name].pid, "count": each, "first": first}
                results[name].append(run_client(run))
    print_floor(results, each)


def print_floor(results: dict[str, list[dict]], each: int) -> None:
    """Per round: confirm POSTs/s and server CPU per confirm of both; the median of the rounds' ratios."""
    rates = {name: [each / r["phases"]["confirm"]["wall"] for r in runs] for name, runs in results.items()}
    cpu = {
        name: [r["phases"]["confirm"]["cpu"] * 1000 / each for r in runs] for name, runs in results.items()
    }
    print(f"{'round':<6} {'worker /s':>10} {'floor /s':>10} {'ratio':>6} {'worker CPU':>11} {'floor CPU':>9}")
    ratios = []
    for number, (worker, floor) in enumerate(zip(rates["worker"], rates["floor"], strict=True)):
        ratios.append(worker / floor)
        print(
            f"{number:<6} {worker:>10.1f} {floor:>10.1f} {ratios[-1]:>6.2f}"
            f" {cpu['worker'][number]:>8.1f} ms {cpu['floor'][number]:>7.1f} ms"
        )
    for name, runs in results.items():
        failures = [f for r in runs for f in r["failures"]]
        if failures:
            print(f"{name}: {len(failures)} applicants failed; first: {failures[0]}")
        print(describe(f"{name} confirm (POST)", [s for r in runs for s in r["seconds"]["confirm"]]))
    ratio = statistics.median(ratios)
    print(
        f"\nmedian confirm CPU: worker {statistics.median(cpu['worker']):.1f} ms,"
        f" floor {statistics.median(cpu['floor']):.1f} ms; load average {os.getloadavg()[0]:.2f}"
    )
    verdict = "PASS" if ratio >= FLOOR_RATIO_TARGET else "MISS"
    print(
        f"confirm POST rate ÷ the floor's, median of rounds: {ratio:.2f} (>= {FLOOR_RATIO_TARGET}): {verdict}"
    )


def print_load(worker: dict, bare: dict, n: int) -> None:
    phases = worker["phases"]
    wall = sum(p["wall"] for p in phases.values())
    cpu = sum(p["cpu"] for p in phases.values())
    requests = sum(len(v) for v in worker["seconds"].values())
    print("Worker (gunicorn -w 2, no consumer running)")
    if worker["failures"]:
        print(f"  {len(worker['failures'])} applicants failed; first: {worker['failures'][0]}")
    print(
        f"  {n} applications in {wall:.1f} s: {n / wall:.1f} applications/s, {requests / wall:.1f} requests/s"
    )
    print(f"  server CPU {cpu:.1f} s: {cpu / n * 1000:.1f} ms per application")
    for name, phase in phases.items():
        if name != "all":
            print(
                f"  {name:<8} step: {n / phase['wall']:7.1f} requests/s,"
                f" server CPU {phase['cpu'] / n * 1000:5.1f} ms per request"
            )
    for name in STEPS:
        print(describe(f"{name} ({'GET' if name in ('open', 'done') else 'POST'})", worker["seconds"][name]))
    print(describe("whole flow (sum of 4)", worker["flows"]))
    phase = bare["phases"]["insert"]
    print("\nBare Flask insert (gunicorn -w 2)")
    if bare["failures"]:
        print(f"  {len(bare['failures'])} inserts failed; first: {bare['failures'][0]}")
    print(
        f"  {n} inserts in {phase['wall']:.1f} s: {n / phase['wall']:.1f} requests/s,"
        f" server CPU {phase['cpu'] / n * 1000:.1f} ms per request"
    )
    print(describe("insert (POST)", bare["seconds"]["insert"]))


def confirm_rate(worker: dict, n: int) -> float:
    phases = worker["phases"]
    return n / phases["confirm"]["wall"] if "confirm" in phases else n / phases["all"]["wall"]


def summarise(
    worker: dict,
    bare: dict,
    rows: int,
    n: int,
    expected: set[str],
    mails: list[Mail],
    delivery: Delivery,
    database: str,
) -> None:
    received = [m for m in mails if m.subject.startswith(RECEIVED_SUBJECT)]
    got: dict[str, int] = {}
    for mail in received:
        reference = re.search(r"JX\d{4}-\d{6}", mail.subject)
        key = reference.group(0) if reference else mail.subject
        got[key] = got.get(key, 0) + 1
    lost = len(expected - set(got))
    doubled = sum(c - 1 for c in got.values()) + (len(mails) - len({m.message_id for m in mails}))
    failed = count(database, "SELECT count(*) FROM outbox WHERE status = 'failed'")
    outbox_rows = count(database, "SELECT count(*) FROM outbox")
    seconds = delivery.seconds
    delivered = "gave up" if seconds is None else f"{seconds:.1f} s"
    print(f"  outbox rows {outbox_rows}, failed {failed}; all sent after {delivered}")
    print(
        f"  SMTP server received {len(mails)} messages, the last {delivery.last_mail:.1f} s after the start"
    )
    if seconds:
        print(f"  {len(mails) / seconds:.1f} messages/s", end="; ")
    print(f"consumer CPU {delivery.cpu:.1f} s, {delivery.cpu / max(len(mails), 1) * 1000:.1f} ms per message")
    print("  tasks run: " + ", ".join(f"{name} {number}" for name, number in delivery.tasks.items()))
    print(f"  application rows {rows} (expected {n});", end=" ")
    print(f"applicant receipts {len(received)} for {len(got)} references")

    delivered_ok = seconds is not None and seconds <= DELIVERY_TARGET_S
    print_targets(
        worker,
        bare,
        n,
        [
            ("all mail delivered", delivered, f"<= {DELIVERY_TARGET_S:.0f} s", delivered_ok),
            ("application rows", str(rows), str(n), rows == n and not worker["failures"]),
            ("applicant receipts lost", str(lost), "0", lost == 0),
            ("emails duplicated", str(doubled), "0", doubled == 0),
        ],
    )


def print_targets(worker: dict, bare: dict, n: int, more: list[tuple[str, str, str, bool]]) -> None:
    """The PASS/MISS table: the two load targets, then the caller's delivery figures."""
    rate = confirm_rate(worker, n)
    bare_rate = n / bare["phases"]["insert"]["wall"]
    ratio = rate / bare_rate
    p99 = percentile(worker["seconds"]["confirm"], 99) * 1000
    what = "applications/s (one confirm POST each)" if "all" in worker["phases"] else "confirm POSTs/s"
    print(f"\nRatio compared: worker {what} {rate:.1f} ÷ bare insert POSTs/s {bare_rate:.1f}")
    lines = [
        ("confirm POST rate ÷ bare insert rate", f"{ratio:.2f}", f">= {RATIO_TARGET}", ratio >= RATIO_TARGET),
        ("confirm POST p99 latency", f"{p99:.0f} ms", f"<= {P99_TARGET_MS:.0f} ms", p99 <= P99_TARGET_MS),
        *more,
    ]
    print(f"\n{'quantity':<40} {'value':>10}  {'target':<10} result")
    for label, value, goal, ok in lines:
        print(f"{label:<40} {value:>10}  {goal:<10} {'PASS' if ok else 'MISS'}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["client"]:
        client_main(sys.argv[2:])
    else:
        main()
