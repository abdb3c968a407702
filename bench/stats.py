"""Benchmark the office's statistics page (its kept figures and the cold path) and the national
filing export, against the office's dashboard in the same run, for two versions of the worker.

Run from the repository root, with a checkout of the code to compare against (main, say):

    git worktree add --detach /tmp/stats-before main
    .venv/bin/python bench/stats.py --before /tmp/stats-before [--applications N] [--positions P]
        [--repeat R] [--filing F] [--filing-repeat K] [--profile]
        [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/test]
    git worktree remove /tmp/stats-before

In a temporary folder the script writes P (default 5,000) synthetic positions and inserts N (default
20,000) applications of one programme year with the generator of bench/queues.py (choices skewed
towards popular positions, the history of every step, placements), its state shares set so that
about 3,000 placements have a signed agreement. Each of those gets 6 months of attendance and of
allowance payments; each completed one a mentor's evaluation (one in ten ended early with a
reason), and one in fifty is marked as a typical case. Applications get a discipline (学科门类) and
one in twenty consented priority groups. A SQLite file by default; with --database-url a new
PostgreSQL schema, dropped afterwards. The schema is this checkout's (its migrations at head).

Each version of the worker runs in a process of its own (this checkout's, and --before's when
given: its form_worker and site_builder come first on the path), made with create_app on the same
database, an admin logged in with Flask's test client (so the priority groups are computed and each
view audited, the dearest case); time.perf_counter around each request in that process is server
time. This process sends the requests, R (default 20) rounds of them, each round to both versions,
which goes first alternating: the anchor GET /staff/ (the dashboard: four GROUP BYs), then
/staff/stats twice: "warm", the data unchanged since the version last computed the page, and
"cold", right after a new application arrived (this process copies an existing one, its choices
and its first history row: every figure that counts applications moves), and the filtered page,
the summary evaluation and the statistics workbook warm. A warm request is timed right after an
untimed one of the same (the other version's cold page has moved the data version since the
last). Ratios are p95 over the same version's dashboard p95 in the same rounds (target: the
statistics page within 5 times the dashboard).

Then the national filing export: F (default 5,000, what the office files at 20,000 applications in
bench/queues.py; 20,000 for every application) applications are set to approved_by_city_office,
and K (default 5) times, each version in turn, POST /staff/filing files them all as one batch (the
state moves with history, emails and audit entries, the kept .xlsx, the emails queued), after which
this process puts them back (and deletes the batch's emails, which the next export would queue
again). Beside each, the floor: openpyxl's write-only mode writing the same rows, read from the
batch's file, and nothing else (target: the export within 1 s).
--profile prints one cold statistics page and one export of this checkout under cProfile.
It exits 0 whatever the figures: it is a measurement, not a test.
"""

import argparse
import cProfile
import datetime as dt
import io
import json
import os
import pstats
import random
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import queues
from openpyxl import Workbook, load_workbook
from queues import bench_app, database, insert_data, log_in, make_data, percentile, request, write_positions
from sqlalchemy import Engine, bindparam, create_engine, event, insert, select, text

from form_worker.accounts.services import create_account
from form_worker.applications.intake.forms import MAJOR_GROUPS, PRIORITY_GROUPS
from form_worker.applications.models import (
    AllowancePayment,
    Application,
    Attendance,
    Choice,
    Evaluation,
    Transition,
)
from form_worker.applications.workfile.rules import CRITERIA, GRADES
from form_worker.core import db

ROOT = Path(__file__).resolve().parent.parent
PAGE_RATIO = 5.0
EXPORT_SECONDS = 1.0
WARM_UPS = 3
YEAR = queues.YEAR
MONTHS = 6
# The shares of bench/queues.py, moved towards placements: some 3,000 of 20,000 reach an agreement.
STATE_SHARES = {
    "submitted": 0.05,
    "checked": 0.15,
    "recommended_by_university": 0.13,
    "approved_by_city_office": 0.17,
    "filed": 0.13,
    "offered": 0.05,
    "agreement_signed": 0.035,
    "active": 0.065,
    "completed": 0.045,
    "withdrawn": 0.06,
    "rejected": 0.10,
}

DEGREES = {"硕士研究生": "硕士", "大专": "专科"}  # queues.py's words, as the form records them


@dataclass
class WorkFiles:
    attendance: list[dict] = field(default_factory=list)
    payments: list[dict] = field(default_factory=list)
    evaluations: list[dict] = field(default_factory=list)


def enrich(data: queues.Data, rng: random.Random) -> int:
    """The fields statistics read that queues.py leaves out; returns placements with an agreement."""
    states = {a["id"]: a["state"] for a in data.applications}
    for a in data.applications:
        consent = rng.random() < 0.05
        a |= {
            "programme_year": YEAR,
            "degree": DEGREES.get(a["degree"], a["degree"]),
            "major_group": rng.choice([*MAJOR_GROUPS, None]),
            "priority_consent": consent,
            "priority_groups": rng.sample(PRIORITY_GROUPS, rng.randint(1, 2)) if consent else None,
        }
    agreed = 0
    for p in data.placements:
        completed = states[p["application_id"]] == "completed"
        early = completed and rng.random() < 0.1
        typical = p["start_date"] is not None and rng.random() < 0.02
        agreed += p["start_date"] is not None
        p |= {
            "finished_on": (p["end_date"] - dt.timedelta(days=30 if early else 0)) if completed else None,
            "early_end_reason": "考取研究生" if early else None,
            "typical_case": typical,
            "case_story": "在科普活动中独立策划了三场面向中小学生的讲座，受到学校好评。" if typical else "",
        }
    return agreed


def work_files(data: queues.Data, ids: dict[int, int], rng: random.Random) -> WorkFiles:
    """Six months of attendance and allowance for every placement with an agreement; an evaluation
    for every completed one. `ids` maps application id to placement id."""
    states = {a["id"]: a["state"] for a in data.applications}
    files = WorkFiles()
    for p in data.placements:
        if p["start_date"] is None:
            continue
        placement_id = ids[p["application_id"]]
        month = p["start_date"].replace(day=1)
        for _ in range(MONTHS):
            absent = rng.choice((0, 0, 0, 1))
            files.attendance.append(
                {
                    "placement_id": placement_id,
                    "month": month,
                    "expected": 21,
                    "present": 21 - absent,
                    "personal_leave": 0,
                    "sick_leave": 0,
                    "absent": absent,
                    "note": "",
                    "updated_by": "bench",
                }
            )
            files.payments.append(
                {
                    "placement_id": placement_id,
                    "month": month,
                    "amount": 3000,
                    "paid_on": month + dt.timedelta(days=40),
                    "updated_by": "bench",
                }
            )
            month = (month + dt.timedelta(days=32)).replace(day=1)
        if states[p["application_id"]] == "completed":
            files.evaluations.append(
                {
                    "placement_id": placement_id,
                    "scores": {name: rng.randint(3, 5) for name in CRITERIA},
                    "comment": "",
                    "grade": rng.choices(GRADES, weights=(4, 4, 2, 0.2))[0],
                    "author": "bench",
                }
            )
    return files


def insert_work_files(engine: Engine, data: queues.Data, rng: random.Random) -> WorkFiles:
    with engine.connect() as connection:
        ids: dict[int, int] = dict(
            connection.exec_driver_sql("SELECT application_id, id FROM placement").all()
        )
    files = work_files(data, ids, rng)
    with engine.begin() as connection:
        for model, rows in (
            (Attendance, files.attendance),
            (AllowancePayment, files.payments),
            (Evaluation, files.evaluations),
        ):
            for start in range(0, len(rows), 5000):
                connection.execute(insert(model.__table__), rows[start : start + 5000])
    return files


# ---------------------------------------------------------------- one version of the worker


def serve(args: argparse.Namespace) -> None:
    """A version's process: requests from stdin (one JSON object a line), timings to stdout."""
    import form_worker  # from the tree given, which PYTHONPATH puts first

    folder = Path(args.serve)
    app = bench_app(folder, args.url, Path(args.project), f"bench-stats-{folder.name}")
    app.extensions["jianxi.positions"].get()
    engine: Engine = db.sessions(app).kw["bind"]
    statements = [0]
    event.listen(engine, "before_cursor_execute", lambda *_: statements.__setitem__(0, statements[0] + 1))
    admin = log_in(app, "admin")
    print(json.dumps({"code": str(Path(form_worker.__file__).parent.parent)}), flush=True)
    for line in sys.stdin:
        asked = json.loads(line)
        before = statements[0]
        call = (asked["method"], asked["path"], asked["expect"], asked.get("data"))
        if asked.get("profile"):
            profile = cProfile.Profile()
            response, seconds = profile.runcall(request, admin, *call)
            out = io.StringIO()
            pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(
                r"form_worker|sqlalchemy/engine|jinja2/environment|openpyxl/writer|pygal/graph/public|huey/api",
                25,
            )
            sys.stderr.write(f"\n--- cProfile of {asked['method']} {asked['path']} ---\n{out.getvalue()}")
        else:
            response, seconds = request(admin, *call)
        answer = {"seconds": seconds, "statements": statements[0] - before, "size": len(response.get_data())}
        print(json.dumps(answer), flush=True)


class Version:
    """A worker process of one checkout, answering requests in turn."""

    def __init__(self, label: str, tree: Path, folder: Path, url: str, project: Path) -> None:
        self.label = label
        folder.mkdir()
        env = os.environ | {"PYTHONPATH": str(tree)}
        command = [sys.executable, __file__, "--serve", str(folder), "--url", url, "--project", str(project)]
        self.process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env
        )
        self.code = self._read()["code"]

    def _read(self) -> dict[str, Any]:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            raise SystemExit(f"the {self.label} worker stopped; see its error above")
        return json.loads(line)

    def ask(self, method: str, path: str, expect: int = 200, profile: bool = False) -> dict[str, Any]:
        assert self.process.stdin is not None
        data = {"year": str(YEAR)} if method == "POST" and path.endswith(".xlsx") else None
        asked = {"method": method, "path": path, "expect": expect, "data": data, "profile": profile}
        self.process.stdin.write(json.dumps(asked) + "\n")
        self.process.stdin.flush()
        return self._read()

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait()


# ---------------------------------------------------------------- the measurements


@dataclass
class Timed:
    label: str
    path: str
    method: str = "GET"
    cold: bool = False  # the data changed just before
    seconds: dict[str, list[float]] = field(default_factory=dict)
    statements: dict[str, int] = field(default_factory=dict)


class Arrivals:
    """New applications, as the form would record them at the peak: each a copy of an existing one
    (its answers and choices) with a reference of its own, submitted, in one transaction. Every
    figure that counts applications moves, as with a real arrival; the data version moves with them."""

    def __init__(self, url: str) -> None:
        self.engine = create_engine(url)
        self.copied = 0

    def arrive(self) -> None:
        self.copied += 1
        with self.engine.begin() as connection:
            row = dict(
                connection.execute(select(Application).where(Application.id == self.copied)).mappings().one()
            )
            number = 900_000 + self.copied
            row |= {
                "id": None,
                "reference": f"JX{YEAR}-{number}",
                "phone": f"19{number:09d}",
                "email": f"arrival{number}@example.com",
                "state": "submitted",
                "filing_batch_id": None,
            }
            del row["id"]
            new = connection.execute(insert(Application).returning(Application.id), row).scalar_one()
            choices = connection.execute(
                select(Choice.rank, Choice.position_id).where(Choice.application_id == self.copied)
            ).all()
            connection.execute(
                insert(Choice), [{"application_id": new, "rank": r, "position_id": p} for r, p in choices]
            )
            connection.execute(
                insert(Transition), {"application_id": new, "to_state": "submitted", "actor": "bench"}
            )


def measure_pages(versions: list[Version], pages: list[Timed], repeat: int, arrivals: Arrivals) -> None:
    for version in versions:
        for page in pages:
            for _ in range(WARM_UPS):
                version.ask(page.method, page.path)
            if page.cold:
                arrivals.arrive()
            page.statements[version.label] = version.ask(page.method, page.path)["statements"]
            page.seconds[version.label] = []
    for round_ in range(repeat):
        for version in versions if round_ % 2 == 0 else reversed(versions):
            for page in pages:
                if page.cold:
                    arrivals.arrive()
                elif page is not pages[0]:
                    version.ask(page.method, page.path)  # since the other version's cold page
                page.seconds[version.label].append(version.ask(page.method, page.path)["seconds"])


def bare_floor(content: bytes) -> float:
    """openpyxl's write-only mode writing the rows of a filing file (its values, no styles)."""
    rows = list(load_workbook(io.BytesIO(content), read_only=True).active.iter_rows(values_only=True))
    start = time.perf_counter()
    book = Workbook(write_only=True)
    sheet = book.create_sheet("全国备案名单")
    for row in rows:
        sheet.append(row)
    book.save(io.BytesIO())
    return time.perf_counter() - start


APPROVED = "state = 'approved_by_city_office', filing_batch_id = NULL"


def measure_filing(
    versions: list[Version], url: str, count: int, repeat: int, profile: bool
) -> dict[str, list[float]]:
    """Each version files the same `count` applications `repeat` times; the floor beside each."""
    engine = create_engine(url)
    with engine.begin() as connection:
        ids = connection.scalars(
            text("SELECT id FROM application ORDER BY state <> 'approved_by_city_office', id LIMIT :n"),
            {"n": count},
        ).all()
        connection.execute(
            text(f"UPDATE application SET {APPROVED} WHERE id IN :ids").bindparams(
                bindparam("ids", expanding=True)
            ),
            {"ids": list(ids)},
        )
    times: dict[str, list[float]] = {v.label: [] for v in versions} | {"floor": []}
    for round_ in range(repeat):
        for version in versions if round_ % 2 == 0 else reversed(versions):
            times[version.label].append(version.ask("POST", "/staff/filing", 303)["seconds"])
            with engine.begin() as connection:
                batch, content = connection.execute(
                    text("SELECT id, content FROM filing_batch ORDER BY id DESC LIMIT 1")
                ).one()
                # Its emails too: left pending, the next export would queue them again.
                connection.execute(
                    text(
                        "DELETE FROM outbox WHERE status = 'pending' AND application_id IN "
                        "(SELECT id FROM application WHERE filing_batch_id = :batch)"
                    ),
                    {"batch": batch},
                )
                moved = connection.execute(
                    text(f"UPDATE application SET {APPROVED} WHERE filing_batch_id = :batch"),
                    {"batch": batch},
                ).rowcount
            assert moved == len(ids), (moved, len(ids))
            times["floor"].append(bare_floor(content))
    if profile:
        versions[-1].ask("POST", "/staff/filing", 303, profile=True)
    engine.dispose()
    return times


# ---------------------------------------------------------------- the run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path, help="a checkout of the code to compare against (main)")
    parser.add_argument("--applications", type=int, default=20_000)
    parser.add_argument("--positions", type=int, default=5000)
    parser.add_argument("--universities", type=int, default=70)
    parser.add_argument("--repeat", type=int, default=20, help="rounds of page requests")
    parser.add_argument("--filing", type=int, default=5000, help="applications filed in one batch")
    parser.add_argument("--filing-repeat", type=int, default=5, help="batches each version files")
    parser.add_argument("--database-url", help="a PostgreSQL database to make a schema in (default SQLite)")
    parser.add_argument("--profile", action="store_true", help="cProfile a cold page and an export")
    parser.add_argument("--serve", help=argparse.SUPPRESS)  # a version's process: its folder
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--project", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args)
        return
    target = Path(tempfile.mkdtemp(prefix="jianxi-bench-stats-"))
    try:
        with database(args.database_url, target) as url:
            run(args, target, url)
    finally:
        shutil.rmtree(target, ignore_errors=True)


def set_up(args: argparse.Namespace, target: Path, url: str) -> Path:
    """The positions and the data; returns the project folder."""
    began = time.perf_counter()
    project = target / "project"
    posts = write_positions(project, args.positions)
    db.upgrade(url)
    queues.STATE_SHARES = STATE_SHARES  # state_list() reads the module's shares
    data = make_data(posts, args.applications, args.universities)
    rng = random.Random(7)
    agreed = enrich(data, rng)
    app = bench_app(target / "setup", url, project, "bench-stats")
    engine: Engine = db.sessions(app).kw["bind"]
    insert_data(engine, data)
    files = insert_work_files(engine, data, rng)
    with db.sessions(app)() as session, app.app_context():
        create_account(session, "admin", "管理员", queues.PASSWORD, "admin", "admin@jianxi.test")
    engine.dispose()
    print(
        f"{engine.dialect.name}: {len(data.applications)} applications, {len(data.choices)} choices, "
        f"{len(data.transitions)} transitions, {len(data.placements)} placements ({agreed} with an "
        f"agreement), {len(files.attendance)} attendance months, {len(files.payments)} payments, "
        f"{len(files.evaluations)} evaluations; {len(posts)} positions; set up in "
        f"{time.perf_counter() - began:.1f} s"
    )
    return project


def run(args: argparse.Namespace, target: Path, url: str) -> None:
    began = time.perf_counter()
    project = set_up(args, target, url)
    trees = [("before", args.before)] if args.before else []
    versions = [
        Version(label, tree, target / label, url, project) for label, tree in [*trees, ("after", ROOT)]
    ]
    for version in versions:
        print(f"{version.label}: {version.code}")
    pages = [
        Timed("anchor: GET /staff/ (dashboard)", "/staff/"),
        Timed("GET /staff/stats, warm", "/staff/stats"),
        Timed("GET /staff/stats, cold (data changed)", "/staff/stats", cold=True),
        Timed("  type and district, warm", "/staff/stats?type=科普助理&district=渝中区"),
        Timed("GET /staff/reports/summary, warm", "/staff/reports/summary"),
        Timed("POST /staff/stats.xlsx, warm", "/staff/stats.xlsx", "POST"),
    ]
    arrivals = Arrivals(url)
    started = time.perf_counter()
    measure_pages(versions, pages, args.repeat, arrivals)
    print(f"pages timed in {time.perf_counter() - started:.1f} s; load average {os.getloadavg()[0]:.2f}")
    if args.profile:
        arrivals.arrive()
        versions[-1].ask("GET", "/staff/stats", profile=True)
    arrivals.engine.dispose()
    started = time.perf_counter()
    filing = measure_filing(versions, url, args.filing, args.filing_repeat, args.profile)
    print(f"filing timed in {time.perf_counter() - started:.1f} s; load average {os.getloadavg()[0]:.2f}\n")
    for version in versions:
        version.close()
    report(versions, pages, filing, args)
    print(f"{os.cpu_count()} CPUs; {url.split(':')[0]}; Python {sys.version.split()[0]}")
    print(f"whole run {time.perf_counter() - began:.0f} s")


def report(versions: list[Version], pages: list[Timed], filing: dict[str, list[float]], args) -> None:
    labels = [v.label for v in versions]
    anchor = pages[0]
    header = "".join(f"{f'{label}: SQL  p50 / p95 ms  ÷dash':>36}" for label in labels)
    print(f"{'request (server time, admin)':<40}{header}")
    print("-" * (40 + 36 * len(labels)))
    for page in pages:
        cells = []
        for label in labels:
            p50, p95 = percentile(page.seconds[label], 50), percentile(page.seconds[label], 95)
            ratio = "" if page is anchor else f"{p95 / percentile(anchor.seconds[label], 95):.1f}×"
            cells.append(f"{page.statements[label]:>9}{p50 * 1000:>9.1f} /{p95 * 1000:>7.1f}{ratio:>9}")
        print(f"{page.label:<40}{''.join(cells)}")
    print("-" * (40 + 36 * len(labels)))
    floor = filing["floor"]
    cells = "".join(
        f"{'':>9}{percentile(filing[label], 50):>8.2f}s /{max(filing[label]):>6.2f}s{'':>9}"
        for label in labels
    )
    print(f"{f'POST /staff/filing, {args.filing} rows':<40}{cells}")
    floor_cells = f"{'':>9}{percentile(floor, 50):>8.2f}s /{max(floor):>6.2f}s"
    print(f"{'  floor: openpyxl write-only, same rows':<40}{floor_cells}")
    print(
        f"\n{args.repeat} rounds of pages (p50 / p95; ÷dash: p95 ÷ the same version's dashboard p95, target "
        f"<= {PAGE_RATIO:g}×); {args.filing_repeat} batches each (p50 / slowest, target "
        f"<= {EXPORT_SECONDS:g} s); SQL: statements of one request. Load average {os.getloadavg()[0]:.2f}."
    )


if __name__ == "__main__":
    main()
