"""The Huey instance, its storage chosen by HUEY_URL: SqliteHuey by default, RedisHuey at scale.

Huey binds tasks to an instance at import time, so the instance is built here from the
environment; create_app() re-points its storage when an app is given another HUEY_URL (tests).
"""

import sys
from pathlib import Path
from urllib.parse import urlsplit

from huey import Huey
from huey.storage import RedisStorage, SqliteStorage

from . import config


class SqliteQueueStorage(SqliteStorage):
    """SqliteHuey's storage with WAL and synchronous=NORMAL, like the application database.

    SQLite's default (FULL) waits for the disk on every enqueue; with WAL, NORMAL can lose only the
    last writes on power loss, and the outbox rows plus the sweeper recover those.
    """

    def _create_connection(self):
        connection = super()._create_connection()
        connection.execute("PRAGMA synchronous=NORMAL")
        return connection


def consumer_command(workers: int = 2) -> list[str]:
    """The command line of a Huey consumer for this queue, as `jianxi serve` and the benchmarks run it.

    Threads, not processes: one consumer with threads on SQLite ("database is locked" otherwise).
    """
    return [
        sys.executable,
        "-m",
        "huey.bin.huey_consumer",
        "form_worker.tasks.huey",
        "-k",
        "thread",
        "-w",
        str(workers),
    ]


def storage_for(url: str) -> tuple[type, dict[str, object]]:
    """The Huey storage class and its arguments for a sqlite:///path or redis:// URL."""
    scheme = urlsplit(url).scheme
    if scheme == "sqlite":
        path = Path(url.removeprefix("sqlite:///"))
        path.parent.mkdir(parents=True, exist_ok=True)
        return SqliteQueueStorage, {"filename": str(path)}
    if scheme in ("redis", "rediss"):
        return RedisStorage, {"url": url}
    raise ValueError(f"HUEY_URL must start with sqlite:/// or redis://, not {url!r}")


def use(url: str, name: str = "jianxi") -> None:
    """Point the shared Huey instance at another queue."""
    huey.name = name
    huey.storage_class, huey.storage_kwargs = storage_for(url)
    huey.storage = huey.create_storage()


def _initial() -> Huey:
    storage_class, kwargs = storage_for(str(config.load()["HUEY_URL"]))
    # Nothing reads task results; storing them would cost a write per task.
    return Huey("jianxi", results=False, storage_class=storage_class, **kwargs)


huey = _initial()
