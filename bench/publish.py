"""Benchmark publishing: from "approve" to the new page being served, and builds caused by a burst.

Run from the repository root:

    .venv/bin/python bench/publish.py [N] [--interval S] [--keep]

In a temporary folder the script makes a git repository with N (default 5,000) synthetic positions
(the generator of bench/build.py), builds it once with `build_and_swap` into a served symlink, and
starts two child processes as production would run them:

- a static server on the symlink (`python -m http.server`; it opens files through the link on every
  request, as the worker's own site view does), and
- the real Huey consumer (`huey_consumer form_worker.worker.huey -k thread -w 2`, as `jianxi serve`
  starts it) on a SqliteHuey file and a SQLite database in the same folder.

Then, in this process, it does what the publishing task does after a staff member's approval:
`write_submission` (a git commit) and `request_rebuild` (a database row and a queued build). It measures

1. latency: one approval of a new unit with one position, timed from the call until the position's
   URL answers 200 from the static server (polled every 0.2 s), with its parts: the commit, the
   wait for the consumer to start the build, and the build itself;
2. coalescing: ten approvals, one every S seconds (default 6: ten within a minute), each adding a
   position; it waits until the last one is served and the queue is idle, and counts the builds
   (CatalogueBuild.builds; the build folders created are counted too).

It prints both with their targets (<= 30 s, <= 2 builds) and PASS/MISS, and the load average, since
build time is most of the latency and other load on the machine stretches it. It exits 0 whatever
the figures: it is a measurement, not a test.
"""

import argparse
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from build import ROOT, make_position, make_unit, synthetic
from build import _dump as dump

LATENCY_SECONDS = 30.0
BURST_BUILDS = 2
BURST = 10
TIMEOUT = 900.0
UNIT = "bench-approved-unit"


def make_repository(project: Path, n: int) -> int:
    """The repository's site configuration plus n synthetic positions, committed; return units."""
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
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "Synthetic positions"]):
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


def wait_for(check, timeout: float = TIMEOUT, step: float = 0.2) -> float:
    """Poll check() until it is true; return the time it took, or raise after timeout."""
    started = time.perf_counter()
    while not check():
        if time.perf_counter() - started > timeout:
            raise TimeoutError(f"nothing after {timeout:.0f} s")
        time.sleep(step)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", nargs="?", type=int, default=5000, help="positions in the repository")
    parser.add_argument("--interval", type=float, default=6.0, help="seconds between burst approvals")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()

    target = Path(tempfile.mkdtemp(prefix="jianxi-bench-publish-"))
    instance = target / "instance"
    site = target / "public" / "site"
    project = target / "repo"
    env = os.environ | {
        "INSTANCE_PATH": str(instance),
        "DATABASE_URL": f"sqlite:///{instance / 'jianxi.sqlite3'}",
        "HUEY_URL": f"sqlite:///{instance / 'huey.sqlite3'}",
        "MAIL_URL": f"folder://{instance / 'outbox'}",
        "POSITIONS_ROOT": str(project),
        "SITE_DIR": str(site),
    }
    # The worker reads its settings from the environment when imported, so set them first.
    os.environ.update(env)
    from form_worker import create_app
    from form_worker.core import db
    from form_worker.core.models import utcnow
    from form_worker.core.queue import consumer_command
    from form_worker.publishing import files as publish
    from form_worker.publishing.models import CatalogueBuild
    from form_worker.publishing.rebuilds import ROW_ID
    from form_worker.publishing.site import build_and_swap, builds_folder
    from form_worker.publishing.tasks import request_rebuild
    from site_builder.clock import today_in_chongqing
    from site_builder.model.schema import Position, Unit

    children: list[subprocess.Popen] = []
    try:
        started = time.perf_counter()
        units = make_repository(project, args.n)
        print(
            f"generated {args.n} positions in {units} units and committed them "
            f"in {time.perf_counter() - started:.1f} s"
        )
        db.upgrade(env["DATABASE_URL"])
        started = time.perf_counter()
        build_and_swap(project, site, today_in_chongqing())
        initial = time.perf_counter() - started
        print(f"initial build_and_swap: {initial:.1f} s")

        port = free_port()
        children.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "http.server",
                    str(port),
                    "--bind",
                    "127.0.0.1",
                    "--directory",
                    str(site),
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        consumer_log = target / "consumer.log"
        consumer = consumer_command(2)
        with consumer_log.open("wb") as log:
            children.append(
                subprocess.Popen(consumer, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
            )
        base = f"http://127.0.0.1:{port}/"
        wait_for(lambda: answers(base), timeout=30)
        print(f"serving {site} -> {site.resolve().name} at {base}; consumer: {' '.join(consumer[1:])}")

        app = create_app()
        sessions = db.sessions(app)
        rng = random.Random(45)
        unit_data = make_unit(rng, 99_999) | {"name": "重庆市基准发布测试学会"}
        unit = Unit.model_validate(unit_data)

        def approve(slug: str, reference: str) -> float:
            """What the approve action does; return the seconds the git commit took."""
            position = Position.model_validate(make_position(rng, unit_data, 0) | {"status": "open"})
            began = time.perf_counter()
            publish.write_submission(
                project,
                UNIT,
                unit,
                [(slug, position)],
                reference,
                "基准审核员",
                utcnow(),
                publish_id=reference,
            )
            committed = time.perf_counter() - began
            with sessions() as session:
                request_rebuild(session, utcnow())
            return committed

        def build_row() -> CatalogueBuild:
            with sessions() as session:
                return session.get(CatalogueBuild, ROW_ID)

        def idle() -> bool:
            row = build_row()
            return row.status != "building" and row.started_at >= row.requested_at

        # 1. Latency of one approval.
        requested = utcnow()
        began = time.perf_counter()
        commit_seconds = approve("approved-0", "DW2026-900000")
        wait_for(lambda: answers(f"{base}positions/{UNIT}/approved-0/"))
        latency = time.perf_counter() - began
        wait_for(idle)
        row = build_row()
        queue_wait = (row.started_at - requested).total_seconds()
        build_seconds = (row.finished_at - row.started_at).total_seconds()
        print(
            f"approve -> served: {latency:.1f} s (commit {commit_seconds:.2f} s, consumer picked it up after "
            f"{queue_wait:.1f} s, build_and_swap {build_seconds:.1f} s), status {row.status}"
        )

        # 2. A burst of ten approvals.
        before = build_row().builds
        folders_before = {p.name for p in builds_folder(site).iterdir()}
        new_folders: set[str] = set()
        burst_began = time.perf_counter()
        for number in range(BURST):
            at = burst_began + number * args.interval
            time.sleep(max(0.0, at - time.perf_counter()))
            approve(f"burst-{number}", f"DW2026-90001{number}")
            new_folders |= {p.name for p in builds_folder(site).iterdir()} - folders_before
        span = time.perf_counter() - burst_began
        wait_for(lambda: answers(f"{base}positions/{UNIT}/burst-{BURST - 1}/"))
        wait_for(idle)
        time.sleep(2)  # a build queued by a late request would have started by now
        builds = build_row().builds - before
        new_folders |= {p.name for p in builds_folder(site).iterdir()} - folders_before
        burst_total = time.perf_counter() - burst_began
        print(
            f"burst: {BURST} approvals over {span:.1f} s, last served after {burst_total:.1f} s, "
            f"{builds} builds ({len(new_folders - {'.lock'})} build folders created)"
        )

        load = os.getloadavg()
        print()
        print(f"{'measure':<34}{'value':>10}  {'target':<10}result")
        print("-" * 62)
        rows = [
            (
                "approve -> page served (s)",
                f"{latency:.1f}",
                f"<= {LATENCY_SECONDS:g} s",
                latency <= LATENCY_SECONDS,
            ),
            ("  of which build_and_swap (s)", f"{build_seconds:.1f}", "", None),
            ("  of which queue pick-up (s)", f"{queue_wait:.1f}", "", None),
            (f"builds for {BURST} approvals", str(builds), f"<= {BURST_BUILDS}", builds <= BURST_BUILDS),
            ("  approvals spread over (s)", f"{span:.1f}", "", None),
            ("initial build (s)", f"{initial:.1f}", "", None),
            ("load average (1 min)", f"{load[0]:.1f}", f"{os.cpu_count()} CPUs", None),
        ]
        for name, value, goal, ok in rows:
            verdict = "" if ok is None else ("PASS" if ok else "MISS")
            print(f"{name:<34}{value:>10}  {goal:<10}{verdict}")
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
