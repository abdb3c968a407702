"""Benchmark publishing at the programme's scale: approve → page served, merged pull request → page served.

Run from the repository root:

    .venv/bin/python bench/publish.py [N] [--rounds R] [--gap S] [--keep]

In a temporary folder the script makes a git repository with N (default 5,000) synthetic positions
(the generator of bench/build.py) and a bare repository holding the same history as the forge
(`POSITIONS_REMOTE`), and starts, as production runs them, the real Huey consumer (the command
`jianxi serve` starts) on SQLite and a static server on the site link (`python -m http.server`,
which opens files through the link on every request, as nginx and the worker's own site view do).
In this process: the worker app through its test client (the same views, CSRF tokens and staff
login a browser goes through) and a second clone of the forge, where pull requests are merged.

1. The full build: a rebuild request that the consumer runs, timed by its CatalogueBuild row (the
   build, the warm copy it leaves and the spare). Timed at the start (also how the consumer starts
   warm) and again at the end.
2. Approvals, R times (default 7): a unit's submission of a new position recorded as /submit records
   it, then an office account presses 通过并发布 (the POST); timed from the POST until the position's
   page answers 200 on the static server (polled every 50 ms).
3. Merged pull requests, R times: a new position committed in the other clone and pushed to the
   forge, then the forge's push webhook (POST /hooks/git, signed with GIT_HOOK_SECRET); timed from the
   webhook until the page answers 200.

Rounds start every S seconds (default 8); the full builds that follow approvals (coalesced, at most
one per REBUILD_INTERVAL) run in the background meanwhile, as they do in production. It prints the
median and p95 of each with the targets (approve ≤ 3 s median, ≤ 5 s p95 and ≤ 0.1 of the full
build; webhook ≤ 10 s) and the load average. It exits 0 whatever the figures: it is a measurement.
"""

import argparse
import hashlib
import hmac
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from build import ROOT, make_position, make_unit, synthetic
from build import _dump as dump

APPROVE_MEDIAN, APPROVE_P95, APPROVE_SHARE, WEBHOOK_SECONDS = 3.0, 5.0, 0.1, 10.0
TIMEOUT = 900.0
SECRET = "bench-hook-secret"
PASSWORD = "bench-password-2026"


def make_repository(project: Path, n: int) -> int:
    """The repository's site configuration plus n synthetic positions, committed on main; return units."""
    project.mkdir(parents=True)
    shutil.copy(ROOT / "mkdocs.yml", project / "mkdocs.yml")
    for name in ("content", "overrides"):
        shutil.copytree(ROOT / name, project / name)
    units = 0
    for slug, unit, positions in synthetic(n):
        units += 1
        folder = project / "positions" / slug
        folder.mkdir(parents=True)
        (folder / "unit.yaml").write_text(dump(unit), encoding="utf-8")
        for number, position in enumerate(positions):
            (folder / f"position-{number:03d}.yaml").write_text(dump(position), encoding="utf-8")
    identity = ["-c", "user.name=bench", "-c", "user.email=bench@localhost"]
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "Synthetic positions"]):
        subprocess.run(["git", "-C", str(project), *identity, *args], check=True, capture_output=True)
    return units


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def wait_for(check, timeout: float = TIMEOUT, step: float = 0.05) -> float:
    """Poll check() until it is true; return the time it took, or raise after timeout."""
    started = time.perf_counter()
    while not check():
        if time.perf_counter() - started > timeout:
            raise TimeoutError(f"nothing after {timeout:.0f} s")
        time.sleep(step)
    return time.perf_counter() - started


def git(repo: Path, *args: str) -> str:
    identity = ["-c", "user.name=bench", "-c", "user.email=bench@localhost"]
    return subprocess.run(
        ["git", "-C", str(repo), *identity, *args], check=True, capture_output=True, text=True
    ).stdout


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


class Office:
    """An office account's browser: logged in, pressing 通过并发布 on a submission."""

    TOKEN = re.compile(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"')

    def __init__(self, app, username: str) -> None:
        self.client = app.test_client()
        token = self.TOKEN.search(self.client.get("/staff/login").text).group(1)
        form = {"username": username, "password": PASSWORD, "csrf_token": token}
        assert self.client.post("/staff/login", data=form).status_code == 302

    def approve(self, submission_id: int) -> None:
        page = self.client.get(f"/staff/submissions/{submission_id}").text
        token = self.TOKEN.search(page).group(1)
        response = self.client.post(f"/staff/submissions/{submission_id}/approve", data={"csrf_token": token})
        assert response.status_code == 303, response.text[:500]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", nargs="?", type=int, default=5000, help="positions in the repository")
    parser.add_argument("--rounds", type=int, default=7, help="approvals, and merged pull requests, timed")
    parser.add_argument(
        "--gap", type=float, default=8.0, help="seconds from the start of one round to the next"
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()

    target = Path(tempfile.mkdtemp(prefix="jianxi-bench-publish-"))
    instance, site, project = target / "instance", target / "public" / "site", target / "repo"
    forge, merges = target / "forge.git", target / "merges"
    env = os.environ | {
        "INSTANCE_PATH": str(instance),
        "DATABASE_URL": f"sqlite:///{instance / 'jianxi.sqlite3'}",
        "HUEY_URL": f"sqlite:///{instance / 'huey.sqlite3'}",
        "MAIL_URL": f"folder://{instance / 'outbox'}",
        "POSITIONS_ROOT": str(project),
        "SITE_DIR": str(site),
        "POSITIONS_REMOTE": str(forge),
        "POSITIONS_BRANCH": "main",
        "GIT_HOOK_SECRET": SECRET,
        "SYNC_INTERVAL": "86400",  # only the webhook makes the worker look at the forge
    }
    # The worker reads its settings from the environment when imported, so set them first.
    os.environ.update(env)
    from form_worker import create_app
    from form_worker.accounts.services import create_account
    from form_worker.core import db
    from form_worker.core.models import utcnow
    from form_worker.core.queue import consumer_command
    from form_worker.publishing.models import CatalogueBuild
    from form_worker.publishing.rebuilds import ROW_ID
    from form_worker.publishing.tasks import request_rebuild
    from form_worker.submissions import services as submissions
    from site_builder.model.schema import Position, Unit

    children: list[subprocess.Popen] = []
    try:
        started = time.perf_counter()
        units = make_repository(project, args.n)
        subprocess.run(["git", "clone", "-q", "--bare", str(project), str(forge)], check=True)
        subprocess.run(["git", "clone", "-q", "-b", "main", str(forge), str(merges)], check=True)
        print(
            f"generated {args.n} positions in {units} units, a forge and a clone "
            f"in {time.perf_counter() - started:.1f} s"
        )
        db.upgrade(env["DATABASE_URL"])
        app = create_app()
        sessions = db.sessions(app)
        with app.app_context(), sessions() as session:
            create_account(session, "bench-office", "基准审核员", PASSWORD, "reviewer")

        consumer = consumer_command(2)
        with (target / "consumer.log").open("wb") as log:
            children.append(
                subprocess.Popen(consumer, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
            )

        def build_row() -> CatalogueBuild:
            with sessions() as session:
                return session.get(CatalogueBuild, ROW_ID)

        def idle() -> bool:
            row = build_row()
            if row is None or row.started_at is None:
                return False
            return row.status != "building" and row.started_at >= row.requested_at

        def full_build() -> float:
            with app.app_context(), sessions() as session:
                request_rebuild(session, utcnow())
            wait_for(idle)
            row = build_row()
            assert row.status == "ok", row.error
            return (row.finished_at - row.started_at).total_seconds()

        builds = [full_build()]
        print(f"full build in the consumer (build, warm copy, spare): {builds[0]:.1f} s")
        port = free_port()
        server = [
            sys.executable,
            "-m",
            "http.server",
            str(port),
            "--bind",
            "127.0.0.1",
            "--directory",
            str(site),
        ]
        children.append(subprocess.Popen(server, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        base = f"http://127.0.0.1:{port}/"
        wait_for(lambda: answers(base), timeout=30)

        rng = random.Random(45)
        office = Office(app, "bench-office")
        approvals: list[float] = []
        webhooks: list[float] = []

        def approve(number: int) -> float:
            unit_data = make_unit(rng, 90_000 + number)
            unit = Unit.model_validate(unit_data)
            position = Position.model_validate(make_position(rng, unit_data, 0) | {"status": "open"})
            slug = f"bench-approved-{number}"
            draft = submissions.Draft(
                unit=unit, positions=[("approved", position)], unit_slug=slug, is_edit=False
            )
            with app.app_context(), sessions() as session:
                submission, _ = submissions.record(
                    session,
                    draft,
                    2026,
                    app.config["MAIL_FROM"],
                    base + "{id}",
                    utcnow(),
                    app.config["COLLECTION_CLOSES"],
                )
            began = time.perf_counter()
            office.approve(submission.id)
            wait_for(lambda: answers(f"{base}positions/{slug}/approved/"))
            return time.perf_counter() - began

        def merge(number: int) -> float:
            git(merges, "pull", "-q", "--rebase")
            unit_data = make_unit(rng, 95_000 + number)
            folder = merges / "positions" / f"bench-merged-{number}"
            folder.mkdir(parents=True)
            (folder / "unit.yaml").write_text(dump(unit_data), encoding="utf-8")
            position = make_position(rng, unit_data, 0) | {"status": "open"}
            (folder / "merged.yaml").write_text(dump(position), encoding="utf-8")
            git(merges, "add", "-A")
            git(merges, "commit", "-q", "-m", f"Merge pull request #{number}")
            git(merges, "push", "-q", "origin", "main")
            body = b'{"ref": "refs/heads/main"}'
            signature = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
            began = time.perf_counter()
            response = app.test_client().post(
                "/hooks/git",
                data=body,
                headers={"X-Hub-Signature-256": signature, "Content-Type": "application/json"},
            )
            assert response.status_code == 202, response.status_code
            wait_for(lambda: answers(f"{base}positions/bench-merged-{number}/merged/"))
            return time.perf_counter() - began

        rounds_began = time.perf_counter()
        for number in range(args.rounds):
            for kind, action, found in (("approve", approve, approvals), ("webhook", merge, webhooks)):
                at = rounds_began + (2 * number + (kind == "webhook")) * args.gap
                time.sleep(max(0.0, at - time.perf_counter()))
                found.append(action(number))
                print(f"  {kind} {number + 1}: served after {found[-1]:.2f} s")
        wait_for(idle)
        builds.append(full_build())
        print(f"full build at the end: {builds[-1]:.1f} s")

        full = statistics.median(builds)
        load = os.getloadavg()
        rows = [
            (
                "approve -> served, median (s)",
                statistics.median(approvals),
                f"<= {APPROVE_MEDIAN:g} s",
                APPROVE_MEDIAN,
            ),
            ("approve -> served, p95 (s)", p95(approvals), f"<= {APPROVE_P95:g} s", APPROVE_P95),
            (
                "  median / full build",
                statistics.median(approvals) / full,
                f"<= {APPROVE_SHARE:g}",
                APPROVE_SHARE,
            ),
            (
                "webhook -> served, median (s)",
                statistics.median(webhooks),
                f"<= {WEBHOOK_SECONDS:g} s",
                WEBHOOK_SECONDS,
            ),
            ("webhook -> served, p95 (s)", p95(webhooks), f"<= {WEBHOOK_SECONDS:g} s", WEBHOOK_SECONDS),
            ("full build, median of 2 (s)", full, "", None),
        ]
        print()
        print(f"{'measure':<34}{'value':>10}  {'target':<10}result")
        print("-" * 62)
        for name, value, goal, limit in rows:
            verdict = "" if limit is None else ("PASS" if value <= limit else "MISS")
            print(f"{name:<34}{value:>10.2f}  {goal:<10}{verdict}")
        print(f"{'load average (1 min)':<34}{load[0]:>10.1f}  {os.cpu_count()} CPUs")
    finally:
        for child in reversed(children):
            child.send_signal(signal.SIGINT)
            try:
                child.wait(timeout=30)
            except subprocess.TimeoutExpired:
                child.kill()
        if args.keep:
            print(f"kept {target}")
        else:
            shutil.rmtree(target, ignore_errors=True)


if __name__ == "__main__":
    main()
