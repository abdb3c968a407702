"""已招满 flows back to the files: all places signed marks a position filled in git (and the
catalogue and /apply follow); a place freed before the start opens it again; a unit's own 已招满 stays."""

import re
from pathlib import Path

import pytest
from sqlalchemy import update

from form_worker.applications.models import Application
from form_worker.applications.selection.tasks import reflect_filled_positions
from form_worker.catalogue.positions import PositionSource
from form_worker.core.models import utcnow
from form_worker.publishing.models import CatalogueBuild
from form_worker.publishing.tasks import rebuild_catalogue, request_rebuild
from site_builder.model.catalogue import load_catalogue
from tests.conftest import git
from tests.form_worker.conftest import OPEN_POSITION
from tests.helpers.workfiles import intern

PATH = f"positions/{OPEN_POSITION}.yaml"


@pytest.fixture
def on_repo(app, repo: Path):
    """The worker reading and publishing positions in a temporary working copy."""
    app.config["POSITIONS_ROOT"] = str(repo)
    app.extensions["jianxi.positions"] = PositionSource(repo)
    return app


def status(repo: Path) -> str:
    return next(e.position.status for e in load_catalogue(repo).positions if e.id == OPEN_POSITION)


def sign_every_place(app, session) -> list[int]:
    headcount = next(
        e.position.headcount
        for e in load_catalogue(Path(app.config["POSITIONS_ROOT"])).positions
        if e.id == OPEN_POSITION
    )
    return [
        intern(
            app, session, state="agreement_signed", phone=f"1390000{n:04d}", email=f"s{n}@example.com"
        ).application_id
        for n in range(headcount)
    ]


def test_a_position_with_every_place_signed_is_filled_then_opens_when_one_frees(
    on_repo, session, repo: Path
) -> None:
    signed = sign_every_place(on_repo, session)
    with on_repo.app_context():
        assert reflect_filled_positions.call_local() == [OPEN_POSITION]
        assert reflect_filled_positions.call_local() == []  # nothing more to write
    assert status(repo) == "filled"
    message = git(repo, "log", "-1", "--format=%B")
    assert message.startswith("Mark positions filled") and f"{OPEN_POSITION}: 4 of 4 places signed" in message
    assert git(repo, "log", "-1", "--format=%(trailers:key=Jianxi-Status,valueonly)").strip() == "filled"
    assert session.get(CatalogueBuild, 1).requested_at is not None

    page = on_repo.test_client().get("/apply", query_string={"position": OPEN_POSITION}).text
    assert "已招满" in page
    offered = re.findall(r'<ul id="instead">(.*?)</ul>', page, re.S)
    assert offered and "position=" in offered[0] and OPEN_POSITION.replace("/", "%2F") not in offered[0]

    session.execute(update(Application).where(Application.id == signed[0]).values(state="withdrawn"))
    session.commit()
    with on_repo.app_context():
        assert reflect_filled_positions.call_local() == [OPEN_POSITION]
    assert status(repo) == "open"
    assert "3 of 4 signed" in git(repo, "log", "-1", "--format=%B")


def test_a_units_own_filled_is_left_as_it_is(on_repo, session, repo: Path) -> None:
    text = (repo / PATH).read_text(encoding="utf-8")
    (repo / PATH).write_text(text.replace("status: open", "status: filled"), encoding="utf-8")
    git(repo, "commit", "-q", "-am", "The unit filled it by its own means")
    before = git(repo, "rev-parse", "HEAD")
    with on_repo.app_context():
        assert reflect_filled_positions.call_local() == []
    assert status(repo) == "filled" and git(repo, "rev-parse", "HEAD") == before


def test_the_worker_built_catalogue_shows_the_places_left(
    on_repo, session, repo: Path, tmp_path: Path
) -> None:
    on_repo.config.update(SITE_DIR=str(tmp_path / "public" / "site"), REBUILD_INTERVAL=0)
    intern(on_repo, session, state="agreement_signed", phone="13900000001", email="a@example.com")
    intern(on_repo, session, state="offered", phone="13900000002", email="b@example.com")
    with on_repo.app_context():
        request_rebuild(session, utcnow())
        assert rebuild_catalogue.call_local() == 1
    page = (tmp_path / "public" / "site" / "positions" / OPEN_POSITION / "index.html").read_text(
        encoding="utf-8"
    )
    assert re.search(r'<dd id="places-left"><strong>2</strong> 人', page)
