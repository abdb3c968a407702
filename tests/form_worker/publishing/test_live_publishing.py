"""A commit is served in seconds from the warm copy a full build leaves (publishing.site): the
spare build takes the update and the link switches to it; the build served until then is never
written through; a full build lays over itself what landed while it ran; a commit whose files fail
validation publishes nothing."""

import json
import os
from pathlib import Path

import pytest

from form_worker.core.models import utcnow
from form_worker.publishing import files as publish_files
from form_worker.publishing import site
from form_worker.publishing.builds import CACHE
from form_worker.publishing.site import BuildError
from form_worker.publishing.tasks import publish_now
from tests.conftest import TODAY, git
from tests.form_worker.conftest import drain
from tests.helpers.positions import NEW_UNIT, SAMPLE_POSITION, new_unit, sample_position


def publish(repo: Path, number: int, title: str = "实时发布的岗位") -> str:
    """Commit a new unit's position as an approval does; return its id."""
    reference = f"DW2026-0001{number:02d}"
    slug = f"live-{number}"
    publish_files.write_submission(
        repo,
        NEW_UNIT,
        new_unit(),
        [(slug, sample_position(title=f"{title}{number}"))],
        reference,
        "王审核",
        utcnow(),
        publish_id=reference,
    )
    return f"{NEW_UNIT}/{slug}"


def page(build: Path, position: str) -> Path:
    return build / "positions" / position / "index.html"


def test_a_commit_is_served_from_the_spare_and_the_served_build_is_left_alone(
    repo: Path, tmp_path: Path
) -> None:
    link = tmp_path / "site"
    first = site.build_and_swap(repo, link, TODAY)
    before = page(first, SAMPLE_POSITION).read_bytes()
    one = publish(repo, 1)

    second = site.publish_change(repo, link, TODAY)

    assert second is not None and link.resolve() == second.resolve() != first.resolve()
    assert "实时发布的岗位1" in page(link, one).read_text(encoding="utf-8")
    # The build served until now is the spare: untouched, without the new page.
    assert not page(first, one).exists() and page(first, SAMPLE_POSITION).read_bytes() == before
    ids = {p["id"] for p in json.loads((link / "positions.json").read_text(encoding="utf-8"))["positions"]}
    assert one in ids

    two = publish(repo, 2)
    third = site.publish_change(repo, link, TODAY)

    # The spare caught up with the update it missed, then took the new one.
    assert third is not None and third.resolve() == first.resolve() == link.resolve()
    assert page(link, one).is_file() and page(link, two).is_file()
    assert not page(second, two).exists()
    # The fast path makes no build folder: it switches between the build and its spare.
    folders = {p.name for p in site.builds_folder(link.absolute()).iterdir() if p.is_dir()}
    assert folders == {first.name, second.name, CACHE}


def test_a_large_catalogue_is_built_apart_and_then_published_live(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """From APART_FROM positions the full build runs in a child process at lower priority; the
    warm copy is still this process's."""
    monkeypatch.setattr(site, "APART_FROM", 1)
    link = tmp_path / "site"
    first = site.build_and_swap(repo, link, TODAY)
    assert page(first, SAMPLE_POSITION).is_file()
    one = publish(repo, 1)
    assert site.publish_change(repo, link, TODAY) is not None and page(link, one).is_file()


def test_without_a_warm_copy_the_full_build_publishes(repo: Path, tmp_path: Path) -> None:
    link = tmp_path / "site"
    site.build_and_swap(repo, link, TODAY)
    publish(repo, 1)
    assert site.publish_change(repo, link, TODAY.replace(day=TODAY.day % 28 + 1)) is None  # the day turned
    other = tmp_path / "other"
    os.symlink(link.resolve(), other)
    assert site.publish_change(repo, other, TODAY) is None  # a build this process did not make


def test_commits_landing_during_a_full_build_are_laid_over_it(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from site_builder import build

    real = build.build_site
    landed = []

    def build_site(*args, **kwargs):
        result = real(*args, **kwargs)
        landed.append(publish(repo, 3, "构建期间发布的岗位"))  # committed after the files were read
        return result

    monkeypatch.setattr(build, "build_site", build_site)
    link = tmp_path / "site"
    site.build_and_swap(repo, link, TODAY)
    assert "构建期间发布的岗位3" in page(link, landed[0]).read_text(encoding="utf-8")


def test_a_commit_with_an_invalid_file_publishes_nothing(repo: Path, tmp_path: Path) -> None:
    link = tmp_path / "site"
    served = site.build_and_swap(repo, link, TODAY)
    broken = repo / "positions" / f"{SAMPLE_POSITION}.yaml"
    broken.write_text(broken.read_text(encoding="utf-8").replace("headcount: 4", "headcount: 很多"))
    git(repo, "commit", "-qam", "Edit by hand")

    with pytest.raises(BuildError, match="headcount"):
        site.publish_change(repo, link, TODAY)

    assert link.resolve() == served.resolve()
    assert site.publish_change(repo, link, TODAY) is None  # the full build names the file from now on


@pytest.mark.backend
def test_an_approval_is_served_before_the_full_build_runs(app, session, repo: Path, tmp_path: Path) -> None:
    app.config.update(POSITIONS_ROOT=str(repo), SITE_DIR=str(tmp_path / "public" / "site"))
    with app.app_context():
        publish_now(app, session)
    drain(app)  # the first build: in full
    position = publish(repo, 4)

    with app.app_context():
        publish_now(app, session)  # what the publishing task does after its commit

    assert page(Path(app.config["SITE_DIR"]), position).is_file()  # before any queued build ran
    drain(app)
    assert page(Path(app.config["SITE_DIR"]), position).is_file()
