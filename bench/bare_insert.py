"""The yardstick for bench/apply.py: a bare Flask app that stores an application's fields, nothing else.

No forms library, no CSRF, no session, no ORM, no queue, no email: one POST, one INSERT into a SQLite
file with the worker's settings (form_worker.core.db.SQLITE_PRAGMAS, a 30 s busy wait), one commit.
gunicorn serves it as `bare_insert:app` with BARE_DB naming the database file; `create(path)` makes
the table before the server starts, so two workers never race to create it.
"""

import datetime as dt
import os
import sqlite3

from flask import Flask, request

from form_worker.core.db import SQLITE_PRAGMAS

FIELDS = (
    "name",
    "phone",
    "email",
    "university",
    "major",
    "degree",
    "graduation",
    "current_status",
    "statement",
)

app = Flask(__name__)


def connect(path: str) -> sqlite3.Connection:
    connection = sqlite3.connect(path, timeout=30)
    for pragma in SQLITE_PRAGMAS:
        connection.execute(f"PRAGMA {pragma}")
    return connection


def create(path: str) -> None:
    """Make the application table with the worker's columns for these fields."""
    with connect(path) as connection:
        connection.execute(
            "CREATE TABLE IF NOT EXISTS application (id INTEGER PRIMARY KEY, created_at TEXT NOT NULL, "
            + ", ".join(f"{name} TEXT NOT NULL" for name in FIELDS)
            + ")"
        )
    connection.close()


def database() -> sqlite3.Connection:
    """One connection per worker process, like the worker's SQLAlchemy pool keeps one open."""
    connection = app.extensions.get("bare.db")
    if connection is None:
        connection = app.extensions["bare.db"] = connect(os.environ["BARE_DB"])
    return connection


@app.post("/insert")
def insert():
    values = [request.form.get(name, "") for name in FIELDS]
    connection = database()
    with connection:
        cursor = connection.execute(
            f"INSERT INTO application (created_at, {', '.join(FIELDS)}) VALUES (?{', ?' * len(FIELDS)})",
            [dt.datetime.now(dt.UTC).isoformat(), *values],
        )
    return {"id": cursor.lastrowid}, 201
