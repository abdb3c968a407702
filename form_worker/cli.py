"""The worker's `jianxi` commands, registered as `jianxi.commands` entry points in pyproject.toml.

Thin shells over plain functions (db.upgrade, create_staff); it sits beside create_app, above the
domains, because it wires them as the app factory does."""

import signal
import subprocess
import sys

import click
from sqlalchemy.exc import IntegrityError
from werkzeug.serving import run_simple

from . import create_app
from .accounts.services import ROLES, create_staff
from .core import config, db
from .core.queue import consumer_command


@click.group("db")
def database() -> None:
    """Manage the worker's database."""


@database.command()
def upgrade() -> None:
    """Apply the Alembic migrations to DATABASE_URL."""
    url = str(config.load()["DATABASE_URL"])
    db.upgrade(url)
    click.echo("数据库已更新到最新结构。")


@click.command("create-staff")
@click.argument("username")
@click.option("--name", required=True, help="Display name, e.g. 魏某某.")
@click.option("--role", type=click.Choice(ROLES), default="reviewer", show_default=True)
@click.option("--email", default="", help="Where staff notifications go.")
@click.password_option(help="At least 10 characters; asked for when not given.")
def create_staff_command(username: str, name: str, role: str, email: str, password: str) -> None:
    """Create a staff account for the review area."""
    app = create_app()
    with app.app_context(), db.sessions(app)() as session:
        try:
            create_staff(session, username, name, password, role, email)
        except ValueError as error:
            raise click.UsageError(str(error)) from None
        except IntegrityError:
            raise click.UsageError(f"用户名 {username} 已存在") from None
    click.echo(f"已创建{'管理员' if role == 'admin' else '审核员'}账号 {username}。")


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True)
@click.option("--workers", default=2, show_default=True, help="Consumer threads.")
def serve(host: str, port: int, workers: int) -> None:
    """Serve the built catalogue and the forms, with a Huey consumer beside them; Ctrl-C stops both."""
    app = create_app()
    consumer = subprocess.Popen(consumer_command(workers))
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
