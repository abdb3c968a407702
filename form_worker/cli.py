"""The full `jianxi` command: the catalogue commands plus the worker's database and server."""

import signal
import subprocess
import sys

import click
from werkzeug.serving import run_simple

from site_builder.cli import main

from . import config, create_app, db


@main.group("db")
def database() -> None:
    """Manage the worker's database."""


@database.command()
def upgrade() -> None:
    """Apply the Alembic migrations to DATABASE_URL."""
    url = str(config.load()["DATABASE_URL"])
    db.upgrade(url)
    click.echo("数据库已更新到最新结构。")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True)
@click.option("--workers", default=2, show_default=True, help="Consumer threads.")
def serve(host: str, port: int, workers: int) -> None:
    """Serve the built catalogue and the forms, with a Huey consumer beside them; Ctrl-C stops both."""
    app = create_app()
    consumer = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "huey.bin.huey_consumer",
            "form_worker.tasks.huey",
            "-k",
            "thread",
            "-w",
            str(workers),
        ]
    )
    click.echo(f"岗位目录与报名表：http://{host}:{port}/  （Ctrl-C 停止）")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        run_simple(host, port, app, threaded=True)
    finally:
        consumer.send_signal(signal.SIGINT)
        try:
            consumer.wait(timeout=15)
        except subprocess.TimeoutExpired:
            consumer.kill()


__all__ = ["main"]
