"""Fixtures for the worker: an app on a temporary database and queue, for every backend present.

`backend` runs each worker test twice: on SQLite + SqliteHuey, and on PostgreSQL + RedisHuey
(127.0.0.1:5432 database `test`, 127.0.0.1:6379). A service that does not answer skips its half
with the reason; on CI machines both answer.
"""

import datetime as dt
import email
import email.policy
import re
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from flask import Flask
from sqlalchemy import create_engine, text

from form_worker import create_app
from form_worker.accounts.models import StaffUser
from form_worker.accounts.services import create_staff
from form_worker.applications import services as applications
from form_worker.core import db, queue
from tests.conftest import ROOT, TODAY, make_git_project

POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
REDIS_URL = "redis://127.0.0.1:6379/0"


def answers(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def sqlite_urls(folder: Path) -> dict[str, str]:
    """DATABASE_URL and HUEY_URL of SQLite files in `folder`."""
    return {
        "DATABASE_URL": f"sqlite:///{folder / 'jianxi.sqlite3'}",
        "HUEY_URL": f"sqlite:///{folder / 'huey.sqlite3'}",
    }


@contextmanager
def postgres_schema(prefix: str = "test") -> Iterator[str]:
    """The DATABASE_URL of a new PostgreSQL schema (through search_path), dropped afterwards.

    Skips the test when PostgreSQL or Redis does not answer: the worker uses them only together.
    """
    if not (answers(5432) and answers(6379)):
        pytest.skip("PostgreSQL on 127.0.0.1:5432 or Redis on 127.0.0.1:6379 is not running")
    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        yield f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest, tmp_path: Path):
    """DATABASE_URL and HUEY_URL of one backend pair, empty for this test.

    On PostgreSQL each test gets its own schema, so runs never share tables.
    """
    if request.param == "sqlite":
        yield sqlite_urls(tmp_path)
        return
    with postgres_schema() as database_url:
        yield {"DATABASE_URL": database_url, "HUEY_URL": REDIS_URL}


def app_config(backend: dict[str, str], tmp_path: Path, **overrides: object) -> dict[str, object]:
    """The worker's settings under test: files in tmp_path, today pinned, no rate limits."""
    return {
        "TESTING": True,
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "SECRET_KEY": "test",
        "MAIL_URL": f"folder://{tmp_path / 'outbox'}",
        "MAIL_FROM": "见习计划 <noreply@jianxi.test>",
        "POSITIONS_ROOT": str(ROOT),
        "SITE_DIR": str(tmp_path / "site"),
        "CLOCK": lambda: TODAY,
        "RATELIMIT_ENABLED": False,
        **backend,
        **overrides,
    }


@contextmanager
def worker_app(config: dict[str, object]) -> Iterator[Flask]:
    """The worker on `config`, its database migrated and a queue of its own; emptied afterwards."""
    app = create_app(config)
    queue.use(config["HUEY_URL"], name=f"jianxi-test-{uuid.uuid4().hex[:8]}")
    db.upgrade(config["DATABASE_URL"])
    try:
        yield app
    finally:
        queue.huey.flush()
        db.sessions(app).kw["bind"].dispose()


@pytest.fixture
def app(backend: dict[str, str], tmp_path: Path):
    with worker_app(app_config(backend, tmp_path)) as app:
        yield app


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A git working copy of the site configuration and the sample positions."""
    return make_git_project(tmp_path / "repo")


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def session(app):
    with db.sessions(app)() as session:
        yield session


def drain(app, limit: int = 1000) -> list[object]:
    """Run every task waiting in the queue in this process, as a consumer would; return results."""
    results = []
    with app.app_context():
        for _ in range(limit):
            task = queue.huey.dequeue()
            if task is None:
                return results
            results.append(queue.huey.execute(task))
    raise AssertionError("the queue did not empty")


def csrf_token(html: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


OPEN_POSITION = "shili-youth-scitech-society/academic-conference-assistant"


# Who the sample applicant is, alike on the form and in the database.
SAMPLE_APPLICANT = {
    "name": "陈示例",
    "phone": "13800001234",
    "email": "chen@example.com",
    "university": "重庆大学",
    "major": "计算机科学与技术",
    "degree": "本科",
}


def answers_for(**overrides: str) -> dict[str, str]:
    """A complete, valid set of application answers for an open 科技见习 position."""
    return {
        "choice1": OPEN_POSITION,
        **SAMPLE_APPLICANT,
        "graduation": f"{TODAY.year}-06",
        "current_status": "应届毕业生",
        "statement": "我希望参与学术活动的组织。",
        "privacy": "y",
        **overrides,
    }


class Applicant:
    """Drives the form like a browser: fetch the page for a token, post review, then confirm."""

    def __init__(self, client) -> None:
        self.client = client

    def post(self, step: str, **overrides: str):
        token = csrf_token(self.client.get("/apply").text)
        return self.client.post("/apply", data=answers_for(**overrides) | {"step": step, "csrf_token": token})

    def submit(self, **overrides: str) -> str:
        """Submit a valid application and return its reference number."""
        return followed_reference(self.client, self.post("confirm", **overrides))


def followed_reference(client, response) -> str:
    """Follow a form's redirect to its confirmation page; return the reference number shown there."""
    assert response.status_code == 303, response.text
    done = client.get(response.headers["Location"]).text
    return re.search(r'id="reference">([^<]+)<', done).group(1)


@pytest.fixture
def applicant(client) -> Applicant:
    return Applicant(client)


def recorded_application(app: Flask, session, **fields: object) -> applications.Received:
    """An application for OPEN_POSITION recorded as the form records it; no queued task has run.

    `fields` replace the applicant's answers (SAMPLE_APPLICANT, a graduate of this year).
    """
    given = applications.Applicant(
        **{
            **SAMPLE_APPLICANT,
            "graduation": dt.date(TODAY.year, 6, 1),
            "current_status": "应届毕业生",
            "society_post": False,
            "society_post_detail": "",
            "volunteering": False,
            "volunteering_detail": "",
            "priority_consent": False,
            "priority_groups": [],
            "statement": "",
            **fields,
        }
    )
    positions = app.extensions["jianxi.positions"].get()
    return applications.submit(
        session, given, [OPEN_POSITION], positions, app.config["PROGRAMME_YEAR"], app.config["MAIL_FROM"]
    )


PASSWORD = "correct-horse-battery"  # every staff account's, in every test


class StaffClient:
    """A test client that logs in as a staff member and posts with a fresh CSRF token."""

    def __init__(self, client) -> None:
        self.client = client

    def token(self) -> str:
        return csrf_token(self.client.get("/staff/login").text)

    def login(self, username: str, password: str = PASSWORD):
        return self.client.post(
            "/staff/login", data={"username": username, "password": password, "csrf_token": self.token()}
        )

    def get(self, path: str, **kwargs):
        return self.client.get(path, **kwargs)

    def post(self, path: str, data: dict[str, str] | None = None, **kwargs):
        return self.client.post(path, data={"csrf_token": self.token(), **(data or {})}, **kwargs)


def make_accounts(session) -> dict[str, StaffUser]:
    """An admin and a reviewer, both with PASSWORD."""
    return {
        "admin": create_staff(session, "admin", "管理员甲", PASSWORD, "admin", "admin@jianxi.test"),
        "reviewer": create_staff(session, "reviewer", "审核员乙", PASSWORD, "reviewer"),
    }


def logged_in(client, username: str) -> StaffClient:
    staff_client = StaffClient(client)
    assert staff_client.login(username).status_code == 302
    return staff_client


@pytest.fixture
def accounts(session) -> dict[str, StaffUser]:
    return make_accounts(session)


@pytest.fixture
def staff_client(client, accounts) -> StaffClient:
    return StaffClient(client)


@pytest.fixture
def reviewer(staff_client: StaffClient) -> StaffClient:
    assert staff_client.login("reviewer").status_code == 302
    return staff_client


@pytest.fixture
def admin(staff_client: StaffClient) -> StaffClient:
    assert staff_client.login("admin").status_code == 302
    return staff_client


def free_port() -> int:
    """A TCP port nothing listens on right now (aiosmtpd's Controller cannot take port 0)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Mailbox:
    """An aiosmtpd handler that keeps every message it accepts and refuses when told to.

    `busy` answers 451 to that many attempts, then accepts; `reject` answers 550 to all. `stage` is
    the SMTP command that refuses: "RCPT" or "DATA".
    """

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.recipients: list[list[str]] = []  # each message's envelope recipients, in step
        self.refusals = 0
        self.busy = 0
        self.reject = False
        self.stage = "DATA"

    def _refusal(self, stage: str) -> str | None:
        if stage != self.stage:
            return None
        if self.reject:
            self.refusals += 1
            return "550 5.1.1 no such user"
        if self.busy > 0:
            self.busy -= 1
            self.refusals += 1
            return "451 4.3.0 try again later"
        return None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options) -> str:
        if refusal := self._refusal("RCPT"):
            return refusal
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:
        if refusal := self._refusal("DATA"):
            return refusal
        self.recipients.append(list(envelope.rcpt_tos))
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 Message accepted for delivery"

    def with_id(self, message_id: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["Message-ID"] == message_id]


class SmtpServer:
    def __init__(self, mailbox: Mailbox, port: int) -> None:
        self.mailbox, self.port = mailbox, port
        self.url = f"smtp://127.0.0.1:{port}"


@pytest.fixture
def smtp_server():
    """A real SMTP server on 127.0.0.1 for one test; its `mailbox` holds what arrived."""
    mailbox = Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield SmtpServer(mailbox, port)
    finally:
        controller.stop()
