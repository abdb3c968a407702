"""A deployment on this machine as deploy/ and the README's "Deploy" describe it: nginx (Debian's,
not daemonised) with the site rendered for the test's ports and paths and a certificate made for
the test; gunicorn and the consumer started with the units' own command lines and signals, in
systemd's bare environment plus the settings file; PostgreSQL and Redis of the test's own (a
schema, a Redis database); mail to a real SMTP server; the positions repository with a forge."""

import datetime as dt
import getpass
import os
import shlex
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, func, select
from sqlalchemy.orm import Session

from form_worker.applications.models import Application
from form_worker.core.models import utcnow
from form_worker.outbox.models import Outbox
from form_worker.publishing import files as publish_files
from site_builder.clock import today_in_chongqing
from tests.conftest import ROOT, git, make_git_project
from tests.form_worker.conftest import PASSWORD, postgres_schema, redis_database, require_services
from tests.helpers.deployment import (
    SERVER_CODE,
    SYSTEMD_PATH,
    command,
    example_environment,
    nginx,
    nginx_main,
    render_site,
    self_signed,
    service,
    with_option,
)
from tests.helpers.https import Browser
from tests.helpers.mailserver import free_port
from tests.helpers.positions import NEW_UNIT, new_unit, sample_position
from tests.helpers.waiting import wait_for

WEB, CONSUMER = "jianxi-web.service", "jianxi-consumer.service"
OPEN_SLUG = "open-now"


def dates(today: dt.date) -> dict[str, dt.date]:
    """A position's dates that keep it open whenever the test runs: its deadline two months on."""
    start = today + dt.timedelta(days=90)
    return {
        "deadline": today + dt.timedelta(days=60),
        "start_date": start,
        "end_date": start + dt.timedelta(days=180),
    }


@dataclass
class Deployment:
    folder: Path
    environment: dict[str, str]
    project: Path
    forge: Path
    web_port: int
    cafile: Path
    today: dt.date
    engine: Engine
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    starts: int = 0

    @property
    def url(self) -> str:
        return self.environment["WORKER_URL"]

    @property
    def site_dir(self) -> Path:
        return Path(self.environment["SITE_DIR"])

    @property
    def open_position(self) -> str:
        return f"{NEW_UNIT}/{OPEN_SLUG}"

    def browser(self) -> Browser:
        return Browser(self.url, self.cafile)

    def jianxi(self, *args: str) -> str:
        """A jianxi command as an operator runs it: in the code's folder, with the settings file."""
        done = subprocess.run(
            [str(Path(sys.executable).parent / "jianxi"), *args],
            cwd=ROOT,
            env=self.environment,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    def start(self, unit: str) -> subprocess.Popen:
        """Start a unit's process as systemd would: its ExecStart, WorkingDirectory and environment."""
        words = command(unit)
        if unit == WEB:
            words = with_option(words, "--bind", f"127.0.0.1:{self.web_port}")
        self.starts += 1
        with open(self.folder / f"{unit}.{self.starts}.log", "wb") as log:
            process = subprocess.Popen(
                words,
                cwd=service(unit)["WorkingDirectory"].replace(SERVER_CODE, str(ROOT)),
                env=self.environment,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self.processes[unit] = process
        return process

    def stop(self, unit: str) -> int:
        """Stop a unit's process as systemd would: its KillSignal, then SIGKILL after TimeoutStopSec."""
        process = self.processes.pop(unit)
        process.send_signal(signal.Signals[service(unit).get("KillSignal", "SIGTERM")])
        try:
            return process.wait(timeout=int(service(unit).get("TimeoutStopSec", "90")))
        except subprocess.TimeoutExpired:
            process.kill()
            return process.wait()

    def reload(self, unit: str) -> None:
        """`systemctl reload`: the unit's ExecReload with $MAINPID its process."""
        pid = str(self.processes[unit].pid)
        subprocess.run(
            [w.replace("$MAINPID", pid) for w in shlex.split(service(unit)["ExecReload"])], check=True
        )

    @property
    def access_log(self) -> list[str]:
        """nginx's access log of the site, line by line."""
        return (self.folder / "jianxi.access.log").read_text(encoding="utf-8").splitlines()

    def log(self, unit: str) -> str:
        return "".join(p.read_text(errors="replace") for p in sorted(self.folder.glob(f"{unit}.*.log")))

    def session(self) -> Session:
        return Session(self.engine)

    def serving(self) -> bool:
        for unit, process in self.processes.items():
            assert process.poll() is None, (
                f"{unit} exited with {process.returncode}:\n{self.log(unit)[-3000:]}"
            )
        try:
            return self.browser().get("/apply").status_code == 200
        except OSError:
            return False


def outbox(session: Session) -> list[Outbox]:
    """Every email the worker recorded, as the database holds it now."""
    session.expire_all()
    found = list(session.scalars(select(Outbox).order_by(Outbox.id)))
    session.commit()
    return found


def delivered(session: Session) -> bool:
    """Every email sent and every application checked (or flagged for the office)."""
    unchecked = session.scalar(
        select(func.count()).where(Application.state == "submitted", Application.flag.is_(None))
    )
    return unchecked == 0 and {row.status for row in outbox(session)} <= {"sent"}


def positions_repository(folder: Path, today: dt.date) -> tuple[Path, Path]:
    """The worker's working copy, with one position open whatever the date, and its forge."""
    project = make_git_project(folder / "positions")
    publish_files.write_submission(
        project,
        NEW_UNIT,
        new_unit(),
        [(OPEN_SLUG, sample_position(title="部署测试岗位", **dates(today)))],
        "DW2026-000001-TEST",
        "王审核",
        utcnow(),
        publish_id=uuid.uuid4().hex,
    )
    forge = folder / "forge.git"
    git(folder, "clone", "--quiet", "--bare", str(project), str(forge))
    return project, forge


def settings(folder: Path, today: dt.date, tls: int, services: dict[str, str]) -> dict[str, str]:
    """systemd's environment for a unit: its bare PATH and the user's HOME, then the settings file
    with this test's paths, services and dates in place of the server's."""
    home = folder / "home"
    home.mkdir()
    base = {"PATH": SYSTEMD_PATH, "HOME": str(home)}
    if "TMPDIR" in os.environ:  # the suite's scratch space (Makefile), for the catalogue builds
        base["TMPDIR"] = os.environ["TMPDIR"]
    return (
        base
        | example_environment()
        | services
        | {
            "INSTANCE_PATH": str(folder / "instance"),
            "SITE_DIR": str(folder / "site"),
            "WORKER_URL": f"https://127.0.0.1:{tls}/",
            "PROGRAMME_YEAR": str(today.year),
            "COLLECTION_CLOSES": (today + dt.timedelta(days=30)).isoformat(),
            # Every visitor of the test comes from 127.0.0.1.
            "RATELIMIT_POST": "10000 per minute",
            "RATELIMIT_APPLY_STEPS": "10000 per minute",
            "GIT_HOOK_SECRET": uuid.uuid4().hex,
        }
    )


def start_nginx(deployment: Deployment, tls: int, plain: int, key: Path) -> subprocess.Popen:
    """nginx in the foreground with the site rendered for this deployment's ports and paths."""
    folder = deployment.folder
    site = folder / "jianxi.conf"
    rendered = render_site(
        tls=tls, plain=plain, worker=deployment.web_port, cert=deployment.cafile, key=key,
        site_dir=deployment.site_dir, logs=folder,
    )  # fmt: skip
    site.write_text(rendered, encoding="utf-8")
    (folder / "nginx.conf").write_text(nginx_main(folder, site, getpass.getuser()), encoding="utf-8")
    command = [nginx(), "-p", str(folder), "-c", str(folder / "nginx.conf"), "-e", str(folder / "error.log")]
    return subprocess.Popen([*command, "-g", "daemon off;"])


@pytest.fixture
def deployment(tmp_path: Path, smtp_server) -> Iterator[Deployment]:
    nginx()
    require_services()
    today = today_in_chongqing()
    project, forge = positions_repository(tmp_path, today)
    cert, key = self_signed(tmp_path)
    tls, plain, web = free_port(), free_port(), free_port()
    with postgres_schema("deploy") as database_url, redis_database() as redis_url:
        services = {"DATABASE_URL": database_url, "HUEY_URL": redis_url, "MAIL_URL": smtp_server.url}
        services |= {"POSITIONS_ROOT": str(project), "POSITIONS_REMOTE": str(forge)}
        environment = settings(tmp_path, today, tls, services)
        engine = create_engine(database_url)
        deployment = Deployment(tmp_path, environment, project, forge, web, cert, today, engine)
        deployment.jianxi("db", "upgrade")
        deployment.jianxi(
            "create-account", "office", "--name", "王办公", "--role", "admin", "--password", PASSWORD
        )
        server = start_nginx(deployment, tls, plain, key)
        try:
            deployment.start(WEB)
            deployment.start(CONSUMER)
            wait_for(deployment.serving, "gunicorn to answer through nginx")
            yield deployment
        finally:
            for unit in list(deployment.processes):
                deployment.stop(unit)
            server.send_signal(signal.SIGQUIT)
            server.wait(timeout=30)
            engine.dispose()
