"""The catalogue's version is the working copy's commit, read without git; every request and task
compares it and reloads the positions at once when publishing moved it."""

from pathlib import Path

from form_worker.applications.intake.tasks import check_application
from form_worker.applications.models import Application
from form_worker.catalogue.positions import PositionSource
from form_worker.catalogue.version import NO_VERSION, head_commit
from form_worker.core.models import utcnow
from form_worker.publishing import files as publish_files
from tests.conftest import git
from tests.form_worker.conftest import recorded_application
from tests.helpers.positions import NEW_UNIT, head, new_unit, sample_position


def publish_one(repo: Path, title: str = "刚发布的岗位") -> str:
    """Publish one new position as the publishing task does; return its id."""
    publish_files.write_submission(
        repo,
        NEW_UNIT,
        new_unit(),
        [(None, sample_position(title=title))],
        "DW2026-000001-AAAA",
        "王审核",
        utcnow(),
        publish_id="f" * 32,
    )
    return next(
        f"{NEW_UNIT}/{p.stem}"
        for p in (repo / "positions" / NEW_UNIT).glob("*.yaml")
        if p.name != "unit.yaml"
    )


def test_the_version_is_heads_commit_however_git_keeps_it(repo: Path, tmp_path: Path) -> None:
    assert head_commit(repo) == head(repo)
    publish_one(repo)
    assert head_commit(repo) == head(repo)
    git(repo, "pack-refs", "--all", "--prune")  # what `git gc` does to the branch's ref file
    assert not list((repo / ".git" / "refs" / "heads").iterdir())
    assert head_commit(repo) == head(repo)
    git(repo, "worktree", "add", "-q", "--detach", str(tmp_path / "worktree"), "HEAD~1")
    assert head_commit(tmp_path / "worktree") == git(repo, "rev-parse", "HEAD~1").strip()
    assert head_commit(tmp_path / "not-a-repository") == NO_VERSION


def test_a_position_published_a_moment_ago_is_offered_at_once(repo: Path) -> None:
    source = PositionSource(repo, recheck_seconds=3600)  # no look at the files in the background
    before = source.get()
    assert source.get() is before  # nothing moved: the same tree, not loaded again
    new_id = publish_one(repo)
    assert new_id not in before.by_id and new_id in source.get().by_id


def test_an_application_right_after_publishing_is_checked_against_the_new_position(
    app, session, repo: Path
) -> None:
    app.config["POSITIONS_ROOT"] = str(repo)
    app.extensions["jianxi.positions"] = PositionSource(repo, recheck_seconds=3600)
    with app.app_context():
        app.extensions["jianxi.positions"].get()  # a running worker has the tree already
    new_id = publish_one(repo)
    received = recorded_application(app, session, [new_id])
    with app.app_context():
        assert check_application.call_local(received.id) == "checked"
    session.expire_all()
    application = session.get(Application, received.id)
    assert application.state == "checked" and application.flag is None
