"""The forge both ways, against a bare repository: approvals pushed, commits merged there pulled
before writing, a refused push retried, a conflict named, a forge down or rewritten refused, two
publishers landing in one linear history, and what a sync brings checked."""

import hashlib
import hmac
import threading
from pathlib import Path

import pytest
from sqlalchemy import select

from form_worker.core.models import utcnow
from form_worker.outbox.models import Outbox
from form_worker.publishing import files as publish_files
from form_worker.publishing import forge as forge_module
from form_worker.publishing import syncing
from form_worker.publishing import tasks as publish_tasks
from form_worker.publishing.checks import PublishError
from form_worker.publishing.forge import Forge, ForgeError
from form_worker.publishing.models import CatalogueBuild, ForgeSync
from site_builder.model.writer import unit_files
from tests.conftest import git
from tests.form_worker.conftest import PASSWORD, logged_in, next_task
from tests.helpers.parties import make_account
from tests.helpers.positions import NEW_UNIT, SAMPLE_POSITION, head, new_unit, sample_position

BRANCH = "main"


@pytest.fixture
def bare(repo: Path, tmp_path: Path) -> Path:
    """The forge: a bare repository holding the working copy's history on `main`."""
    forge = tmp_path / "forge.git"
    git(tmp_path, "init", "-q", "--bare", str(forge))
    git(repo, "push", "-q", str(forge), f"HEAD:refs/heads/{BRANCH}")
    return forge


@pytest.fixture
def forge(bare: Path) -> Forge:
    return Forge(str(bare), BRANCH, "jianxi <jianxi@jianxi.test>")


def clone(bare: Path, target: Path) -> Path:
    """Another working copy of the forge: a person merging a pull request, or a second publisher."""
    git(target.parent, "clone", "-q", "-b", BRANCH, str(bare), str(target))
    return target


def remote_head(bare: Path) -> str:
    return git(bare, "rev-parse", f"refs/heads/{BRANCH}").strip()


def merged_on_the_forge(bare: Path, tmp_path: Path, relative: str, text: str, name: str = "elsewhere") -> str:
    """A commit made in another copy and pushed, as a merged pull request lands."""
    other = clone(bare, tmp_path / name)
    path = other / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    git(other, "add", "-A")
    git(other, "commit", "-q", "-m", f"Edit {relative} on the forge")
    git(other, "push", "-q", "origin", BRANCH)
    return head(other)


def approve(repo: Path, forge: Forge | None, title: str = "数据整理助理", publish_id: str = "a" * 32) -> str:
    return publish_files.write_submission(
        repo,
        NEW_UNIT,
        new_unit(),
        [(None, sample_position(title=title))],
        "DW2026-000045-AAAA",
        "王审核",
        utcnow(),
        publish_id=publish_id,
        forge=forge,
    )


def linear(repo: Path) -> bool:
    return git(repo, "rev-list", "--merges", "HEAD").strip() == ""


def sample_file(repo: Path) -> str:
    """The sample position's file, which a pull request on the forge edits."""
    return f"positions/{SAMPLE_POSITION}.yaml"


def test_an_approval_is_pushed_to_the_forge(repo: Path, bare: Path, forge: Forge) -> None:
    sha = approve(repo, forge)
    assert sha == head(repo) == remote_head(bare)
    assert f"positions/{NEW_UNIT}/unit.yaml" in git(bare, "show", "--name-only", "--format=", sha).split()


def test_a_pull_request_merged_on_the_forge_is_pulled_before_writing(
    repo: Path, bare: Path, forge: Forge, tmp_path: Path
) -> None:
    relative = sample_file(repo)
    edited = (repo / relative).read_text(encoding="utf-8").replace("allowance: ", "allowance: 1", 1)
    merged = merged_on_the_forge(bare, tmp_path, relative, edited)
    sha = approve(repo, forge)
    assert git(repo, "rev-parse", "HEAD~1").strip() == merged and sha == remote_head(bare)
    assert (repo / relative).read_text(encoding="utf-8") == edited and linear(repo)


def test_a_push_refused_because_the_forge_moved_is_retried_after_a_pull(
    repo: Path, bare: Path, forge: Forge, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Someone merges between our pull and our push: the push is refused, pulled again, retried."""
    real_push = forge_module.push
    racing: list[str] = []

    def push_after_a_merge(repo_: Path, forge_: Forge) -> None:
        if not racing:
            racing.append(merged_on_the_forge(bare, tmp_path, "positions/README-forge.md", "合并请求\n"))
        real_push(repo_, forge_)

    monkeypatch.setattr(forge_module, "push", push_after_a_merge)
    sha = approve(repo, forge)
    assert sha == head(repo) == remote_head(bare)
    assert git(repo, "rev-parse", "HEAD~1").strip() == racing[0] and linear(repo)
    assert git(repo, "log", "-1", "--format=%(trailers:key=Jianxi-Submission,valueonly)").strip() == "a" * 32


def test_the_same_file_changed_on_the_forge_fails_naming_it_and_loses_nothing(
    repo: Path, bare: Path, forge: Forge, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    unit_file = f"positions/{NEW_UNIT}/unit.yaml"
    before = head(repo)
    real_push = forge_module.push
    theirs = new_unit(name="重庆市测试科技学会（代码仓库版）")

    def push_after_a_conflicting_merge(repo_: Path, forge_: Forge) -> None:
        monkeypatch.setattr(forge_module, "push", real_push)
        text = unit_files(repo_, NEW_UNIT, theirs, [])[unit_file]
        merged_on_the_forge(bare, tmp_path, unit_file, text)
        real_push(repo_, forge_)

    monkeypatch.setattr(forge_module, "push", push_after_a_conflicting_merge)
    with pytest.raises(ForgeError) as refused:
        approve(repo, forge)
    assert unit_file in str(refused.value) and "重新发布" in str(refused.value)
    assert head(repo) == before and git(repo, "status", "--porcelain").strip() == ""
    assert not (repo / ".git" / "rebase-merge").exists()

    # 重新发布: the same submission again, now on top of the forge's edit.
    sha = approve(repo, forge)
    assert sha == remote_head(bare) and linear(repo)
    assert "代码仓库版" in git(repo, "show", "HEAD~1:" + unit_file)


def test_a_forge_that_is_down_fails_in_chinese_and_writes_nothing(repo: Path, tmp_path: Path) -> None:
    before = head(repo)
    with pytest.raises(ForgeError) as refused:
        approve(repo, Forge(str(tmp_path / "missing.git"), BRANCH))
    assert "无法从代码仓库获取更新" in str(refused.value)
    assert head(repo) == before and not (repo / "positions" / NEW_UNIT).exists()


def test_a_push_that_fails_for_good_takes_its_commit_back_out(
    repo: Path, bare: Path, forge: Forge, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = head(repo)

    def forge_gone(repo_: Path, forge_: Forge) -> None:
        raise ForgeError("无法推送到代码仓库（main 分支）：连接被拒绝。请稍后点“重新发布”。")

    monkeypatch.setattr(forge_module, "push", forge_gone)
    with pytest.raises(PublishError):
        approve(repo, forge)
    assert head(repo) == before and remote_head(bare) == before
    assert git(repo, "status", "--porcelain").strip() == ""


def test_a_forge_that_rewrote_its_history_is_refused(
    repo: Path, bare: Path, forge: Forge, tmp_path: Path
) -> None:
    first = approve(repo, forge)
    other = clone(bare, tmp_path / "rewriter")
    git(other, "reset", "-q", "--hard", "HEAD~1")
    (other / "positions" / "rewritten.md").write_text("改写\n", encoding="utf-8")
    git(other, "add", "-A")
    git(other, "commit", "-q", "-m", "Rewritten")
    git(other, "push", "-q", "--force", "origin", BRANCH)
    with pytest.raises(ForgeError) as refused:
        syncing.sync(repo, forge)
    assert "历史被改写" in str(refused.value)
    assert head(repo) == first and (repo / "positions" / NEW_UNIT / "unit.yaml").exists()


def test_two_publishers_approving_at_once_both_land_in_one_linear_history(
    repo: Path, bare: Path, forge: Forge, tmp_path: Path
) -> None:
    copies = [repo, clone(bare, tmp_path / "second-machine")]
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def publish(copy: Path, number: int) -> None:
        start.wait()
        try:
            publish_files.write_submission(
                copy,
                f"{NEW_UNIT}-{number}",
                new_unit(serial=number, name=f"重庆市测试科技学会{number}"),
                [(None, sample_position(title=f"并发岗位{number}"))],
                f"DW2026-00000{number}-AAAA",
                "王审核",
                utcnow(),
                publish_id=str(number) * 32,
                forge=forge,
            )
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=publish, args=(copy, n)) for n, copy in enumerate(copies, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    log = git(bare, "log", "--format=%(trailers:key=Jianxi-Submission,valueonly)", BRANCH).split()
    assert sorted(log[:2]) == ["1" * 32, "2" * 32]
    assert git(bare, "rev-list", "--merges", BRANCH).strip() == ""


def test_a_sync_brings_the_forges_commits_and_names_an_invalid_file(
    repo: Path, bare: Path, forge: Forge, tmp_path: Path
) -> None:
    relative = sample_file(repo)
    text = (repo / relative).read_text(encoding="utf-8")
    merged_on_the_forge(bare, tmp_path, relative, text.replace("allowance: ", "allowance: 1", 1), "good")
    synced = syncing.sync(repo, forge)
    assert synced.moved and synced.problems == [] and synced.after == remote_head(bare)

    broken = text.replace("headcount: ", "headcount: -", 1)
    merged_on_the_forge(bare, tmp_path, relative, broken, "bad")
    synced = syncing.sync(repo, forge)
    assert synced.moved and synced.problems
    assert all(problem.startswith(f"{relative}:") for problem in synced.problems)
    assert syncing.sync(repo, forge).moved is False


# --- the task, the office's view of it, and the webhook ------------------------------------------


@pytest.fixture
def synced_app(app, repo: Path, bare: Path, tmp_path: Path):
    app.config.update(
        POSITIONS_ROOT=str(repo),
        POSITIONS_REMOTE=str(bare),
        SITE_DIR=str(tmp_path / "public" / "site"),
        GIT_HOOK_SECRET="hook-secret",
    )
    return app


def office_emails(session) -> list[Outbox]:
    session.expire_all()
    return list(session.scalars(select(Outbox).where(Outbox.key.startswith("forge-sync:"))))


def test_the_sync_task_asks_for_a_rebuild_and_tells_the_office_of_a_bad_file_once(
    synced_app, session, repo: Path, bare: Path, tmp_path: Path
) -> None:
    make_account(synced_app, session, "li", "李审核", PASSWORD, "reviewer", email="li@office.example.com")
    relative = sample_file(repo)
    text = (repo / relative).read_text(encoding="utf-8")
    with synced_app.app_context():
        assert publish_tasks.sync_positions.call_local() == "unchanged"
        merged_on_the_forge(bare, tmp_path, relative, text.replace("allowance: ", "allowance: 1", 1), "good")
        assert publish_tasks.sync_positions.call_local() == "moved"
    session.expire_all()
    assert session.get(CatalogueBuild, 1).requested_at is not None
    assert session.get(ForgeSync, 1).status == "ok" and office_emails(session) == []

    merged_on_the_forge(bare, tmp_path, relative, text.replace("headcount: ", "headcount: -", 1), "bad")
    requested = session.get(CatalogueBuild, 1).requested_at
    with synced_app.app_context():
        assert publish_tasks.sync_positions.call_local() == "failed"
        assert publish_tasks.sync_positions.call_local() == "unchanged"
    session.expire_all()
    assert session.get(CatalogueBuild, 1).requested_at == requested, "an invalid file is not built"
    emails = office_emails(session)
    assert len(emails) == 1 and emails[0].recipient == "li@office.example.com"
    assert relative in emails[0].body_text and "同步" in emails[0].subject

    page = logged_in(synced_app.test_client(), "li").get("/staff/").text
    assert 'id="forge-sync"' in page and "main 分支" in page


def test_the_office_sees_a_forge_problem_on_the_dashboard(synced_app, session, tmp_path: Path) -> None:
    make_account(synced_app, session, "li", "李审核", PASSWORD, "reviewer", email="li@office.example.com")
    synced_app.config["POSITIONS_REMOTE"] = str(tmp_path / "missing.git")
    with synced_app.app_context():
        assert publish_tasks.sync_positions.call_local() == "failed"
    page = logged_in(synced_app.test_client(), "li").get("/staff/").text
    assert "有问题" in page and "无法从代码仓库获取更新" in page


def signed(body: bytes, secret: str = "hook-secret") -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({}, 401),
        ({"X-Hub-Signature-256": "sha256=" + "0" * 64}, 403),
        ({"X-Hub-Signature-256": signed(b"{}", "wrong")}, 403),
        ({"X-Gitlab-Token": "wrong"}, 403),
        ({"X-Hub-Signature-256": signed(b'{"ref": "refs/heads/main"}')}, 202),
        ({"X-Gitlab-Token": "hook-secret"}, 202),
    ],
    ids=["unsigned", "zero", "wrong-key", "wrong-token", "github", "gitlab"],
)
def test_the_webhook_takes_only_a_signed_push(synced_app, headers: dict[str, str], status: int) -> None:
    body = b'{"ref": "refs/heads/main"}'
    response = synced_app.test_client().post("/hooks/git", data=body, headers=headers)
    assert response.status_code == status
    with synced_app.app_context():
        queued = [task.name for task in iter(next_task, None)]
    assert queued == (["sync_positions"] if status == 202 else [])


def test_the_webhook_does_not_exist_without_a_secret(synced_app) -> None:
    synced_app.config["GIT_HOOK_SECRET"] = ""
    response = synced_app.test_client().post("/hooks/git", data=b"{}", headers={"X-Gitlab-Token": ""})
    assert response.status_code == 404
