"""Fixtures for the worker: an app on a temporary database and queue.

Most worker tests run once, on SQLite + SqliteHuey. A test whose behaviour depends on the backend
(claims and races, transactions, the queue, locking, migrations) is marked `@pytest.mark.backend`
and runs twice: on SQLite + SqliteHuey, and on PostgreSQL + RedisHuey (127.0.0.1:5432 database
`test`, 127.0.0.1:6379). A service that does not answer skips its half with the reason; with `CI`
set it fails the test instead, since on CI machines both must answer.

The migrations run once per session (per xdist worker) and backend: into a template SQLite file
that each test gets a copy of, and into one PostgreSQL schema that is emptied before each test.
"""

import atexit
import datetime as dt
import functools
import os
import re
import shutil
import socket
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import redis
from flask import Flask
from jinja2.bccache import Bucket, BytecodeCache
from sqlalchemy import Engine, MetaData, create_engine, text

from form_worker import create_app
from form_worker.accounts.models import Account
from form_worker.accounts.services import create_account
from form_worker.applications.intake import services as intake
from form_worker.catalogue.positions import PositionSource
from form_worker.core import db, queue
from form_worker.publishing import git as publish_git
from tests.conftest import ROOT, TODAY, make_git_project, skip_or_fail

POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
# The worker tests' queues are told apart by name (worker_app gives each its own, unique to the
# run, not only to the xdist worker). A test whose consumers use the production queue name takes a
# whole Redis database instead (redis_database), so two suites on one machine never share a queue.
REDIS_URL = "redis://127.0.0.1:6379/0"
# Databases redis_database hands out: not 0 (the named queues) and not 15, which checkouts from
# before redis_database used for the crash test unclaimed and may still be running on this machine.
SPARE_REDIS_DATABASES = range(1, 15)
# How long a claim on one outlives a test that died holding it: longer than any test takes with it.
CLAIM_SECONDS = 600
BACKENDS = ("sqlite", "postgresql")
# The xdist worker running this process ("gw0", "gw1", ...), or "main" without xdist.
XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Run a test on every backend if it is marked `backend`, else on SQLite only."""
    if "backend_name" in metafunc.fixturenames:
        names = BACKENDS if metafunc.definition.get_closest_marker("backend") else BACKENDS[:1]
        metafunc.parametrize("backend_name", names, indirect=True)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A `backend` mark on a test that never chooses a backend would claim coverage it lacks."""
    for item in items:
        fixtures = getattr(item, "fixturenames", ())
        if item.get_closest_marker("backend") and "backend_name" not in fixtures:
            raise pytest.UsageError(f"{item.nodeid} is marked backend but uses no backend fixture")


def answers(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def require_services() -> None:
    """Skip the test when PostgreSQL or Redis does not answer (fail it with CI set).

    The worker uses them only together, so either missing stops the PostgreSQL half.
    """
    services = (("PostgreSQL", 5432), ("Redis", 6379))
    missing = [f"{name} on 127.0.0.1:{port}" for name, port in services if not answers(port)]
    if missing:
        skip_or_fail(f"{' and '.join(missing)} not answering; the PostgreSQL half needs both")


def sqlite_urls(folder: Path) -> dict[str, str]:
    """DATABASE_URL and HUEY_URL of SQLite files in `folder`."""
    return {
        "DATABASE_URL": f"sqlite:///{folder / 'jianxi.sqlite3'}",
        "HUEY_URL": f"sqlite:///{folder / 'huey.sqlite3'}",
    }


# Databases known to be at the newest schema: the session's PostgreSQL schema and SQLite copies.
MIGRATED: set[str] = set()


@functools.cache
def sqlite_template() -> Path:
    """A SQLite file that `jianxi db upgrade` brought to the newest schema, once per session."""
    folder = Path(tempfile.mkdtemp(prefix=f"jianxi-schema-{XDIST_WORKER}-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    path = folder / "jianxi.sqlite3"
    db.upgrade(f"sqlite:///{path}")
    # WAL is folded back into the file when the last connection closes: the file is the database.
    assert not Path(f"{path}-wal").exists()
    return path


def migrate(url: str) -> None:
    """Bring the database at url to the newest schema, as `jianxi db upgrade` does.

    A SQLite file that does not exist yet becomes a copy of sqlite_template(), which is what the
    migrations would make of it; a database migrated already this session is left as it is.
    """
    if url in MIGRATED:
        return
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(sqlite_template(), path)
            MIGRATED.add(url)
            return
    db.upgrade(url)


@contextmanager
def postgres_schema(prefix: str = "test") -> Iterator[str]:
    """The DATABASE_URL of a new, empty PostgreSQL schema (through search_path), dropped afterwards.

    Skips the test when PostgreSQL or Redis does not answer (fails it with CI set).
    """
    require_services()
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


@contextmanager
def redis_database() -> Iterator[str]:
    """The URL of a Redis database no other test (of this run or another) uses until this ends.

    Claimed with SET NX on a key in database 0, which expires in case this process dies holding it;
    the database is emptied before and after use. Skips as postgres_schema does.
    """
    require_services()
    client = redis.Redis.from_url(REDIS_URL)
    token = uuid.uuid4().hex
    try:
        for number in SPARE_REDIS_DATABASES:
            claim = f"jianxi-test:redis-database:{number}"
            if client.set(claim, token, nx=True, ex=CLAIM_SECONDS):
                break
        else:
            raise AssertionError(f"every Redis database {SPARE_REDIS_DATABASES} is claimed by another test")
        url = f"redis://127.0.0.1:6379/{number}"
        database = redis.Redis.from_url(url)
        try:
            database.flushdb()
            yield url
        finally:
            database.flushdb()
            database.close()
            # Released only if still ours: after expiry another test may hold it.
            if client.get(claim) == token.encode():
                client.delete(claim)
    finally:
        client.close()


class PostgresDatabase:
    """One migrated schema for this session's worker tests, emptied before each one."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine: Engine = create_engine(url)
        tables = MetaData()
        with self.engine.connect() as connection:
            tables.reflect(connection)
            sequences = connection.scalars(
                text("SELECT sequencename FROM pg_sequences WHERE schemaname = current_schema()")
            ).all()
        # Back to what the migrations left: no rows (children first, for the foreign keys) and every
        # id sequence at 1. DELETE and RESTART take a few ms where TRUNCATE takes some 50.
        children_first = [t.name for t in reversed(tables.sorted_tables) if t.name != "alembic_version"]
        rows = [f"DELETE FROM {name}" for name in children_first]
        self.statements = ";".join(rows + [f"ALTER SEQUENCE {name} RESTART" for name in sequences])

    def empty(self) -> None:
        with self.engine.begin() as connection:
            # A transaction a test left open would block the deletes: fail rather than hang.
            connection.exec_driver_sql("SET LOCAL lock_timeout = '10s'")
            connection.exec_driver_sql(self.statements)


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[PostgresDatabase]:
    """The session's PostgreSQL schema, migrated once by `jianxi db upgrade`."""
    with postgres_schema(f"test_{XDIST_WORKER}") as url:
        db.upgrade(url)
        MIGRATED.add(url)
        database = PostgresDatabase(url)
        try:
            yield database
        finally:
            database.engine.dispose()


@pytest.fixture
def backend_name(request: pytest.FixtureRequest) -> str:
    """Which backend pair this test runs on (sqlite, postgresql): pytest_generate_tests chooses."""
    return request.param


@pytest.fixture
def backend(request: pytest.FixtureRequest, backend_name: str, tmp_path: Path) -> dict[str, str]:
    """DATABASE_URL and HUEY_URL of one backend pair, migrated and empty for this test.

    On SQLite each test has its own files; on PostgreSQL the session's schema, emptied first.
    """
    if backend_name == "sqlite":
        urls = sqlite_urls(tmp_path)
        migrate(urls["DATABASE_URL"])
        return urls
    database: PostgresDatabase = request.getfixturevalue("postgres_database")
    database.empty()
    return {"DATABASE_URL": database.url, "HUEY_URL": REDIS_URL}


@pytest.fixture
def empty_backend(backend_name: str, tmp_path: Path) -> Iterator[dict[str, str]]:
    """Like `backend`, but a database no migration has touched yet."""
    if backend_name == "sqlite":
        yield sqlite_urls(tmp_path / "empty")
        return
    with postgres_schema("migrate") as database_url:
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
        # One PBKDF2 round instead of scrypt's 70 ms a hash: every account and login under test would
        # pay it. test_sessions keeps one test on the real default.
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1",
        **backend,
        **overrides,
    }


@functools.cache
def sample_positions() -> PositionSource:
    """The repository's positions, read once per session for every app that offers them.

    Nothing writes under ROOT/positions (tests that publish work on a copy), so each app would
    only read the same files again; a PositionSource still rereads them if they change.
    """
    source = PositionSource(ROOT)
    source.get()
    return source


class SessionTemplateCache(BytecodeCache):
    """Compiled templates, kept in memory for every app this session creates.

    Each app has a Jinja environment of its own, which parses and compiles each template again on
    first use: some 0.2 s of every test that renders pages. The apps' environments are alike (one
    create_app), and Jinja checks each entry against its template's source, so one app may use
    another's compiled code.
    """

    def __init__(self) -> None:
        self.code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        if bucket.key in self.code:
            bucket.bytecode_from_string(self.code[bucket.key])

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.code[bucket.key] = bucket.bytecode_to_string()


TEMPLATE_CACHE = SessionTemplateCache()


@contextmanager
def worker_app(config: dict[str, object]) -> Iterator[Flask]:
    """The worker on `config`, its database migrated and a queue of its own; emptied afterwards."""
    app = create_app(config)
    app.jinja_env.bytecode_cache = TEMPLATE_CACHE
    if Path(app.config["POSITIONS_ROOT"]) == ROOT:
        app.extensions["jianxi.positions"] = sample_positions()
    queue.use(config["HUEY_URL"], name=f"jianxi-test-{XDIST_WORKER}-{uuid.uuid4().hex[:8]}")
    migrate(config["DATABASE_URL"])
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


def next_task():
    """The task at the head of the queue, or None when it is empty.

    Looks before it takes: RedisHuey's dequeue waits up to a second for a task to arrive, as a
    consumer should, but the test has queued all it will, so an empty queue is the end of it.
    """
    return queue.huey.dequeue() if queue.huey.pending_count() else None


def drain(app, limit: int = 1000) -> list[object]:
    """Run every task waiting in the queue in this process, as a consumer would; return results."""
    results = []
    with app.app_context():
        for _ in range(limit):
            task = next_task()
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
    "major_group": "工学",
    "degree": "本科",
}


def answers_for(**overrides: str) -> dict[str, str]:
    """A complete, valid set of application answers for an open 科技见习 position."""
    return {
        "choice1": OPEN_POSITION,
        **SAMPLE_APPLICANT,
        "graduation": f"{TODAY.year}-06",
        "current_status": "应届毕业生",
        "registered": "yes",
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


def recorded_application(
    app: Flask, session, position_ids: list[str] | None = None, **fields: object
) -> intake.Received:
    """An application for OPEN_POSITION (or `position_ids`) recorded as the form records it; no
    queued task has run. `fields` replace the applicant's answers (SAMPLE_APPLICANT, a graduate of
    this year)."""
    given = intake.Applicant(
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
    return intake.submit(
        session,
        given,
        position_ids or [OPEN_POSITION],
        positions,
        app.config["PROGRAMME_YEAR"],
        app.config["MAIL_FROM"],
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


def make_accounts(app: Flask, session) -> dict[str, Account]:
    """An admin and a reviewer, both with PASSWORD; in the app's context, so the accounts' hashes
    use its PASSWORD_HASH_METHOD."""
    with app.app_context():
        return {
            "admin": create_account(session, "admin", "管理员甲", PASSWORD, "admin", "admin@jianxi.test"),
            "reviewer": create_account(session, "reviewer", "审核员乙", PASSWORD, "reviewer"),
        }


def logged_in(client, username: str) -> StaffClient:
    staff_client = StaffClient(client)
    assert staff_client.login(username).status_code == 302
    return staff_client


@pytest.fixture
def accounts(app, session) -> dict[str, Account]:
    return make_accounts(app, session)


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


def refuse_git_commit(monkeypatch: pytest.MonkeyPatch, error: str) -> None:
    """Make every `git commit` of publishing fail with error, as a full disk or a broken index would."""
    real_git = publish_git.git

    def refusing(repo_path: Path, *args: str, env: dict[str, str] | None = None) -> str:
        if args[0] == "commit":
            raise publish_git.GitError(error)
        return real_git(repo_path, *args, env=env)

    monkeypatch.setattr(publish_git, "git", refusing)
