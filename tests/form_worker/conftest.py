"""Fixtures for the worker: an app on a temporary database and queue, for every backend present.

`backend` runs each worker test twice: on SQLite + SqliteHuey, and on PostgreSQL + RedisHuey
(127.0.0.1:5432 database `test`, 127.0.0.1:6379). A service that does not answer skips its half
with the reason; on CI machines both answer.
"""

import re
import socket
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from form_worker import create_app, db, queue
from form_worker.models import Base
from tests.conftest import ROOT, TODAY

POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
REDIS_URL = "redis://127.0.0.1:6379/0"


def answers(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def _reset_postgres() -> None:
    engine = create_engine(POSTGRES_URL)
    with engine.begin() as connection:
        Base.metadata.drop_all(connection)
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> dict[str, str]:
    """DATABASE_URL and HUEY_URL of one backend pair, emptied for this test."""
    if request.param == "sqlite":
        return {
            "DATABASE_URL": f"sqlite:///{tmp_path / 'jianxi.sqlite3'}",
            "HUEY_URL": f"sqlite:///{tmp_path / 'huey.sqlite3'}",
        }
    if not (answers(5432) and answers(6379)):
        pytest.skip("PostgreSQL on 127.0.0.1:5432 or Redis on 127.0.0.1:6379 is not running")
    _reset_postgres()
    return {"DATABASE_URL": POSTGRES_URL, "HUEY_URL": REDIS_URL}


@pytest.fixture
def app(backend: dict[str, str], tmp_path: Path):
    config = {
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
    }
    app = create_app(config)
    queue.use(config["HUEY_URL"], name=f"jianxi-test-{uuid.uuid4().hex[:8]}")
    db.upgrade(config["DATABASE_URL"])
    yield app
    queue.huey.flush()
    db.sessions(app).kw["bind"].dispose()


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


def answers_for(**overrides: str) -> dict[str, str]:
    """A complete, valid set of application answers for an open 科技见习 position."""
    return {
        "choice1": OPEN_POSITION,
        "name": "陈示例",
        "phone": "13800001234",
        "email": "chen@example.com",
        "university": "重庆大学",
        "major": "计算机科学与技术",
        "degree": "本科",
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
        response = self.post("confirm", **overrides)
        assert response.status_code == 303, response.text
        done = self.client.get(response.headers["Location"]).text
        return re.search(r'id="reference">([^<]+)<', done).group(1)


@pytest.fixture
def applicant(client) -> Applicant:
    return Applicant(client)
