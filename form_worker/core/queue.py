"""The Huey instance, its storage chosen by HUEY_URL: SqliteHuey by default, RedisHuey at scale.

Huey binds tasks to an instance at import time, so the instance lives here. Its storage touches
nothing until the first queue operation (importing a tasks module creates no file and opens no
connection); create_app() points it at the app's HUEY_URL, and the consumer's target
(form_worker.worker) at the environment's. A daily task is declared at its Chongqing time with
`chongqing_crontab`, which gives Huey the UTC schedule it matches against.
"""

import datetime as dt
import logging
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask, current_app, has_app_context
from huey import Huey, crontab
from huey.storage import RedisStorage, SqliteStorage

from .clock import utc_time_of_day

logger = logging.getLogger(__name__)


class SqliteQueueStorage(SqliteStorage):
    """SqliteHuey's storage, opened on first use, with WAL and synchronous=NORMAL.

    SQLite's default (FULL) waits for the disk on every enqueue; with WAL, NORMAL can lose only the
    last writes on power loss, and the outbox rows plus the sweeper recover those.
    """

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs["create_tables"] = False
        super().__init__(*args, **kwargs)
        self._schema_ready = False

    def _create_connection(self):  # type: ignore[no-untyped-def]  # Huey's own signature
        Path(self.filename).parent.mkdir(parents=True, exist_ok=True)
        connection = super()._create_connection()
        connection.execute("PRAGMA synchronous=NORMAL")
        if not self._schema_ready:
            for statement in self.ddl:
                connection.execute(statement)
            self._schema_ready = True
        return connection


def consumer_command(workers: int = 2) -> list[str]:
    """The command line of a Huey consumer for this queue, as `jianxi serve` and the benchmarks run it.

    Threads, not processes: one consumer with threads on SQLite ("database is locked" otherwise).
    An idle consumer polls at most every half second (Huey's default backs off to 10 s): a task
    queued after a quiet spell (the publication of an approval) then starts within 0.5 s.
    """
    return [
        sys.executable,
        "-m",
        "huey.bin.huey_consumer",
        "form_worker.worker.huey",
        "-k",
        "thread",
        "-w",
        str(workers),
        "-m",
        "0.5",
    ]


def storage_for(url: str) -> tuple[type, dict[str, object]]:
    """The Huey storage class and its arguments for a sqlite:///path or redis:// URL."""
    scheme = urlsplit(url).scheme
    if scheme == "sqlite":
        return SqliteQueueStorage, {"filename": url.removeprefix("sqlite:///")}
    if scheme in ("redis", "rediss"):
        return RedisStorage, {"url": url}
    raise ValueError(f"HUEY_URL must start with sqlite:/// or redis://, not {url!r}")


def use(url: str, name: str = "jianxi") -> None:
    """Point the shared Huey instance at another queue."""
    huey.name = name
    huey.storage_class, huey.storage_kwargs = storage_for(url)
    huey.storage = huey.create_storage()


# Until use() is called the queue is an unopened SQLite file in the working folder's instance/.
# Nothing reads task results; storing them would cost a write per task.
huey = Huey("jianxi", results=False, storage_class=SqliteQueueStorage, filename="instance/huey.sqlite3")


def chongqing_crontab(hour: int, minute: int) -> Callable[[dt.datetime], bool]:
    """Every day at hour:minute Chongqing time, as the crontab Huey needs: Huey matches crontabs in
    UTC (utc=True, its default), so 00:20 in Chongqing becomes 16:20 UTC. The UTC time may fall on
    the day before; a daily schedule names no day, so that shift needs no other field."""
    utc_hour, utc_minute = utc_time_of_day(hour, minute)
    schedule: Callable[[dt.datetime], bool] = crontab(hour=str(utc_hour), minute=str(utc_minute))
    return schedule


_worker_app: Flask | None = None
_worker_app_lock = threading.Lock()
_app_factory: Callable[[], Flask] | None = None


def set_app_factory(factory: Callable[[], Flask]) -> None:
    """Tell tasks how to build the consumer's app (form_worker.worker passes create_app)."""
    global _app_factory
    _app_factory = factory


@contextmanager
def app_context() -> Iterator[Flask]:
    """The current app inside a request or test; in the consumer, one app built by the factory."""
    global _worker_app
    if has_app_context():
        yield current_app._get_current_object()  # type: ignore[attr-defined]
        return
    with _worker_app_lock:
        if _worker_app is None:
            if _app_factory is None:
                raise RuntimeError("no app: import form_worker.worker to run tasks outside an app")
            _worker_app = _app_factory()
    with _worker_app.app_context():
        yield _worker_app


def enqueue(what: str, call: Callable[[], object]) -> None:
    """Queue work after its rows are committed; if the queue is down, log it and let the sweep catch up."""
    try:
        call()
    except Exception:
        logger.exception("could not queue %s; the periodic sweep will", what)
