"""One SQLAlchemy engine per app, one session per request, and `jianxi db upgrade`."""

from pathlib import Path
from typing import Any, cast

from alembic import command
from alembic.config import Config
from flask import Flask, current_app, g
from sqlalchemy import CursorResult, Engine, Result, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).parents[1] / "migrations"
# WAL lets readers and the writer work at once. synchronous=NORMAL survives a crash of the worker
# but not of the machine: a power cut may undo the last commits. FULL (an fsync per commit) cost
# 20 % of the form's throughput and 40 ms of its p99 in bench/apply.py; where that risk matters,
# PostgreSQL, the scale path, makes every commit durable.
SQLITE_PRAGMAS = ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON")


def make_engine(url: str) -> Engine:
    """An engine with SQLite set up for a busy form (SQLITE_PRAGMAS), waiting instead of failing."""
    # hide_parameters: a failed statement's error names no applicant's data in a log line.
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True, hide_parameters=True)
    engine = create_engine(url, connect_args={"timeout": 30}, hide_parameters=True)

    @event.listens_for(engine, "connect")
    def _pragmas(connection, _record) -> None:
        cursor = connection.cursor()
        for pragma in SQLITE_PRAGMAS:
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    return engine


def _alembic(url: str) -> Config:
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["url"] = url
    return config


def upgrade(url: str) -> None:
    """Bring the database at url to the newest schema with the Alembic migrations."""
    command.upgrade(_alembic(url), "head")


def revision(url: str, message: str) -> None:
    """Write a new migration with what the models declare beyond the database at url (upgraded first)."""
    config = _alembic(url)
    command.upgrade(config, "head")
    command.revision(config, message=message, autogenerate=True)


def init_app(app: Flask) -> None:
    engine = make_engine(app.config["DATABASE_URL"])
    app.extensions["jianxi.sessions"] = sessionmaker(engine, expire_on_commit=False)
    app.teardown_appcontext(_close_session)


def sessions(app: Flask) -> sessionmaker[Session]:
    """The app's session factory, for tasks and commands that open their own sessions."""
    return app.extensions["jianxi.sessions"]


def get_session() -> Session:
    """The request's session, opened on first use."""
    if "db_session" not in g:
        g.db_session = sessions(current_app)()
    return g.db_session


def rowcount(result: Result[Any]) -> int:
    """The rows an UPDATE or DELETE matched. Session.execute is typed to return a Result, but for
    these statements it returns a CursorResult, the subclass that carries rowcount."""
    return cast(CursorResult[Any], result).rowcount


def _close_session(_exc: BaseException | None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()
