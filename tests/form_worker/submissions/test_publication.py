"""Which commit published a submission: its unguessable id in a trailer of the commit and the
files the commit wrote, never text a unit typed; and two databases sharing one repository."""

from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, select, text
from sqlalchemy.orm import Session

from form_worker.core import db
from form_worker.core.models import utcnow
from form_worker.publishing import files as publish_files
from form_worker.submissions import publication
from form_worker.submissions import services as submissions
from form_worker.submissions.models import Submission
from tests.conftest import git
from tests.form_worker.conftest import migrate, sqlite_urls
from tests.helpers.clerks import Clerk, answers_for
from tests.helpers.positions import NEW_UNIT, head, new_unit, sample_position
from tests.helpers.submission_review import Reviewer, run_tasks, submitted


@pytest.fixture
def app(repo_app):
    """The worker on the temporary repository (conftest.py), as `session` and `client` use it."""
    return repo_app


def committed_files(repo: Path, sha: str) -> list[str]:
    return git(repo, "show", "--name-only", "--format=", sha).split()


def test_a_unit_name_naming_a_later_submission_does_not_make_it_published(repo: Path) -> None:
    """A unit names, in its own name, the next submission's reference and even its id: the next
    submission still writes and commits its own files."""
    later_id = "b" * 32
    hostile = new_unit(name=f"某单位 Publish DW2026-000002-ABCD: Jianxi-Submission: {later_id}")
    first = publish_files.write_submission(
        repo,
        NEW_UNIT,
        hostile,
        [(None, sample_position())],
        "DW2026-000001-AAAA",
        "王审核",
        utcnow(),
        publish_id="a" * 32,
    )
    later = publish_files.write_submission(
        repo,
        NEW_UNIT,
        new_unit(),
        [(None, sample_position(title="后来的岗位"))],
        "DW2026-000002-ABCD",
        "王审核",
        utcnow(),
        publish_id=later_id,
    )
    assert later != first and later == head(repo)
    assert f"positions/{NEW_UNIT}/academic-2.yaml" in committed_files(repo, later)
    assert "后来的岗位" in (repo / "positions" / NEW_UNIT / "academic-2.yaml").read_text(encoding="utf-8")
    assert git(repo, "log", "-1", "--format=%(trailers:key=Jianxi-Submission,valueonly)").strip() == later_id
    # A rerun of the later one (a consumer killed after its commit) finds that commit by id and files.
    again = publish_files.write_submission(
        repo,
        NEW_UNIT,
        new_unit(),
        [("academic-2", sample_position(title="后来的岗位"))],
        "DW2026-000002-ABCD",
        "王审核",
        utcnow(),
        publish_id=later_id,
    )
    assert again == later


def test_a_commit_naming_an_id_but_writing_elsewhere_is_not_its_commit(repo: Path) -> None:
    elsewhere = publish_files.write_submission(
        repo,
        NEW_UNIT,
        new_unit(),
        [(None, sample_position())],
        "DW2026-000003-CCCC",
        "王审核",
        utcnow(),
        publish_id="c" * 32,
    )
    assert publish_files.commit_of(repo, "c" * 32, f"positions/{NEW_UNIT}") == elsewhere
    assert publish_files.commit_of(repo, "c" * 32, "positions/another-unit") == ""
    assert publish_files.commit_of(repo, "", f"positions/{NEW_UNIT}") == ""


def test_two_databases_sharing_one_repository_publish_their_own_files(
    app, client, session, staff, repo, tmp_path: Path
) -> None:
    """The first database publishes its submission 1; a second database (a move to PostgreSQL, a
    restore) numbers its own submission 1 too: it still gets its own reference and its own commit."""
    reference = Clerk(client).submit(answers_for())
    run_tasks(app)
    first = submitted(session, reference)
    assert Reviewer(app, "li").act(first.id, "approve").status_code == 303
    assert "published" in run_tasks(app)
    first = submitted(session, reference)

    other_url = sqlite_urls(tmp_path / "other")["DATABASE_URL"]
    (tmp_path / "other").mkdir()
    migrate(other_url)
    engine = create_engine(other_url)
    try:
        with Session(engine) as other:
            positions = [dict(p, title="另一库的岗位") for p in first.positions_data]
            twin = Submission(
                state="publishing",
                source="form",
                unit_slug=first.unit_slug,
                is_edit=first.is_edit,
                unit_data=first.unit_data,
                positions_data=positions,
                token="other-token",
                approved_by="另一库审核",
            )
            other.add(twin)
            other.flush()
            assert twin.id == first.id
            twin.reference = submissions.reference(twin.id, 2026)
            other.commit()
            assert twin.reference != first.reference and twin.publish_id != first.publish_id
            result = publication.publish(
                other, twin.id, repo, app.config["MAIL_FROM"], app.config["CATALOGUE_URL"], utcnow()
            )
            assert result.status == "published"
            twin = other.scalar(select(Submission).where(Submission.id == first.id))
            assert twin.commit != first.commit and twin.commit == head(repo)
            written = committed_files(repo, twin.commit)
            assert written and all(path.startswith(f"positions/{first.unit_slug}/") for path in written)
            texts = [(repo / path).read_text(encoding="utf-8") for path in written if "unit.yaml" not in path]
            assert texts and all("另一库的岗位" in text for text in texts)
    finally:
        engine.dispose()


def test_the_migration_gives_earlier_submissions_ids_of_their_own(tmp_path: Path) -> None:
    """Submissions made before the trailer existed get distinct ids; downgrading drops the column."""
    url = sqlite_urls(tmp_path)["DATABASE_URL"]
    config = db._alembic(url)
    command.upgrade(config, "0008")
    engine = create_engine(url)
    insert = text(
        "INSERT INTO submission (reference, state, source, unit_slug, is_edit, unit_data, positions_data,"
        ' token, message, "commit", approved_by, publish_error, created_at, updated_at)'
        " VALUES (:reference, 'published', 'form', 'u', 0, '{}', '[]', :token, '', '', '', '', :at, :at)"
    )
    try:
        with engine.begin() as connection:
            for number in (1, 2):
                connection.execute(
                    insert, {"reference": f"DW2026-00000{number}", "token": f"t{number}", "at": utcnow()}
                )
        command.upgrade(config, "head")
        with engine.connect() as connection:
            ids = connection.execute(text("SELECT publish_id FROM submission")).scalars().all()
        assert len(set(ids)) == 2 and all(len(i) == 32 for i in ids)
        command.downgrade(config, "0008")
        with engine.connect() as connection:
            columns = [row[1] for row in connection.execute(text("PRAGMA table_info(submission)"))]
        assert "publish_id" not in columns and "reference" in columns
    finally:
        engine.dispose()


def test_a_forge_that_is_down_fails_the_publication_with_its_reason_and_a_retry_pushes_it(
    app, client, session, staff, repo: Path, tmp_path: Path
) -> None:
    """Approved while the forge is unreachable: 发布失败 with the reason in Chinese, nothing in the
    working copy; once it answers, 重新发布 commits on its branch and pushes."""
    forge = tmp_path / "forge.git"
    app.config["POSITIONS_REMOTE"] = str(forge)  # not created yet: the forge is down
    reference = Clerk(client).submit(answers_for())
    run_tasks(app)
    submission = submitted(session, reference)
    li = Reviewer(app, "li")
    before = head(repo)
    assert li.act(submission.id, "approve").status_code == 303
    run_tasks(app)
    failed = submitted(session, reference)
    assert failed.state == "publish_failed" and "无法从代码仓库获取更新" in failed.publish_error
    assert head(repo) == before and git(repo, "status", "--porcelain") == ""
    assert "无法从代码仓库获取更新" in li.page(submission.id)

    git(tmp_path, "init", "-q", "--bare", str(forge))
    git(repo, "push", "-q", str(forge), "HEAD:refs/heads/main")
    assert li.act(submission.id, "retry").status_code == 303
    run_tasks(app)
    published = submitted(session, reference)
    assert published.state == "published"
    assert published.commit == head(repo) == git(forge, "rev-parse", "refs/heads/main").strip()
