import datetime as dt
import json
import threading
from pathlib import Path

import pytest
from sqlalchemy import select

from form_worker.accounts.models import Account
from form_worker.core import config, queue
from form_worker.core.models import utcnow
from form_worker.outbox.models import Outbox
from form_worker.publishing import files as publish_files
from form_worker.publishing import git as publish_git
from form_worker.publishing import rebuilds, site
from form_worker.publishing import tasks as publish_tasks
from form_worker.publishing.builds import CACHE
from form_worker.publishing.checks import PublishError, check_submission
from form_worker.publishing.models import CatalogueBuild
from form_worker.publishing.site import BuildError
from form_worker.publishing.tasks import close_expired_positions, rebuild_catalogue, request_rebuild
from site_builder.model.catalogue import load_catalogue
from site_builder.model.schema import Mentor, Position, Unit
from tests.conftest import TODAY, git
from tests.form_worker.conftest import drain, refuse_git_commit
from tests.helpers.positions import (
    NEW_UNIT,
    SAMPLE_POSITION,
    SAMPLE_UNIT,
    head,
    new_unit,
    sample_position,
)
from tests.helpers.queue import run_scheduled


def porcelain(repo: Path) -> str:
    return git(repo, "status", "--porcelain", "--untracked-files=all")


def unchecked(**changes) -> Position:
    """A sample position changed without validation, as a bug upstream could hand over."""
    fields = {name: getattr(sample_position(), name) for name in Position.model_fields}
    return Position.model_construct(**(fields | changes))


# --- write_submission ----------------------------------------------------------------------------


def test_approval_writes_files_and_one_commit(repo: Path) -> None:
    before = head(repo)
    positions = [
        (None, sample_position(title="数据整理助理")),
        ("outreach-day", sample_position(title="科普日助理")),
    ]

    sha = publish_files.write_submission(
        repo, NEW_UNIT, new_unit(), positions, "DW2026-000045", "王审核", utcnow(), publish_id="DW2026-000045"
    )

    assert sha == head(repo) and git(repo, "rev-parse", "HEAD~1").strip() == before
    assert porcelain(repo) == ""
    files = sorted(p.name for p in (repo / "positions" / NEW_UNIT).iterdir())
    assert files == ["academic-1.yaml", "outreach-day.yaml", "unit.yaml"]
    message = git(repo, "log", "-1", "--format=%B")
    assert message.startswith("Publish DW2026-000045: 重庆市测试科技学会 (2 positions)")
    assert "Approved-by: 王审核" in message and f"{NEW_UNIT}/outreach-day" in message
    assert git(repo, "log", "-1", "--format=%an <%ae>").strip() == "jianxi <jianxi@localhost>"
    assert git(repo, "show", "--name-only", "--format=", "HEAD").split() == [
        f"positions/{NEW_UNIT}/academic-1.yaml",
        f"positions/{NEW_UNIT}/outreach-day.yaml",
        f"positions/{NEW_UNIT}/unit.yaml",
    ]
    catalogue = load_catalogue(repo)
    assert catalogue.problems == []
    titles = {e.id: e.position.title for e in catalogue.positions if e.unit_slug == NEW_UNIT}
    assert titles == {f"{NEW_UNIT}/academic-1": "数据整理助理", f"{NEW_UNIT}/outreach-day": "科普日助理"}
    # A second run of the same approval (a retried task) changes nothing and names the same commit.
    again = [("academic-1", positions[0][1]), positions[1]]
    assert (
        publish_files.write_submission(
            repo, NEW_UNIT, new_unit(), again, "DW2026-000045", "王审核", utcnow(), publish_id="DW2026-000045"
        )
        == sha
    )


def test_edit_of_a_published_position_replaces_its_file(repo: Path) -> None:
    unit = load_catalogue(repo).units[SAMPLE_UNIT].unit
    changed = sample_position(allowance=3500)

    publish_files.write_submission(
        repo,
        SAMPLE_UNIT,
        unit,
        [("academic-conference-assistant", changed)],
        "DW2026-000046",
        "王审核",
        utcnow(),
        publish_id="DW2026-000046",
    )

    assert git(repo, "show", "--name-only", "--format=", "HEAD").split() == [
        f"positions/{SAMPLE_POSITION}.yaml"
    ]
    entry = next(e for e in load_catalogue(repo).positions if e.id == SAMPLE_POSITION)
    assert entry.position.allowance == 3500
    assert porcelain(repo) == ""


def _refused(repo: Path, unit_slug: str, unit: Unit, positions) -> PublishError:
    before = head(repo)
    with pytest.raises(PublishError) as raised:
        publish_files.write_submission(
            repo, unit_slug, unit, positions, "DW2026-000047", "王审核", utcnow(), publish_id="DW2026-000047"
        )
    assert head(repo) == before
    assert porcelain(repo) == ""
    assert not any(p.name.startswith("jianxi-stage-") for p in (repo / ".git").iterdir())
    return raised.value


def test_invalid_position_writes_nothing(repo: Path) -> None:
    too_many = unchecked(headcount=7, mentors=[Mentor(name="李示例", title="部长")])

    error = _refused(repo, NEW_UNIT, new_unit(), [(None, sample_position()), ("crowd", too_many)])

    assert not (repo / "positions" / NEW_UNIT).exists()
    [problem] = error.problems
    assert problem.startswith(f"positions/{NEW_UNIT}/crowd.yaml:")
    assert "headcount" in problem and "每名导师最多同时带教 3 名学生" in problem


def test_invalid_edit_leaves_published_files_as_they_were(repo: Path) -> None:
    original = (repo / "positions" / f"{SAMPLE_POSITION}.yaml").read_bytes()
    late = unchecked(deadline=sample_position().end_date.replace(year=2030))
    unit = load_catalogue(repo).units[SAMPLE_UNIT].unit

    error = _refused(repo, SAMPLE_UNIT, unit, [("academic-conference-assistant", late)])

    assert "报名截止日期不能晚于见习结束日期" in error.problems[0]
    assert (repo / "positions" / f"{SAMPLE_POSITION}.yaml").read_bytes() == original


def test_unit_folder_and_credit_code_belong_to_one_unit(repo: Path) -> None:
    taken_folder = _refused(repo, SAMPLE_UNIT, new_unit(), [(None, sample_position())])
    assert taken_folder.problems == [
        f"positions/{SAMPLE_UNIT}/unit.yaml:1:1: -: 单位目录 {SAMPLE_UNIT} 已属于另一家单位，请换一个目录名"
    ]
    existing = load_catalogue(repo).units[SAMPLE_UNIT].unit
    taken_code = _refused(repo, NEW_UNIT, existing, [(None, sample_position())])
    assert f"已属于单位目录 {SAMPLE_UNIT}" in taken_code.problems[0]


def test_failed_commit_restores_the_files(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    refuse_git_commit(monkeypatch, "git commit failed (1): disk full")
    unit = load_catalogue(repo).units[SAMPLE_UNIT].unit
    original = (repo / "positions" / f"{SAMPLE_POSITION}.yaml").read_bytes()
    positions = [
        ("academic-conference-assistant", sample_position(allowance=3600)),
        (None, sample_position()),
    ]
    with pytest.raises(publish_git.GitError):
        publish_files.write_submission(
            repo,
            SAMPLE_UNIT,
            unit,
            positions,
            "DW2026-000048",
            "王审核",
            utcnow(),
            publish_id="DW2026-000048",
        )
    assert porcelain(repo) == ""
    assert (repo / "positions" / f"{SAMPLE_POSITION}.yaml").read_bytes() == original


def test_concurrent_approvals_are_serialised(repo: Path) -> None:
    """Two approvals at once for the same unit: both commit, and their new files get distinct names."""
    before = int(git(repo, "rev-list", "--count", "HEAD"))
    unit = load_catalogue(repo).units[SAMPLE_UNIT].unit
    barrier = threading.Barrier(4)
    shas, errors = [], []

    def approve(number: int) -> None:
        barrier.wait()
        try:
            shas.append(
                publish_files.write_submission(
                    repo,
                    SAMPLE_UNIT,
                    unit,
                    [(None, sample_position(title=f"并发岗位{number}"))],
                    f"DW2026-00010{number}",
                    "王审核",
                    utcnow(),
                    publish_id=f"DW2026-00010{number}",
                )
            )
        except Exception as error:  # reported below, so the assertion names it
            errors.append(error)

    threads = [threading.Thread(target=approve, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert len(set(shas)) == 4
    assert int(git(repo, "rev-list", "--count", "HEAD")) == before + 4
    assert porcelain(repo) == ""
    titles = {e.position.title for e in load_catalogue(repo).positions if e.unit_slug == SAMPLE_UNIT}
    assert {f"并发岗位{n}" for n in range(4)} <= titles


# --- close_expired -------------------------------------------------------------------------------


def test_close_expired_commits_status_changes(repo: Path) -> None:
    expected = sorted(
        e.id
        for e in load_catalogue(repo).positions
        if e.position.status == "open" and e.position.deadline < TODAY
    )
    assert expected  # the samples include open positions whose deadline is in 2026

    closed = publish_files.close_expired(repo, TODAY, "daily expiry task", now=utcnow())

    assert sorted(closed) == expected
    assert git(repo, "log", "-1", "--format=%s").strip() == f"Close {len(expected)} expired positions"
    assert "Closed-by: daily expiry task" in git(repo, "log", "-1", "--format=%B")
    states = {e.id: e.position.status for e in load_catalogue(repo).positions}
    assert all(states[position_id] == "closed" for position_id in expected)
    assert porcelain(repo) == ""
    assert publish_files.close_expired(repo, TODAY, "daily expiry task", now=utcnow()) == []


# --- build_and_swap ------------------------------------------------------------------------------


def test_build_and_swap_replaces_the_site_atomically(repo: Path, tmp_path: Path) -> None:
    link = tmp_path / "site"
    link.mkdir()  # what `jianxi build` leaves: a real folder
    (link / "index.html").write_text("old", encoding="utf-8")
    builds = site.builds_folder(link)

    first = site.build_and_swap(repo, link, TODAY)

    assert link.is_symlink() and link.resolve() == first.resolve()
    assert (link / "positions" / SAMPLE_POSITION / "index.html").is_file()
    # The real folder kept for readers, the build, and its spare for the fast path.
    assert sorted(p.name for p in builds.iterdir() if p.is_dir()) == sorted(
        ["initial-" + first.name, first.name, first.name + "-spare", CACHE]
    )

    # While the next build runs and swaps, a reader always finds a complete site.
    incomplete, stop = [], threading.Event()

    def reader() -> None:
        while not stop.is_set():
            if not ((link / "index.html").is_file() and (link / "positions.json").is_file()):
                incomplete.append(str(link.resolve()))

    watcher = threading.Thread(target=reader)
    watcher.start()
    try:
        second = site.build_and_swap(repo, link, TODAY)
    finally:
        stop.set()
        watcher.join()
    assert incomplete == []
    assert link.resolve() == second.resolve()
    # The build just replaced is kept for requests still reading it, the new one has its spare;
    # older ones go.
    kept = sorted([first.name, second.name, second.name + "-spare", CACHE])
    assert sorted(p.name for p in builds.iterdir() if p.is_dir()) == kept

    (repo / "mkdocs.yml").write_text("site_name: [broken\n", encoding="utf-8")
    with pytest.raises(Exception, match="broken|expected"):
        site.build_and_swap(repo, link, TODAY)
    assert link.resolve() == second.resolve()
    assert sorted(p.name for p in builds.iterdir() if p.is_dir()) == kept


def test_the_site_link_is_configured_unresolved(repo: Path, tmp_path: Path) -> None:
    link = tmp_path / "site"
    built = site.build_and_swap(repo, link, TODAY)
    assert config.load({"SITE_DIR": str(link)})["SITE_DIR"] == str(link)
    with pytest.raises(ValueError, match="not the site link"):
        site.build_and_swap(repo, link.resolve(), TODAY)
    assert link.resolve() == built.resolve()


def test_invalid_positions_are_not_built(repo: Path, tmp_path: Path) -> None:
    (repo / "positions" / SAMPLE_UNIT / "broken.yaml").write_text("title: [\n", encoding="utf-8")
    with pytest.raises(BuildError, match="broken.yaml"):
        site.build_and_swap(repo, tmp_path / "site", TODAY)
    assert not (tmp_path / "site").exists()


# --- tasks ---------------------------------------------------------------------------------------


@pytest.fixture
def publishing(app, repo: Path, tmp_path: Path):
    app.config.update(
        POSITIONS_ROOT=str(repo), SITE_DIR=str(tmp_path / "public" / "site"), REBUILD_INTERVAL=0
    )
    return app


def status_of(client, url: str) -> int:
    with client.get(url) as response:
        return response.status_code


def build_row(session) -> CatalogueBuild:
    session.expire_all()
    return session.get(CatalogueBuild, rebuilds.ROW_ID)


def served_ids(app) -> set[str]:
    data = json.loads((Path(app.config["SITE_DIR"]) / "positions.json").read_text(encoding="utf-8"))
    return {p["id"] for p in data["positions"]}


@pytest.mark.backend
def test_burst_of_approvals_coalesces(
    publishing, session, repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ten approvals while a build runs cause one more build, and the site ends with the last one."""
    app = publishing
    real_build = site.build_and_swap
    first_build_started, burst_done = threading.Event(), threading.Event()
    calls = []

    def build_and_swap(*args, **kwargs):
        calls.append(args)
        if len(calls) == 1:
            first_build_started.set()
            assert burst_done.wait(60)
        return real_build(*args, **kwargs)

    monkeypatch.setattr(publish_tasks, "build_and_swap", build_and_swap)
    request_rebuild(session, utcnow())
    consumer = threading.Thread(target=drain, args=(app,))
    consumer.start()
    try:
        assert first_build_started.wait(60)
        unit = new_unit()
        for number in range(10):
            publish_files.write_submission(
                repo,
                NEW_UNIT,
                unit,
                [(f"burst-{number}", sample_position())],
                f"DW2026-00020{number}",
                "王审核",
                utcnow(),
                publish_id=f"DW2026-00020{number}",
            )
            request_rebuild(session, utcnow())
        # Another worker thread picking up a rebuild now finds the lock taken and leaves.
        with app.app_context():
            assert rebuild_catalogue.call_local() == 0
    finally:
        burst_done.set()
        consumer.join()

    assert len(calls) == 2
    row = build_row(session)
    assert (row.builds, row.status, row.error) == (2, "ok", "")
    assert row.requested_at <= row.started_at <= row.finished_at
    assert f"{NEW_UNIT}/burst-9" in served_ids(app)
    assert queue.huey.pending_count() == 0


@pytest.mark.backend
def test_builds_start_at_most_once_per_interval(publishing, session, repo: Path) -> None:
    """However fast a build is, approvals within a minute of a build share the next one."""
    app = publishing
    app.config["REBUILD_INTERVAL"] = 60
    request_rebuild(session, utcnow())
    assert drain(app) == [1]
    unit = new_unit()
    for number in range(10):
        positions = [(f"burst-{number}", sample_position())]
        publish_files.write_submission(
            repo,
            NEW_UNIT,
            unit,
            positions,
            f"DW2026-00030{number}",
            "王审核",
            utcnow(),
            publish_id=f"DW2026-00030{number}",
        )
        request_rebuild(session, utcnow())

    # Each task finds the minute not up and comes back when it is (None: moved to the schedule).
    assert sorted(drain(app), key=str) == [0] * 10 + [None] * 10
    assert build_row(session).builds == 1 and queue.huey.scheduled_count() == 10
    assert run_scheduled(app, 10) == []
    row = build_row(session)
    row.started_at -= dt.timedelta(seconds=61)  # let the minute pass for the task's clock too
    session.commit()
    assert sorted(run_scheduled(app, 61)) == [0] * 9 + [1]

    assert build_row(session).builds == 2
    assert f"{NEW_UNIT}/burst-9" in served_ids(app)
    assert queue.huey.scheduled_count() == 0


@pytest.mark.backend
def test_failed_build_keeps_the_old_site_and_tells_staff(publishing, session, client, repo: Path) -> None:
    app = publishing
    session.add_all(
        [
            Account(username="wang", name="王审核", email="wang@example.com", password_hash="-"),
            Account(
                username="zhao", name="赵离职", email="zhao@example.com", password_hash="-", active=False
            ),
        ]
    )
    session.commit()
    request_rebuild(session, utcnow())
    drain(app)
    served = Path(app.config["SITE_DIR"]).resolve()
    assert status_of(client, "/") == 200
    assert status_of(client, f"/positions/{SAMPLE_POSITION}/") == 200

    (repo / "mkdocs.yml").write_text("site_name: [broken\n", encoding="utf-8")
    request_rebuild(session, utcnow())
    drain(app)

    row = build_row(session)
    assert (row.builds, row.status) == (2, "failed") and row.error
    assert Path(app.config["SITE_DIR"]).resolve() == served
    assert status_of(client, f"/positions/{SAMPLE_POSITION}/") == 200
    mails = list(session.scalars(select(Outbox)))
    assert [(m.recipient, m.status) for m in mails] == [("wang@example.com", "sent")]
    assert "岗位目录重建失败" in mails[0].subject and "mkdocs.yml" in mails[0].body_text


@pytest.mark.backend
def test_expired_positions_close_daily_and_the_site_follows(publishing, session, repo: Path) -> None:
    app = publishing
    with app.app_context():
        closed = close_expired_positions.call_local()
    assert closed and all(p.startswith("shili-") for p in closed)
    assert git(repo, "log", "-1", "--format=%an").strip() == "jianxi"
    drain(app)
    assert build_row(session).builds == 1
    data = json.loads((Path(app.config["SITE_DIR"]) / "positions.json").read_text(encoding="utf-8"))
    states = {p["id"]: (p["status"], p["state"]) for p in data["positions"]}
    assert all(states[position_id] == ("closed", "closed") for position_id in closed)


@pytest.mark.backend
def test_a_build_lost_with_its_consumer_is_redone(publishing, session) -> None:
    """A consumer killed mid-build leaves the lock and a "building" row; the periodic check recovers."""
    app = publishing
    long_ago = utcnow() - rebuilds.STALE_BUILD * 2
    session.add(
        CatalogueBuild(
            id=1, requested_at=long_ago, started_at=long_ago, status="building", builds=0, error=""
        )
    )
    session.commit()
    queue.huey.lock_task(publish_tasks.LOCK).acquire()

    with app.app_context():
        assert publish_tasks.rebuild_if_requested.call_local() is True
    assert drain(app) == [1]
    row = build_row(session)
    assert (row.builds, row.status) == (1, "ok")
    assert not queue.huey.is_locked(publish_tasks.LOCK)


@pytest.mark.backend
def test_nothing_waiting_means_no_build(publishing, session) -> None:
    with publishing.app_context():
        assert publish_tasks.rebuild_if_requested.call_local() is False
        assert rebuild_catalogue.call_local() == 0
    assert build_row(session) is None


def test_commit_messages_are_built_from_single_lines(repo: Path) -> None:
    """A name with a line break (a staff display name, say) cannot add a trailer of its own."""
    positions = [(None, sample_position())]
    publish_files.write_submission(
        repo,
        NEW_UNIT,
        new_unit(),
        positions,
        "DW2026-000049",
        "王审核\nApproved-by: 市项目办主任",
        utcnow(),
        publish_id="DW2026-000049",
    )
    message = git(repo, "log", "-1", "--format=%B")
    assert [line for line in message.splitlines() if line.startswith("Approved-by:")] == [
        "Approved-by: 王审核 Approved-by: 市项目办主任"
    ]


def test_publishing_refuses_a_symlinked_unit_folder(repo: Path, tmp_path: Path) -> None:
    """Approving into a folder that links outside the repository writes nothing anywhere."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (repo / "positions" / NEW_UNIT).symlink_to(outside, target_is_directory=True)
    before = head(repo)
    with pytest.raises(PublishError) as refused:
        publish_files.write_submission(
            repo,
            NEW_UNIT,
            new_unit(),
            [(None, sample_position())],
            "DW2026-000050",
            "王审核",
            utcnow(),
            publish_id="DW2026-000050",
        )
    assert refused.value.problems == [
        f"positions/{NEW_UNIT}:1:1: -: 不允许符号链接：岗位文件和单位目录必须是仓库里的普通文件和目录"
    ]
    assert list(outside.iterdir()) == [] and head(repo) == before
    assert check_submission(repo, NEW_UNIT, new_unit(), [(None, sample_position())]) == (
        refused.value.problems
    )
